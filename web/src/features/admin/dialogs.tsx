// The back office's dialogs, loaded when one first opens (react-aria with them): confirmations, a name, a new
// organization, a merge, a SCIM client's token shown once. Each shows the API's answer inside it: by its field, or in an alert.
import { type FormEvent, useState } from 'react';
import { FieldError, Input, Label, Text, TextArea, TextField } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import type { Organization } from '../../api/types.ts';
import { ModalDialog } from '../../ui/dialog.tsx';
import { Loading, useErrorText } from '../../ui/feedback.tsx';
import { useDebounced } from '../../ui/use-debounced.ts';
import { useOrganizationName } from '../organizations/use-organization-name.ts';
import { type OrganizationChanges, useOrganizations } from './api.ts';

/** Messages of a failed request: by field when the API names one, else in general. */
function useFailure() {
  const errorText = useErrorText();
  return (err: unknown): { fields: Record<string, string>; general: string | null } => {
    if (err instanceof ApiError && err.status === 400) {
      const fields = err.fieldErrors();
      if (Object.keys(fields).length) return { fields, general: null };
    }
    return { fields: {}, general: errorText(err) };
  };
}

export function NameDialog({
  title,
  label,
  initial,
  submitLabel,
  maxLength = 255,
  onSubmit,
  onClose,
}: {
  title: string;
  label: string;
  initial: string;
  /** The submit button's text when "Save" would not say it (a creation). */
  submitLabel?: string;
  maxLength?: number;
  onSubmit: (name: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const failure = useFailure();
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await onSubmit(name);
      onClose();
    } catch (err) {
      const { fields, general } = failure(err);
      setError(fields.name ?? general ?? Object.values(fields).join(' '));
    } finally {
      setPending(false);
    }
  };
  return (
    <ModalDialog title={title} isOpen onOpenChange={(open) => !open && onClose()}>
      <form onSubmit={submit} className="form">
        <TextField
          className="field"
          value={name}
          onChange={setName}
          isInvalid={error !== null}
          isRequired
          maxLength={maxLength}
          autoFocus
          validationBehavior="aria"
        >
          <Label>{label}</Label>
          <Input className="input" />
          <FieldError className="field-error">{error}</FieldError>
        </TextField>
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={pending}>
            {submitLabel ?? t('common.save')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}

/**
 * A new SCIM client's bearer token, shown this once (Desk keeps only its digest): selectable text, a copy button,
 * and the warning. The dialog closes only by its button, so the token is not lost to a stray click outside.
 */
export function TokenDialog({ name, token, onClose }: { name: string; token: string; onClose: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <ModalDialog
      title={t('admin.scim.tokenTitle', { name })}
      isOpen
      isDismissable={false}
      onOpenChange={(open) => !open && onClose()}
    >
      <p className="notice notice-warning" id="scim-token-warning">
        {t('admin.scim.tokenWarning')}
      </p>
      <TextField className="field" value={token} isReadOnly aria-describedby="scim-token-warning">
        <Label>{t('admin.scim.token')}</Label>
        <Input className="input token-value" onFocus={(e) => e.currentTarget.select()} />
      </TextField>
      <p role="status" className="hint">
        {copied === 'yes' ? t('admin.scim.copied') : copied === 'failed' ? t('admin.scim.copyFailed') : ''}
      </p>
      <div className="actions">
        <button type="button" className="button" onClick={copy}>
          {t('admin.scim.copy')}
        </button>
        <button type="button" className="button button-primary" onClick={onClose}>
          {t('admin.scim.tokenDone')}
        </button>
      </div>
    </ModalDialog>
  );
}

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean);

export function OrganizationDialog({
  onSubmit,
  onClose,
}: {
  onSubmit: (body: OrganizationChanges & { name: string }) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const failure = useFailure();
  const [name, setName] = useState('');
  const [domains, setDomains] = useState('');
  const [ids, setIds] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setErrors({});
    setGeneral(null);
    try {
      await onSubmit({ name, domain_list: lines(domains), registration_id_list: lines(ids) });
      onClose();
    } catch (err) {
      const found = failure(err);
      // A message about one item of a list ("domain_list.1") belongs to that list's field.
      const byField: Record<string, string> = {};
      for (const [key, message] of Object.entries(found.fields)) {
        const field = key.split('.')[0] ?? key;
        byField[field] = byField[field] ? `${byField[field]} ${message}` : message;
      }
      setErrors(byField);
      const known = ['name', 'domain_list', 'registration_id_list'];
      const other = Object.entries(byField).filter(([k]) => !known.includes(k));
      setGeneral(found.general ?? (other.length ? other.map(([, m]) => m).join(' ') : null));
    } finally {
      setPending(false);
    }
  };
  return (
    <ModalDialog title={t('admin.organizations.createDialog')} isOpen onOpenChange={(o) => !o && onClose()}>
      <form onSubmit={submit} className="form">
        <TextField
          className="field"
          value={name}
          onChange={setName}
          isInvalid={Boolean(errors.name)}
          isRequired
          maxLength={255}
          autoFocus
          validationBehavior="aria"
        >
          <Label>{t('admin.organizations.name')}</Label>
          <Input className="input" />
          <FieldError className="field-error">{errors.name}</FieldError>
        </TextField>
        <TextField
          className="field"
          value={domains}
          onChange={setDomains}
          isInvalid={Boolean(errors.domain_list)}
          validationBehavior="aria"
        >
          <Label>{t('admin.organizations.domains')}</Label>
          <TextArea className="input" rows={3} />
          <Text slot="description" className="hint">
            {t('admin.organizations.listHint')}
          </Text>
          <FieldError className="field-error">{errors.domain_list}</FieldError>
        </TextField>
        <TextField
          className="field"
          value={ids}
          onChange={setIds}
          isInvalid={Boolean(errors.registration_id_list)}
          validationBehavior="aria"
        >
          <Label>{t('admin.organizations.registrationIds')}</Label>
          <TextArea className="input" rows={3} />
          <Text slot="description" className="hint">
            {t('admin.organizations.listHint')}
          </Text>
          <FieldError className="field-error">{errors.registration_id_list}</FieldError>
        </TextField>
        {general && (
          <p role="alert" className="notice notice-error">
            {general}
          </p>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={pending}>
            {t('admin.organizations.createSubmit')}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}

/** Merge: find the organization that remains, then confirm what moves into it. */
export function MergeDialog({
  source,
  onMerge,
  onClose,
}: {
  source: Organization;
  onMerge: (into: Organization) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [q, setQ] = useState('');
  const search = useDebounced(q.trim());
  const organizationName = useOrganizationName();
  const found = useOrganizations({ q: search, page: 1 });
  const [target, setTarget] = useState<Organization | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const choices = (found.data?.results ?? []).filter((o) => o.id !== source.id);

  const merge = async () => {
    if (!target) return;
    setPending(true);
    setError(null);
    try {
      await onMerge(target);
      onClose();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setPending(false);
    }
  };

  return (
    <ModalDialog
      title={t('admin.organizations.mergeOf', { name: organizationName(source.name) })}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      role={confirming ? 'alertdialog' : 'dialog'}
    >
      {confirming && target ? (
        <>
          <p>
            {t('admin.organizations.mergeWarning', {
              name: organizationName(source.name),
              into: organizationName(target.name),
            })}
          </p>
          {error && (
            <p role="alert" className="notice notice-error">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              {t('admin.organizations.mergeBack')}
            </button>
            <button type="button" className="button button-danger" disabled={pending} onClick={merge}>
              {t('admin.organizations.mergeConfirm')}
            </button>
          </div>
        </>
      ) : (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            if (target) setConfirming(true);
            else setError(t('admin.organizations.chooseTarget'));
          }}
        >
          <label className="field">
            <span className="label">{t('admin.organizations.mergeSearch')}</span>
            <input className="input" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          </label>
          <fieldset className="radio-group">
            <legend className="label">{t('admin.organizations.mergeTarget')}</legend>
            {found.isPending ? (
              <Loading />
            ) : choices.length === 0 ? (
              <p className="muted">{t('admin.organizations.mergeNoResult')}</p>
            ) : (
              choices.map((o) => (
                <label key={o.id} className="radio">
                  <input
                    type="radio"
                    name="merge-target"
                    checked={target?.id === o.id}
                    onChange={() => {
                      setTarget(o);
                      setError(null);
                    }}
                  />
                  <span>
                    {organizationName(o.name)}
                    {o.domain_list.length > 0 && <span className="muted"> · {o.domain_list.join(', ')}</span>}
                  </span>
                </label>
              ))
            )}
          </fieldset>
          {error && (
            <p role="alert" className="notice notice-error">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" className="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="button button-primary">
              {t('admin.organizations.mergeNext')}
            </button>
          </div>
        </form>
      )}
    </ModalDialog>
  );
}
