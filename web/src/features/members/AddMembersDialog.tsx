// "Add members": search colleagues as you type (debounced; a newer search cancels the older), choose several, or
// type the email of someone without an account to invite them; give them one of the roles you may grant. Members
// who match are shown as such; who was chosen survives Escape (the draft lives in the members section) and only
// "Cancel" drops it.
import { type Dispatch, type SetStateAction, useId, useState } from 'react';
import { ComboBox, Input, Label, ListBox, ListBoxItem, Popover, Text } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Team } from '../../api/types.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useDebounced } from '../../ui/use-debounced.ts';
import { useInvite } from '../invitations/api.ts';
import { useAddAccess, useMemberMatches, useUserSearch } from './api.ts';
import {
  type AddMembersDraft,
  type Chosen,
  keyOf,
  NO_DRAFT,
  nameOf,
  type Option,
  optionsFor,
} from './choices.ts';
import { RolePicker } from './RolePicker.tsx';

function PersonIcon() {
  return (
    <svg className="person-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="8" r="4" />
      <path d="M4 20c0-4 4-6 8-6s8 2 8 6z" />
    </svg>
  );
}

function EnvelopeIcon() {
  return (
    <svg className="person-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M3 5h18v14H3z" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M3 6l9 7 9-7" fill="none" stroke="currentColor" strokeWidth="2" />
    </svg>
  );
}

/**
 * One suggestion. Its accessible name is its whole visible text (WCAG 2.5.3, axe "label-content-name-mismatch"):
 * the person's name (or the typed email) first, then what tells it apart.
 */
function OptionView({ option }: { option: Option }) {
  const { t } = useTranslation();
  const name = nameOf(option);
  return (
    <ListBoxItem
      id={keyOf(option)}
      textValue={name}
      isDisabled={option.kind === 'member'}
      className={`option option-${option.kind}`}
    >
      <span className="option-name">
        {option.kind === 'email' ? <EnvelopeIcon /> : <PersonIcon />}
        {name}
      </span>
      {option.kind !== 'email' && option.user.name && option.user.email && (
        <span className="option-detail">{option.user.email}</span>
      )}
      {option.kind === 'email' && <span className="option-detail">{t('addMembers.inviteDetail')}</span>}
      {option.kind === 'member' && <span className="option-detail">{t('addMembers.alreadyMember')}</span>}
    </ListBoxItem>
  );
}

export default function AddMembersDialog({
  team,
  draft,
  onDraft,
  onClose,
}: {
  team: Team;
  draft: AddMembersDraft;
  onDraft: Dispatch<SetStateAction<AddMembersDraft>>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const errorText = useErrorText();
  const hintId = useId();
  const [typed, setTyped] = useState('');
  const grantable = team.abilities.grant_roles;
  const { chosen } = draft;
  const role = draft.role ?? grantable[0] ?? 'member';
  const [pending, setPending] = useState(false);
  const [failures, setFailures] = useState<string[]>([]);
  const query = useDebounced(typed, 300);
  const search = useUserSearch(team.id, query);
  const matching = useMemberMatches(team.id, query);
  const addAccess = useAddAccess(team.id);
  const invite = useInvite(team.id);
  const searching = typed.trim().length >= 2;
  const members = searching ? (matching.data?.results.map((access) => access.user) ?? []) : [];
  const options = optionsFor(typed, searching ? (search.data?.results ?? []) : [], chosen, members);
  const alreadyThere = options.filter((o) => o.kind === 'member').map(nameOf);
  const nothingChosen = chosen.length === 0;

  const setChosen = (update: (all: Chosen[]) => Chosen[]) =>
    onDraft((current) => ({ ...current, chosen: update(current.chosen) }));

  const submit = async () => {
    if (nothingChosen || pending) return;
    setPending(true);
    setFailures([]);
    const outcomes = await Promise.allSettled(
      chosen.map((c) =>
        c.kind === 'user'
          ? addAccess.mutateAsync({ user: c.user.id, role })
          : invite.mutateAsync({ email: c.email, role }),
      ),
    );
    setPending(false);
    const failed: Chosen[] = [];
    const messages: string[] = [];
    outcomes.forEach((outcome, i) => {
      const c = chosen[i] as Chosen;
      if (outcome.status === 'rejected') {
        failed.push(c);
        messages.push(t('addMembers.failed', { who: nameOf(c), message: errorText(outcome.reason) }));
      }
    });
    const added = outcomes.filter((o, i) => o.status === 'fulfilled' && chosen[i]?.kind === 'user').length;
    const invited = outcomes.filter((o, i) => o.status === 'fulfilled' && chosen[i]?.kind === 'email').length;
    if (added) toast.success(t('addMembers.added', { count: added }));
    if (invited) toast.success(t('addMembers.invited', { count: invited }));
    setFailures(messages);
    if (failed.length) onDraft((current) => ({ ...current, chosen: failed }));
    else {
      onDraft(NO_DRAFT);
      onClose();
    }
  };

  return (
    // Escape and a click outside close the dialog and keep the draft; "Cancel" drops it.
    <ModalDialog title={t('addMembers.dialog')} isOpen onOpenChange={(open) => !open && onClose()}>
      <div className="form add-members">
        <ComboBox
          className="field combobox"
          inputValue={typed}
          onInputChange={setTyped}
          selectedKey={null}
          menuTrigger="input"
          // Open only while there is something typed to search: an open list hides the rest of the dialog
          // from assistive technologies.
          allowsEmptyCollection={searching}
          allowsCustomValue
          items={options.map((option) => ({ id: keyOf(option), option }))}
          onSelectionChange={(key) => {
            const picked = options.find((o) => keyOf(o) === key);
            if (!picked || picked.kind === 'member') return;
            setChosen((all) => [...all, picked]);
            setTyped('');
          }}
          autoFocus
        >
          <Label>{t('addMembers.search')}</Label>
          <Input className="input" />
          <Text slot="description" className="hint">
            {t('addMembers.searchHint')}
          </Text>
          <Popover className="popover combobox-popover" placement="bottom start">
            <ListBox
              className="listbox"
              renderEmptyState={() =>
                searching && !search.isFetching && !matching.isFetching ? (
                  <p className="listbox-empty">{t('addMembers.noResult')}</p>
                ) : null
              }
            >
              {({ option }: { option: Option }) => <OptionView option={option} />}
            </ListBox>
            {/* Members are shown but cannot be chosen, so arrow keys pass them by: said aloud instead. Inside the
                popover: while it is open, the rest of the dialog is hidden from assistive technologies. */}
            <p className="visually-hidden" role="status">
              {alreadyThere.length ? t('addMembers.alreadyMembers', { names: alreadyThere.join(', ') }) : ''}
            </p>
          </Popover>
        </ComboBox>

        {chosen.length > 0 && (
          <section aria-label={t('addMembers.chosen')}>
            <ul className="chips">
              {chosen.map((c) => {
                const label = nameOf(c);
                return (
                  <li key={keyOf(c)} className={`chip chip-${c.kind}`}>
                    {c.kind === 'email' ? <EnvelopeIcon /> : <PersonIcon />}
                    <span className="chip-body">
                      <span className="chip-label">{label}</span>
                      {c.kind === 'email' && <span className="chip-tag">{t('addMembers.invitation')}</span>}
                    </span>
                    <button
                      type="button"
                      className="chip-remove"
                      aria-label={
                        c.kind === 'email'
                          ? t('addMembers.removeInvitation', { email: label })
                          : t('addMembers.removeChosen', { name: label })
                      }
                      onClick={() => setChosen((all) => all.filter((x) => keyOf(x) !== keyOf(c)))}
                    >
                      <span aria-hidden="true">×</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        )}

        <RolePicker
          allowed={grantable}
          value={role}
          onChange={(next) => onDraft((current) => ({ ...current, role: next }))}
        />

        {failures.length > 0 && (
          <div role="alert" className="notice notice-error">
            {failures.map((m) => (
              <p key={m}>{m}</p>
            ))}
          </div>
        )}

        {nothingChosen && (
          <p id={hintId} className="hint">
            {t('addMembers.nothingChosen')}
          </p>
        )}
        <div className="actions">
          <button
            type="button"
            className="button"
            onClick={() => {
              onDraft(NO_DRAFT);
              onClose();
            }}
          >
            {t('common.cancel')}
          </button>
          {/* aria-disabled, not disabled: the button stays in the tab order, with the reason it does nothing yet. */}
          <button
            type="button"
            className="button button-primary"
            aria-disabled={nothingChosen || pending}
            aria-describedby={nothingChosen ? hintId : undefined}
            onClick={submit}
          >
            {t('addMembers.submit')}
          </button>
        </div>
      </div>
    </ModalDialog>
  );
}
