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
  | 'organization_mismatch'
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

/** What a call that never got an answer throws: fetch's and openid-client's timeouts and aborts. */
const UNANSWERED_NAMES = new Set(['TimeoutError', 'AbortError']);
const UNANSWERED_CODES = new Set(['OAUTH_TIMEOUT', 'OAUTH_ABORT', 'ERR_JWKS_TIMEOUT']);

/**
 * Why a connection failed, as Node and undici name it: system errors (ECONNREFUSED, ENOTFOUND, ETIMEDOUT…),
 * undici's own (UND_ERR_CONNECT_TIMEOUT, UND_ERR_SOCKET…) and TLS failures (ERR_TLS_…, CERT_HAS_EXPIRED…).
 */
function isConnectionCode(code: string): boolean {
  return /^E[A-Z]+$/.test(code) || /^(UND_ERR_|ERR_TLS_|ERR_SSL_)/.test(code) || code.includes('CERT');
}

/**
 * A failure to reach the provider (refused or broken connection, timeout, a 5xx answer), as opposed to an answer
 * that failed a check: told by the error's type and its causes (fetch wraps the socket's error, openid-client wraps
 * timeouts and answers it could not use), never by a message.
 */
export function isNetworkFailure(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    if (current instanceof ProviderUnavailable) return true;
    const { name, code, status, cause } = current as {
      name?: unknown;
      code?: unknown;
      status?: unknown;
      cause?: unknown;
    };
    if (typeof name === 'string' && UNANSWERED_NAMES.has(name)) return true;
    if (typeof code === 'string' && (UNANSWERED_CODES.has(code) || isConnectionCode(code))) return true;
    // An answer the provider could not give (a ResponseBodyError, or the Response openid-client refused).
    if (typeof status === 'number' && status >= 500) return true;
    current = cause;
  }
  return false;
}
