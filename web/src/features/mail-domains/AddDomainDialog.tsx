// "Add a mail domain": its name and support email; the development dimail (or the real one) checks it at once, and
// the agent lands on the domain's page, its DNS records there when some are to be set.
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useMe } from '../session/api.ts';
import { useAddMailDomain } from './api.ts';
import { Field, FormAlert } from './fields.tsx';
import { formErrors } from './parts.tsx';

export default function AddDomainDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const add = useAddMailDomain();
  const toast = useToast();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [supportEmail, setSupportEmail] = useState(me?.email ?? '');
  const errors = formErrors(add.error, ['name', 'support_email'], errorText);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(
      { name: name.trim(), support_email: supportEmail.trim() },
      {
        onSuccess: (domain) => {
          toast.success(t('mailDomains.added', { name: domain.name }));
          onClose();
          navigate(`/mail-domains/${domain.slug}`);
        },
      },
    );
  };

  return (
    <ModalDialog title={t('mailDomains.addDialog')} isOpen onOpenChange={(open) => !open && onClose()}>
      <form className="form" onSubmit={submit} noValidate>
        <Field
          label={t('mailDomains.name')}
          value={name}
          onChange={setName}
          error={errors.fields.name}
          hint={t('mailDomains.nameHint')}
          isRequired
          autoFocus
          maxLength={150}
        />
        <Field
          label={t('mailDomains.supportEmail')}
          value={supportEmail}
          onChange={setSupportEmail}
          error={errors.fields.support_email}
          hint={t('mailDomains.supportEmailHint')}
          type="email"
          autoComplete="email"
          isRequired
        />
        <FormAlert message={errors.general} />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={add.isPending}>
            {t('mailDomains.addSubmit')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
