// The profile's time zone: an editable combobox (WAI-ARIA 1.2 "list autocomplete" pattern) that finds a zone by
// city, name or offset and saves the one picked at once. An agent who never chose one (Desk stores UTC until then)
// is offered the browser's. Written by hand, not with react-aria's ComboBox: that one (with its popover) would add
// about 60 KB gzipped to the profile's first load, past the 150 KB budget.
import { type KeyboardEvent, useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../api/types.ts';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useUpdateMe } from '../session/api.ts';
import { allTimeZones, browserTimeZone, describeTimeZone, searchTimeZones } from './time-zones.ts';

/** Desk's default for an agent who never chose (src/users/schema.ts): the API cannot tell it from a choice. */
const DEFAULT_ZONE = 'UTC';

let browserZone: { zone: string | undefined } | undefined;
/** The browser's zone, when it is worth suggesting to this agent. */
function suggestedZone(me: Me): string | undefined {
  if (me.timezone !== DEFAULT_ZONE || choseHere(me.id)) return undefined;
  browserZone ??= { zone: browserTimeZone() };
  return browserZone.zone;
}

// An agent who saved a zone in this browser (UTC on purpose, too) is not offered the browser's again here.
const CHOSEN_KEY = 'desk.timezoneChosen';
function choseHere(userId: string): boolean {
  try {
    return localStorage.getItem(CHOSEN_KEY) === userId;
  } catch {
    return false;
  }
}
function rememberChoice(userId: string): void {
  try {
    localStorage.setItem(CHOSEN_KEY, userId);
  } catch {
    // storage disabled: the suggestion comes back, nothing is lost
  }
}

const labelOf = (id: string) => describeTimeZone(id).label;

export function TimeZoneField({ me }: { me: Me }) {
  const { t } = useTranslation();
  const update = useUpdateMe();
  const toast = useToast();
  const errorText = useErrorText();
  const id = useId();
  const ids = { label: `${id}-label`, input: `${id}-input`, list: `${id}-list`, hint: `${id}-hint` };
  const optionId = (zone: string) => `${id}-${zone}`;

  const suggestion = suggestedZone(me);
  const saving = update.isPending ? update.variables.timezone : undefined;
  const value = saving ?? suggestion ?? me.timezone;

  const [text, setText] = useState(() => labelOf(value));
  const [open, setOpen] = useState(false);
  // null: not searching (the list shows every zone); else what the agent typed.
  const [query, setQuery] = useState<string | null>(null);
  const [active, setActive] = useState<string | null>(null);
  // The list is built the first time the field is used: a few hundred Intl formatters.
  const [used, setUsed] = useState(false);

  const zones = useMemo(() => {
    if (!used) return [];
    const all = allTimeZones();
    // A zone saved elsewhere (people's import) that this browser names differently stays listed.
    return all.some((z) => z.id === value) ? all : [describeTimeZone(value), ...all];
  }, [used, value]);
  const shown = useMemo(() => (query === null ? zones : searchTimeZones(zones, query)), [zones, query]);

  // The chosen zone changed elsewhere (saved, or a failed save rolled back): the text names it again.
  useEffect(() => {
    setText(labelOf(value));
    setQuery(null);
  }, [value]);

  const activeId = open && active ? optionId(active) : undefined;
  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);

  const save = (zone: string) =>
    update.mutate(
      { id: me.id, timezone: zone },
      {
        onSuccess: () => {
          rememberChoice(me.id);
          toast.success(t('common.saved'));
        },
        onError: (err) => toast.error(errorText(err)),
      },
    );

  const close = () => {
    setOpen(false);
    setActive(null);
  };
  /** Back to the chosen zone: the agent left without picking one. */
  const restore = () => {
    close();
    setQuery(null);
    setText(labelOf(value));
  };
  const choose = (zone: string) => {
    close();
    setQuery(null);
    setText(labelOf(zone));
    // Picking UTC while the browser's zone is suggested is a choice too: saved, and remembered here.
    if (zone !== me.timezone || suggestion) save(zone);
  };
  const openList = (highlight: 'chosen' | 'first' | 'last') => {
    setUsed(true);
    setOpen(true);
    const list = query === null ? allTimeZones() : shown;
    const pick =
      highlight === 'chosen' && list.some((z) => z.id === value)
        ? value
        : highlight === 'last'
          ? list.at(-1)?.id
          : list[0]?.id;
    setActive(pick ?? null);
  };
  const move = (step: number) => {
    if (!shown.length) return;
    const at = shown.findIndex((z) => z.id === active);
    const next = at === -1 ? (step > 0 ? 0 : shown.length - 1) : (at + step + shown.length) % shown.length;
    setActive(shown[next]?.id ?? null);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (!open) openList(event.altKey ? 'chosen' : query === null ? 'chosen' : 'first');
        else if (!event.altKey) move(1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        if (!open) openList(query === null ? 'chosen' : 'last');
        else move(-1);
        break;
      case 'PageDown':
      case 'PageUp':
        if (!open) return;
        event.preventDefault();
        move(event.key === 'PageDown' ? 10 : -10);
        break;
      case 'Enter':
        if (!open || !active) return;
        event.preventDefault();
        choose(active);
        break;
      case 'Escape':
        if (!open && query === null) return;
        event.preventDefault();
        restore();
        break;
      case 'Tab':
        if (open) restore();
        break;
    }
  };

  const expanded = open && shown.length > 0;
  const nothingFound = open && query !== null && shown.length === 0;
  return (
    <div className="field timezone">
      <label className="label" id={ids.label} htmlFor={ids.input}>
        {t('profile.timezone')}
      </label>
      <div className="combobox-control">
        <input
          id={ids.input}
          className="input combobox-input"
          type="text"
          role="combobox"
          autoComplete="off"
          spellCheck={false}
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={ids.list}
          aria-activedescendant={expanded ? activeId : undefined}
          aria-describedby={ids.hint}
          value={text}
          onFocus={() => setUsed(true)}
          onChange={(event) => {
            const typed = event.target.value;
            setUsed(true);
            setText(typed);
            setQuery(typed);
            setOpen(true);
            // The best match is highlighted: "Paris" then Enter picks Europe/Paris.
            setActive(searchTimeZones(allTimeZones(), typed)[0]?.id ?? null);
          }}
          onKeyDown={onKeyDown}
          onBlur={(event) => {
            // A click in the list keeps the focus here (mousedown is prevented); anything else leaves the field.
            if (!event.currentTarget.parentElement?.contains(event.relatedTarget)) restore();
          }}
        />
        <button
          type="button"
          className="combobox-button"
          tabIndex={-1}
          aria-label={t('profile.timezoneShowAll')}
          aria-controls={ids.list}
          aria-expanded={expanded}
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => {
            document.getElementById(ids.input)?.focus();
            if (open) restore();
            else {
              setQuery(null);
              openList('chosen');
            }
          }}
        >
          <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
            <path d="M4 6l4 4 4-4" fill="none" stroke="currentColor" strokeWidth="2" />
          </svg>
        </button>
        {/* Always in the page (aria-controls names it), shown only while expanded. A press in it (its scroll bar
            too) keeps the focus in the text field. */}
        <div
          id={ids.list}
          role="listbox"
          aria-labelledby={ids.label}
          className="listbox combobox-list"
          hidden={!expanded}
          onMouseDown={(event) => event.preventDefault()}
        >
          {expanded &&
            shown.map((zone) => (
              // The keyboard acts on the text field, which keeps the focus (aria-activedescendant names the option).
              // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled by the combobox input (onKeyDown)
              <div
                key={zone.id}
                tabIndex={-1}
                id={optionId(zone.id)}
                role="option"
                aria-selected={zone.id === active}
                data-chosen={zone.id === value || undefined}
                className="option"
                onMouseMove={() => setActive(zone.id)}
                onClick={() => choose(zone.id)}
              >
                {zone.label}
              </div>
            ))}
        </div>
        <p className="listbox-empty combobox-list" role="status" hidden={!nothingFound}>
          {nothingFound ? t('profile.timezoneNone', { typed: query }) : ''}
        </p>
      </div>
      <p id={ids.hint} className="hint">
        {suggestion ? t('profile.timezoneSuggested') : t('profile.timezoneHint')}
      </p>
      {suggestion && (
        <button
          type="button"
          className="button button-primary"
          disabled={update.isPending}
          aria-describedby={ids.hint}
          onClick={() => save(suggestion)}
        >
          {t('common.save')}
        </button>
      )}
    </div>
  );
}
