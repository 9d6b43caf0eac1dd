// Create or edit a contact (loaded when first opened, with react-aria): the API's field messages beside each field.
import { type FormEvent, useState } from 'react';
import { FieldError, Input, Label, TextArea, TextField } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import type { Contact } from '../../api/types.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { type ContactInput, emailOf, useSaveContact } from './api.ts';

export default function ContactDialog({
  contact,
  onClose,
}: {
  contact: Contact | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const save = useSaveContact();
  const toast = useToast();
  const errorText = useErrorText();
  const [fullName, setFullName] = useState(contact?.full_name ?? '');
  const [shortName, setShortName] = useState(contact?.short_name ?? '');
  const [notes, setNotes] = useState(contact?.notes ?? '');
  const [email, setEmail] = useState(contact ? emailOf(contact) : '');
  const errors = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input: ContactInput = {
      full_name: fullName,
      short_name: shortName,
      notes,
      data: { ...(contact?.data ?? {}), emails: email.trim() ? [{ type: 'Work', value: email.trim() }] : [] },
    };
    save.mutate(
      { ...(contact ? { id: contact.id } : {}), input },
      {
        onSuccess: () => {
          toast.success(contact ? t('common.saved') : t('contacts.createdToast'));
          onClose();
        },
      },
    );
  };
  const field = (label: string, value: string, set: (v: string) => void, name: string, multiline = false) => (
    <TextField
      className="field"
      value={value}
      onChange={set}
      isInvalid={Boolean(errors[name])}
      validationBehavior="aria"
    >
      <Label>{label}</Label>
      {multiline ? <TextArea className="input" rows={3} /> : <Input className="input" />}
      <FieldError className="field-error">{errors[name]}</FieldError>
    </TextField>
  );
  return (
    <ModalDialog
      title={contact ? t('contacts.editOf', { name: contact.full_name }) : t('contacts.create')}
      isOpen
      onOpenChange={(open) => !open && onClose()}
    >
      <form className="form" onSubmit={submit}>
        {field(t('contacts.fullName'), fullName, setFullName, 'full_name')}
        {field(t('contacts.shortName'), shortName, setShortName, 'short_name')}
        {field(t('contacts.email'), email, setEmail, 'data.emails.0.value')}
        {field(t('contacts.notes'), notes, setNotes, 'notes', true)}
        {save.isError && !Object.keys(errors).length && (
          <p role="alert" className="notice notice-error">
            {errorText(save.error)}
          </p>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
