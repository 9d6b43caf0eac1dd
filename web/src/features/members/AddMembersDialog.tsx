// "Add members": search colleagues as you type (debounced; a newer search cancels the older), choose several, or
// type the email of someone without an account to invite them; give them one of the roles you may grant.
import { useState } from 'react';
import { ComboBox, Input, Label, ListBox, ListBoxItem, Popover, Text } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Role, Team } from '../../api/types.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useDebounced } from '../../ui/use-debounced.ts';
import { useInvite } from '../invitations/api.ts';
import { useAddAccess, useUserSearch } from './api.ts';
import { type Chosen, keyOf, optionsFor } from './choices.ts';
import { RolePicker } from './RolePicker.tsx';

export default function AddMembersDialog({
  team,
  isOpen,
  onOpenChange,
}: {
  team: Team;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const errorText = useErrorText();
  const [typed, setTyped] = useState('');
  const [chosen, setChosen] = useState<Chosen[]>([]);
  const grantable = team.abilities.grant_roles;
  const [role, setRole] = useState<Role>(grantable[0] ?? 'member');
  const [pending, setPending] = useState(false);
  const [failures, setFailures] = useState<string[]>([]);
  const search = useUserSearch(team.id, useDebounced(typed, 300));
  const addAccess = useAddAccess(team.id);
  const invite = useInvite(team.id);
  const options = optionsFor(typed, search.data?.results ?? [], chosen);

  const submit = async () => {
    if (!chosen.length) {
      setFailures([t('addMembers.nothingChosen')]);
      return;
    }
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
        const who = c.kind === 'user' ? c.user.name || c.user.email || '' : c.email;
        messages.push(t('addMembers.failed', { who, message: errorText(outcome.reason) }));
      }
    });
    const added = outcomes.filter((o, i) => o.status === 'fulfilled' && chosen[i]?.kind === 'user').length;
    const invited = outcomes.filter((o, i) => o.status === 'fulfilled' && chosen[i]?.kind === 'email').length;
    if (added) toast.success(t('addMembers.added', { count: added }));
    if (invited) toast.success(t('addMembers.invited', { count: invited }));
    setChosen(failed);
    setFailures(messages);
    if (!failed.length) onOpenChange(false);
  };

  return (
    <ModalDialog title={t('addMembers.dialog')} isOpen={isOpen} onOpenChange={onOpenChange}>
      <div className="form">
        <ComboBox
          className="field combobox"
          inputValue={typed}
          onInputChange={setTyped}
          selectedKey={null}
          menuTrigger="input"
          // Open only while there is something typed to search: an open list hides the rest of the dialog
          // from assistive technologies.
          allowsEmptyCollection={typed.trim().length >= 2}
          allowsCustomValue
          items={options.map((option) => ({ id: keyOf(option), option }))}
          onSelectionChange={(key) => {
            const picked = options.find((o) => keyOf(o) === key);
            if (!picked) return;
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
                typed.trim().length >= 2 && !search.isFetching ? (
                  <p className="listbox-empty">{t('addMembers.noResult')}</p>
                ) : null
              }
            >
              {({ option }: { option: Chosen }) =>
                option.kind === 'user' ? (
                  <ListBoxItem
                    id={keyOf(option)}
                    textValue={option.user.name || option.user.email || ''}
                    className="option"
                  >
                    <Text slot="label">{option.user.name || option.user.email}</Text>
                    <Text slot="description" className="option-detail">
                      {option.user.email}
                    </Text>
                  </ListBoxItem>
                ) : (
                  <ListBoxItem id={keyOf(option)} textValue={option.email} className="option">
                    <Text slot="label">{option.email}</Text>
                    <Text slot="description" className="option-detail">
                      {t('addMembers.invite', { email: option.email })}
                    </Text>
                  </ListBoxItem>
                )
              }
            </ListBox>
          </Popover>
        </ComboBox>

        {chosen.length > 0 && (
          <section aria-label={t('addMembers.chosen')}>
            <ul className="chips">
              {chosen.map((c) => {
                const label = c.kind === 'user' ? c.user.name || c.user.email || '' : c.email;
                return (
                  <li key={keyOf(c)} className="chip">
                    <span>{label}</span>
                    <button
                      type="button"
                      className="chip-remove"
                      aria-label={t('addMembers.removeChosen', { name: label })}
                      onClick={() => setChosen((all) => all.filter((x) => keyOf(x) !== keyOf(c)))}
                    >
                      ×
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        )}

        <RolePicker allowed={grantable} value={role} onChange={setRole} />

        {failures.length > 0 && (
          <div role="alert" className="notice notice-error">
            {failures.map((m) => (
              <p key={m}>{m}</p>
            ))}
          </div>
        )}

        <div className="actions">
          <button type="button" className="button" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </button>
          <button type="button" className="button button-primary" disabled={pending} onClick={submit}>
            {t('addMembers.submit')}
          </button>
        </div>
      </div>
    </ModalDialog>
  );
}
