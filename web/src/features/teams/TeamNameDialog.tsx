// The one form for a team's name (create, rename): the API's messages shown next to the field.
import { type FormEvent, useState } from 'react';
import { FieldError, Input, Label, TextField } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText } from '../../ui/feedback.tsx';

export default function TeamNameDialog({
  title,
  submitLabel,
  initial = '',
  isOpen,
  onOpenChange,
  onSubmit,
}: {
  title: string;
  submitLabel: string;
  initial?: string;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  onSubmit: (name: string) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await onSubmit(name);
      onOpenChange(false);
    } catch (err) {
      setError(err instanceof ApiError ? (err.fieldErrors().name ?? errorText(err)) : errorText(err));
    } finally {
      setPending(false);
    }
  };

  return (
    <ModalDialog title={title} isOpen={isOpen} onOpenChange={onOpenChange}>
      <form onSubmit={submit} className="form">
        <TextField
          className="field"
          value={name}
          onChange={setName}
          isInvalid={error !== null}
          isRequired
          maxLength={100}
          autoFocus
          validationBehavior="aria"
        >
          <Label>{t('teams.teamName')}</Label>
          <Input className="input" />
          <FieldError className="field-error">{error}</FieldError>
        </TextField>
        <div className="actions">
          <button type="button" className="button" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={pending}>
            {submitLabel}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
