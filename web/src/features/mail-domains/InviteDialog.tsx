// "Invite by email": an address and one of the roles the agent may give. A colleague who already has an account
// gets the access at once (the API answers {detail}), and the toast says so.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DomainRole, MailDomain } from '../../api/types.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { grantableRoles, useInviteToDomain } from './api.ts';
import { DomainRolePicker } from './DomainRolePicker.tsx';
import { Field, FormAlert } from './fields.tsx';
import { formErrors } from './parts.tsx';

export default function InviteDialog({ domain, onClose }: { domain: MailDomain; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const errorText = useErrorText();
  const invite = useInviteToDomain(domain.slug);
  const allowed = grantableRoles(domain);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<DomainRole>(allowed[0] ?? 'viewer');
  const errors = formErrors(invite.error, ['email'], errorText);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const address = email.trim();
    invite.mutate(
      { email: address, role },
      {
        onSuccess: (answer) => {
          toast.success(
            'detail' in answer
              ? t('domainInvitations.accessAtOnce', { email: address })
              : t('domainInvitations.invited', { email: address }),
          );
          onClose();
        },
      },
    );
  };

  return (
    <ModalDialog title={t('domainInvitations.dialog')} isOpen onOpenChange={(open) => !open && onClose()}>
      <form className="form" onSubmit={submit} noValidate>
        <Field
          label={t('domainInvitations.email')}
          value={email}
          onChange={setEmail}
          error={errors.fields.email}
          hint={t('domainInvitations.emailHint')}
          type="email"
          autoComplete="off"
          isRequired
          autoFocus
        />
        <DomainRolePicker allowed={allowed} value={role} onChange={setRole} />
        <FormAlert message={errors.general} />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={invite.isPending}>
            {t('domainInvitations.submit')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
