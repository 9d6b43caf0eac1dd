// "Create a mailbox" (names, the address before @domain, a secondary email), or a mailbox's names and secondary
// email changed (its address never changes). The address follows the names until the agent types one of their own.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Mailbox, MailDomain } from '../../api/types.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useCreateMailbox, useUpdateMailbox } from './api.ts';
import { Field, FormAlert } from './fields.tsx';
import { suggestedLocalPart } from './local-part.ts';
import { formErrors } from './parts.tsx';

const FIELDS = ['first_name', 'last_name', 'local_part', 'secondary_email'] as const;

export default function MailboxDialog({
  domain,
  mailbox,
  onClose,
}: {
  domain: MailDomain;
  /** null: a new mailbox. */
  mailbox: Mailbox | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const errorText = useErrorText();
  const create = useCreateMailbox(domain.slug);
  const update = useUpdateMailbox(domain.slug);
  const saving = mailbox ? update : create;
  const [firstName, setFirstName] = useState(mailbox?.first_name ?? '');
  const [lastName, setLastName] = useState(mailbox?.last_name ?? '');
  const [typedLocalPart, setTypedLocalPart] = useState<string | null>(null);
  const [secondaryEmail, setSecondaryEmail] = useState(mailbox?.secondary_email ?? '');
  const localPart = typedLocalPart ?? suggestedLocalPart(firstName, lastName);
  const errors = formErrors(saving.error, FIELDS, errorText);
  const address = `${mailbox?.local_part ?? localPart.trim().toLowerCase()}@${domain.name}`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const names = {
      first_name: firstName.trim(),
      last_name: lastName.trim(),
      secondary_email: secondaryEmail.trim(),
    };
    if (mailbox)
      update.mutate(
        { id: mailbox.id, ...names },
        {
          onSuccess: () => {
            toast.success(t('mailboxes.saved', { address }));
            onClose();
          },
        },
      );
    else
      create.mutate(
        { ...names, local_part: localPart.trim() },
        {
          onSuccess: (made) => {
            toast.success(
              t(
                made.status === 'pending' && domain.status !== 'enabled'
                  ? 'mailboxes.createdPending'
                  : 'mailboxes.created',
                {
                  address: `${made.local_part}@${domain.name}`,
                },
              ),
            );
            onClose();
          },
        },
      );
  };

  return (
    <ModalDialog
      title={mailbox ? t('mailboxes.editOf', { address }) : t('mailboxes.dialog')}
      isOpen
      onOpenChange={(open) => !open && onClose()}
    >
      <form className="form" onSubmit={submit} noValidate>
        <Field
          label={t('mailboxes.firstName')}
          value={firstName}
          onChange={setFirstName}
          error={errors.fields.first_name}
          autoComplete="off"
          isRequired
          autoFocus
          maxLength={200}
        />
        <Field
          label={t('mailboxes.lastName')}
          value={lastName}
          onChange={setLastName}
          error={errors.fields.last_name}
          autoComplete="off"
          isRequired
          maxLength={200}
        />
        {!mailbox && (
          <Field
            label={t('mailboxes.address')}
            value={localPart}
            onChange={setTypedLocalPart}
            error={errors.fields.local_part}
            hint={t('mailboxes.addressHint')}
            suffix={`@${domain.name}`}
            suffixSaid={t('mailDomain.endsWith', { domain: domain.name })}
            autoComplete="off"
            isRequired
            maxLength={150}
          />
        )}
        <Field
          label={t('mailboxes.secondaryEmail')}
          value={secondaryEmail}
          onChange={setSecondaryEmail}
          error={errors.fields.secondary_email}
          hint={t('mailboxes.secondaryHint')}
          type="email"
          autoComplete="off"
        />
        <FormAlert message={errors.general} />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={saving.isPending}>
            {mailbox ? t('common.save') : t('mailboxes.submit')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
