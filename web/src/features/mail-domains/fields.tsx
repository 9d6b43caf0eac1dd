// A form's text field as the mail dialogs draw it (react-aria, loaded with them): label, hint, the API's message,
// and an optional suffix after the input (the "@domain" after a mailbox's or an alias's local part).
import { FieldError, Input, Label, Text, TextField } from 'react-aria-components';

export function Field({
  label,
  value,
  onChange,
  error,
  hint,
  suffix,
  suffixSaid,
  type = 'text',
  isRequired = false,
  autoFocus = false,
  autoComplete,
  maxLength,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  /** Shown after the input; said to screen readers by `suffixSaid`, in the hint. */
  suffix?: string;
  suffixSaid?: string;
  type?: 'text' | 'email';
  isRequired?: boolean;
  autoFocus?: boolean;
  autoComplete?: string;
  maxLength?: number;
}) {
  return (
    <TextField
      className="field"
      value={value}
      onChange={onChange}
      type={type}
      isInvalid={Boolean(error)}
      isRequired={isRequired}
      autoFocus={autoFocus}
      validationBehavior="aria"
      {...(autoComplete ? { autoComplete } : {})}
      {...(maxLength ? { maxLength } : {})}
    >
      <Label>{label}</Label>
      {suffix ? (
        <span className="input-with-suffix">
          <Input className="input input-suffixed" />
          {/* Said to screen readers in the hint (suffixSaid): shown here for the eye. */}
          <span className="input-suffix" aria-hidden="true">
            {suffix}
          </span>
        </span>
      ) : (
        <Input className="input" />
      )}
      {(hint || suffixSaid) && (
        <Text slot="description" className="hint">
          {suffixSaid && <span className="visually-hidden">{suffixSaid} </span>}
          {hint}
        </Text>
      )}
      <FieldError className="field-error">{error}</FieldError>
    </TextField>
  );
}

/** What the API refused that no field shows, above the dialog's buttons. */
export function FormAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="notice notice-error">
      {message}
    </p>
  );
}
