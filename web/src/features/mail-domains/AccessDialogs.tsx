// The access dialogs (loaded when first opened, with react-aria): "Add someone" — a colleague found by name or
// email, given one of the roles the agent may give — and "Change role" to a role the API lists for that access.
import { useId, useState } from 'react';
import { ComboBox, Input, Label, ListBox, ListBoxItem, Popover, Text } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { DomainAccess, DomainRole, FoundUser, MailDomain } from '../../api/types.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useDebounced } from '../../ui/use-debounced.ts';
import { grantableRoles, useAccessCandidates, useChangeDomainRole, useGrantAccess } from './api.ts';
import { DomainRolePicker } from './DomainRolePicker.tsx';
import { FormAlert } from './fields.tsx';
import { formErrors } from './parts.tsx';

const nameOf = (user: FoundUser) => user.name || user.email || '';

export function AddAccessDialog({ domain, onClose }: { domain: MailDomain; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const errorText = useErrorText();
  const hintId = useId();
  const allowed = grantableRoles(domain);
  const [typed, setTyped] = useState('');
  const [chosen, setChosen] = useState<FoundUser | null>(null);
  const [role, setRole] = useState<DomainRole>(allowed[0] ?? 'viewer');
  const query = useDebounced(typed, 300);
  const searching = typed.trim().length >= 2;
  const candidates = useAccessCandidates(domain.slug, query);
  const grant = useGrantAccess(domain.slug);
  const found = searching ? (candidates.data ?? []) : [];
  const errors = formErrors(grant.error, [], errorText);

  const submit = () => {
    if (!chosen || grant.isPending) return;
    grant.mutate(
      { user: chosen.id, role },
      {
        onSuccess: () => {
          toast.success(t('domainAccesses.added', { name: nameOf(chosen), role: t(`domainRoles.${role}`) }));
          onClose();
        },
      },
    );
  };

  return (
    <ModalDialog title={t('domainAccesses.dialog')} isOpen onOpenChange={(open) => !open && onClose()}>
      <div className="form">
        <ComboBox
          className="field combobox"
          inputValue={typed}
          onInputChange={(value) => {
            setTyped(value);
            if (chosen && value !== nameOf(chosen)) setChosen(null);
          }}
          selectedKey={chosen?.id ?? null}
          menuTrigger="input"
          allowsEmptyCollection={searching}
          items={found}
          onSelectionChange={(key) => {
            const picked = found.find((user) => user.id === key);
            if (!picked) return;
            setChosen(picked);
            setTyped(nameOf(picked));
          }}
          autoFocus
        >
          <Label>{t('domainAccesses.search')}</Label>
          <Input className="input" />
          <Text slot="description" className="hint">
            {t('domainAccesses.searchHint')}
          </Text>
          <Popover className="popover combobox-popover" placement="bottom start">
            <ListBox
              className="listbox"
              renderEmptyState={() =>
                searching && !candidates.isFetching ? (
                  <p className="listbox-empty">{t('domainAccesses.noResult')}</p>
                ) : null
              }
            >
              {(user: FoundUser) => (
                <ListBoxItem id={user.id} textValue={nameOf(user)} className="option">
                  <span className="option-name">{nameOf(user)}</span>
                  {user.name && user.email && <span className="option-detail">{user.email}</span>}
                </ListBoxItem>
              )}
            </ListBox>
          </Popover>
        </ComboBox>
        {chosen && (
          <p className="chosen" role="status">
            {t('domainAccesses.chosen', {
              name: chosen.email ? `${nameOf(chosen)} (${chosen.email})` : nameOf(chosen),
            })}
          </p>
        )}
        <DomainRolePicker allowed={allowed} value={role} onChange={setRole} />
        <FormAlert message={errors.general} />
        {!chosen && (
          <p id={hintId} className="hint">
            {t('domainAccesses.chooseFirst')}
          </p>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          {/* aria-disabled, not disabled: the button stays in the tab order, with the reason it does nothing yet. */}
          <button
            type="button"
            className="button button-primary"
            aria-disabled={!chosen || grant.isPending}
            aria-describedby={chosen ? undefined : hintId}
            onClick={submit}
          >
            {t('domainAccesses.submit')}
          </button>
        </div>
      </div>
    </ModalDialog>
  );
}

export function ChangeDomainRoleDialog({
  domain,
  access,
  onClose,
}: {
  domain: MailDomain;
  access: DomainAccess;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [role, setRole] = useState<DomainRole>(access.role);
  const change = useChangeDomainRole(domain.slug);
  const toast = useToast();
  const errorText = useErrorText();
  const name = access.user.name || access.user.email || '';
  const errors = formErrors(change.error, [], errorText);
  return (
    <ModalDialog
      title={t('domainAccesses.changeRoleOf', { name })}
      isOpen
      onOpenChange={(open) => !open && onClose()}
    >
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          change.mutate(
            { id: access.id, role },
            {
              onSuccess: () => {
                toast.success(t('domainAccesses.roleChanged', { name, role: t(`domainRoles.${role}`) }));
                onClose();
              },
            },
          );
        }}
      >
        <DomainRolePicker
          allowed={access.can_set_role_to}
          current={access.role}
          value={role}
          onChange={setRole}
        />
        <FormAlert message={errors.general} />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={change.isPending || role === access.role}
          >
            {t('common.save')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
