// The one error family of the sign-in flow: each refusal carries its short code (shown to the browser as
// ?login_error=, answered to the provider as error_description) and its HTTP status where it answers directly.
import { HttpError } from '../../platform/errors.ts';

export type OidcErrorCode =
  | 'invalid_state'
  | 'invalid_token'
  | 'missing_claims'
  | 'account_disabled'
  | 'duplicate_email'
  | 'sub_mismatch'
  | 'staff_account'
  | 'organization_unknown'
  | 'organization_inactive'
  | 'user_creation_disabled'
  | 'provider_error'
  | 'provider_unavailable'
  | 'invalid_logout_token';

export class OidcError extends HttpError {
  constructor(
    readonly code: OidcErrorCode,
    message: string,
    readonly statusCode = 400,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A sign-in refused for a reason the user can be told (as the code) and the log records. */
export class LoginRefused extends OidcError {}

/** The provider did not answer, answered too late, or discovery is backing off: 503 outside the browser flow. */
export class ProviderUnavailable extends OidcError {
  constructor(cause?: unknown) {
    super('provider_unavailable', 'The identity provider is unavailable; try again shortly.', 503, { cause });
    // DESIGN.md §5, as every ServiceUnavailable.
    this.headers['retry-after'] = '5';
  }
}

/** OIDC Back-Channel Logout 1.0 §2.8: the provider is told why, as an OAuth error. */
export class InvalidLogoutToken extends OidcError {
  constructor(reason: string) {
    super('invalid_logout_token', reason);
    this.headers['cache-control'] = 'no-store';
  }
  override body(): Record<string, unknown> {
    return { error: 'invalid_request', error_description: `invalid logout token: ${this.message}` };
  }
}

/** OIDC_OP_USER_ENDPOINT_FORMAT=JSON and the provider answered a JWT. */
export class UnexpectedUserinfoFormat extends LoginRefused {
  constructor() {
    super(
      'invalid_token',
      'userinfo answered a JWT where JSON was configured (OIDC_OP_USER_ENDPOINT_FORMAT)',
    );
  }
}

const NETWORK_FAILURES = new Set(['TimeoutError', 'AbortError']);

/** A failure to reach the provider (timeout, refused connection), as opposed to an answer that failed a check. */
export function isNetworkFailure(err: unknown): boolean {
  if (err instanceof ProviderUnavailable) return true;
  const e = err as { name?: string; message?: string; cause?: { name?: string } } | null;
  return (
    NETWORK_FAILURES.has(e?.name ?? '') ||
    NETWORK_FAILURES.has(e?.cause?.name ?? '') ||
    (err instanceof TypeError && e?.message === 'fetch failed')
  );
}
