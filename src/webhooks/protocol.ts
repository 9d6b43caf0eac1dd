// What a team webhook delivery needs and how it fails (DESIGN.md §12), shared by the SCIM and Matrix protocols.

/** A team webhook as the protocols see it: where to deliver, how, with which secret, on behalf of which team. */
export interface WebhookTarget {
  url: string;
  protocol: 'scim' | 'matrix';
  secret: string | null;
  teamName: string;
}

/** The user whose access was created or removed. */
export interface Member {
  sub: string | null;
  email: string | null;
}

export type MembershipChange = 'add' | 'remove';

/** Long enough for a slow receiver, short enough that a hung one does not hold the delivery queue. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * The receiver refused or failed the change, or the webhook cannot be delivered as configured. The message is shown
 * to the team's administrators as the webhook's `last_error`: short, with the receiver's status and the start of
 * its error, never a secret.
 */
export class DeliveryFailed extends Error {
  constructor(
    message: string,
    /** The receiver's HTTP status, null when nothing was sent. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

const EXCERPT_LENGTH = 200;

function errorTextOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object') {
      const fields = parsed as Record<string, unknown>;
      // Matrix (client-server API "Standard error response") and SCIM (RFC 7644 §3.12) error bodies.
      if (typeof fields.error === 'string')
        return typeof fields.errcode === 'string' ? `${fields.errcode} ${fields.error}` : fields.error;
      if (typeof fields.detail === 'string') return fields.detail;
    }
  } catch {
    // Not JSON: the text itself.
  }
  return body;
}

/**
 * The start of what a receiver said about a failure, fit for `last_error`: one line, at most 200 characters, with
 * the secrets sent removed (a receiver may echo the Authorization header back).
 */
export function receiverSaid(body: string, secrets: (string | null)[]): string {
  let text = errorTextOf(body);
  for (const secret of secrets) if (secret) text = text.split(secret).join('[secret]');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  text = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH - 1)}…` : text;
}
