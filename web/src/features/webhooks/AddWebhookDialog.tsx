// "Add a webhook": the URL, the protocol (SCIM or Matrix) and the secret sent with each delivery, what each means for
// the chosen protocol said under it; the API's refusals shown next to the field they are about.
import { type FormEvent, useRef, useState } from 'react';
import { FieldError, Input, Label, Radio, RadioGroup, Text, TextField } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import type { WebhookProtocol } from '../../api/types.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useAddWebhook, type WebhookScope } from './api.ts';

const PROTOCOLS: readonly WebhookProtocol[] = ['scim', 'matrix'];

type Field = 'url' | 'protocol' | 'secret';
const NO_ERRORS: Partial<Record<Field, string>> = {};

export default function AddWebhookDialog({
  teamId,
  teamName,
  scope,
  onClose,
}: {
  teamId: string;
  teamName: string;
  scope: WebhookScope;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const errorText = useErrorText();
  const add = useAddWebhook(teamId, scope);
  const [url, setUrl] = useState('');
  const [protocol, setProtocol] = useState<WebhookProtocol>('scim');
  const [secret, setSecret] = useState('');
  const [errors, setErrors] = useState(NO_ERRORS);
  // A refusal about no field (403, 404, 503): said once, above the buttons.
  const [error, setError] = useState<string | null>(null);
  const urlInput = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (add.isPending) return;
    setErrors(NO_ERRORS);
    setError(null);
    try {
      const made = await add.mutateAsync({
        url: url.trim(),
        protocol,
        secret: secret === '' ? null : secret,
      });
      toast.success(t('webhooks.added', { url: made.url, team: teamName }));
      onClose();
    } catch (err) {
      const fields = err instanceof ApiError && err.status === 400 ? err.fieldErrors() : {};
      const mine: Partial<Record<Field, string>> = {};
      for (const field of ['url', 'protocol', 'secret'] as const)
        if (fields[field]) mine[field] = fields[field];
      setErrors(mine);
      // The field to correct, where the keyboard is (the disabled button lost the focus meanwhile).
      if (mine.url) urlInput.current?.focus();
      if (Object.keys(mine).length === 0) setError(errorText(err));
    }
  };

  return (
    <ModalDialog title={t('webhooks.addDialog')} isOpen onOpenChange={(open) => !open && onClose()}>
      <form onSubmit={submit} className="form" noValidate>
        <TextField
          className="field"
          value={url}
          onChange={setUrl}
          type="url"
          isRequired
          maxLength={1000}
          autoFocus
          isInvalid={errors.url !== undefined}
          validationBehavior="aria"
        >
          <Label className="label">{t('webhooks.url')}</Label>
          <Input ref={urlInput} className="input" />
          <Text slot="description" className="hint">
            {t(`webhooks.urlHint.${protocol}`)}
          </Text>
          <FieldError className="field-error">{errors.url}</FieldError>
        </TextField>
        <RadioGroup
          className="radio-group"
          value={protocol}
          onChange={(value) => setProtocol(value as WebhookProtocol)}
          isInvalid={errors.protocol !== undefined}
          validationBehavior="aria"
        >
          <Label className="label">{t('webhooks.protocol')}</Label>
          {PROTOCOLS.map((p) => (
            <Radio key={p} value={p} className="radio">
              {t(`webhooks.protocols.${p}`)}
            </Radio>
          ))}
          <FieldError className="field-error">{errors.protocol}</FieldError>
        </RadioGroup>
        <TextField
          className="field"
          value={secret}
          onChange={setSecret}
          type="password"
          autoComplete="new-password"
          maxLength={1000}
          isInvalid={errors.secret !== undefined}
          validationBehavior="aria"
        >
          <Label className="label">{t('webhooks.secret')}</Label>
          <Input className="input" />
          <Text slot="description" className="hint">
            {t(`webhooks.secretHint.${protocol}`)}
          </Text>
          <FieldError className="field-error">{errors.secret}</FieldError>
        </TextField>
        {error && (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={add.isPending}>
            {add.isPending ? t('webhooks.adding') : t('webhooks.submit')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
