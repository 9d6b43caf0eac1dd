// The one form for a team's name (create, rename), and on creation its parent among the teams the agent administers:
// the API's messages shown next to the field they are about.
import { type FormEvent, useId, useState } from 'react';
import { FieldError, Input, Label, TextField } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import type { Team } from '../../api/types.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText } from '../../ui/feedback.tsx';

export default function TeamNameDialog({
  title,
  submitLabel,
  initial = '',
  isOpen,
  onOpenChange,
  parents = [],
  onSubmit,
}: {
  title: string;
  submitLabel: string;
  initial?: string;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  /** The teams the new one may go under; none: no parent field (renaming, or nothing administered). */
  parents?: readonly Team[];
  onSubmit: (name: string, parent: string | null) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [name, setName] = useState(initial);
  const [parent, setParent] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [parentError, setParentError] = useState<string | null>(null);
  const id = useId();
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    setParentError(null);
    try {
      await onSubmit(name, parent || null);
      onOpenChange(false);
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      if (fields.parent) setParentError(fields.parent);
      if (fields.name || !fields.parent) setError(fields.name ?? errorText(err));
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
        {parents.length > 0 && (
          <div className="field">
            <label className="label" htmlFor={`${id}-parent`}>
              {t('tree.createParent')}
            </label>
            <select
              id={`${id}-parent`}
              className="input"
              value={parent}
              aria-invalid={parentError !== null || undefined}
              aria-describedby={parentError ? `${id}-parent-error` : undefined}
              onChange={(e) => setParent(e.target.value)}
            >
              <option value="">{t('tree.createNoParent')}</option>
              {parents.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            {parentError && (
              <p id={`${id}-parent-error`} className="field-error">
                {parentError}
              </p>
            )}
          </div>
        )}
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
