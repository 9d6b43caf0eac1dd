// "Create an alias": the address before @domain, and where its mail goes.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MailDomain } from '../../api/types.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useCreateAlias } from './api.ts';
import { Field, FormAlert } from './fields.tsx';
import { formErrors } from './parts.tsx';

export default function AliasDialog({ domain, onClose }: { domain: MailDomain; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const errorText = useErrorText();
  const create = useCreateAlias(domain.slug);
  const [localPart, setLocalPart] = useState('');
  const [destination, setDestination] = useState('');
  const errors = formErrors(create.error, ['local_part', 'destination'], errorText);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { local_part: localPart.trim(), destination: destination.trim() },
      {
        onSuccess: (alias) => {
          toast.success(
            t('aliases.created', {
              address: `${alias.local_part}@${domain.name}`,
              destination: alias.destination,
            }),
          );
          onClose();
        },
      },
    );
  };

  return (
    <ModalDialog title={t('aliases.dialog')} isOpen onOpenChange={(open) => !open && onClose()}>
      <form className="form" onSubmit={submit} noValidate>
        <Field
          label={t('aliases.localPart')}
          value={localPart}
          onChange={setLocalPart}
          error={errors.fields.local_part}
          hint={t('aliases.localPartHint')}
          suffix={`@${domain.name}`}
          autoComplete="off"
          isRequired
          autoFocus
          maxLength={100}
        />
        <Field
          label={t('aliases.destination')}
          value={destination}
          onChange={setDestination}
          error={errors.fields.destination}
          hint={t('aliases.destinationHint')}
          type="email"
          autoComplete="off"
          isRequired
        />
        <FormAlert message={errors.general} />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {t('aliases.submit')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
