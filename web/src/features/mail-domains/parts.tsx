// What the mail pages share: status badges said in words (never by colour alone), the API's form errors split
// between fields and the rest, and a domain's role picker.
import { ApiError } from '../../api/client.ts';
import type { MailAlias, Mailbox, MailDomainStatus } from '../../api/types.ts';

const TONE: Record<string, string> = {
  enabled: 'badge-ok',
  pending: '',
  action_required: 'badge-warning',
  failed: 'badge-expired',
  disabled: 'badge-muted',
};

/** A status as a badge with its text; the tone only repeats what the text says. */
export function StatusBadge({ status, text }: { status: string; text: string }) {
  return <span className={`badge badge-status ${TONE[status] ?? ''}`}>{text}</span>;
}

export type DomainStatus = MailDomainStatus;
export type MailboxStatus = Mailbox['status'];
export type AliasStatus = MailAlias['status'];

/**
 * The API's refusal of a form: messages of the fields the form shows go beside them, anything else (`__all__`,
 * `detail`, a field the form lacks) above its buttons.
 */
export function formErrors(
  error: unknown,
  fields: readonly string[],
  describe: (error: unknown) => string,
): { fields: Record<string, string>; general: string | null } {
  if (!error) return { fields: {}, general: null };
  if (!(error instanceof ApiError) || error.status === 429) return { fields: {}, general: describe(error) };
  const all = error.fieldErrors();
  const shown: Record<string, string> = {};
  const rest: string[] = [];
  for (const [key, message] of Object.entries(all))
    if (fields.includes(key)) shown[key] = message;
    else rest.push(message);
  if (typeof error.body?.detail === 'string') rest.unshift(error.body.detail);
  if (!rest.length && !Object.keys(shown).length) rest.push(describe(error));
  return { fields: shown, general: rest.length ? rest.join(' ') : null };
}
