// GET /api/v1.0/callback/: ends a login: state first, then tokens, ID token and userinfo checks, user matching, a new
// session. Every refusal, a provider that does not answer included, ends the same way: a redirect naming the reason.
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { recordAudit, recordCapped, requestOrigin, userParty } from '../../audit/index.ts';
import type { App } from '../../platform/http.ts';
import { recordLogin } from '../../users/index.ts';
import { setSessionCookie } from '../session-auth.ts';
import { CALLBACK_PATH, type OidcDeps } from './deps.ts';
import { isNetworkFailure, LoginRefused, OidcError, ProviderUnavailable } from './errors.ts';
import { BROWSER_COOKIE, type LoginTransaction, takeTransaction } from './transactions.ts';
import { type Claims, checkEssentialClaims, matchUser } from './user-matching.ts';

/** What the provider's answers say about the agent, once every check passed. */
interface VerifiedLogin {
  claims: Claims;
  idToken: string | undefined;
}

type Attempt = LoginTransaction & { state: string };

const SILENT_ERRORS = new Set(['login_required', 'interaction_required', 'consent_required']);

/** Step 1. DESIGN.md §5: the state must match a pending attempt of this browser before the provider is asked. */
async function pendingAttempt(request: FastifyRequest, { kv }: OidcDeps): Promise<Attempt> {
  const state = (request.query as Record<string, unknown>).state;
  if (typeof state !== 'string' || !state)
    throw new LoginRefused('invalid_state', 'no state in the callback');
  const tx = await takeTransaction(kv, state);
  if (!tx) throw new LoginRefused('invalid_state', 'unknown, expired or already used state');
  if (tx.browser !== request.cookies[BROWSER_COOKIE])
    throw new LoginRefused('invalid_state', 'the login was started in another browser');
  return { ...tx, state };
}

/** Step 2. The code for tokens, the ID token and userinfo verified (openid-client), essential claims present. */
async function verifiedLogin(
  request: FastifyRequest,
  attempt: Attempt,
  { config, provider }: OidcDeps,
): Promise<VerifiedLogin> {
  try {
    const configuration = await provider.get();
    const tokens = await oidc.authorizationCodeGrant(
      configuration,
      new URL(request.url, config.PUBLIC_URL),
      {
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
        ...(attempt.codeVerifier ? { pkceCodeVerifier: attempt.codeVerifier } : {}),
      },
      { redirect_uri: `${config.PUBLIC_URL}${CALLBACK_PATH}` },
    );
    const idClaims = tokens.claims();
    if (!idClaims) throw new LoginRefused('invalid_token', 'no ID token');
    const userinfo = configuration.serverMetadata().userinfo_endpoint
      ? await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub)
      : {};
    const claims: Claims = {
      ...(userinfo as Record<string, unknown>),
      sub: idClaims.sub,
      ...(idClaims.sid ? { sid: idClaims.sid } : {}),
    };
    checkEssentialClaims(claims, config.OIDC_USERINFO_ESSENTIAL_CLAIMS);
    return { claims, idToken: tokens.id_token };
  } catch (err) {
    if (err instanceof OidcError) throw err;
    if (isNetworkFailure(err)) throw new ProviderUnavailable(err);
    const message = err instanceof Error ? err.message : String(err);
    throw new LoginRefused('invalid_token', `the provider's answer failed verification: ${message}`);
  }
}

/** Step 3. The user is written only if the session can be opened too: a failure leaves nothing behind. */
async function openSession(request: FastifyRequest, { claims, idToken }: VerifiedLogin, deps: OidcDeps) {
  const { config, database, sessions, lifecycle } = deps;
  return database.db.transaction(async (tx) => {
    const user = await matchUser(tx, claims, config, lifecycle, requestOrigin(request));
    await recordLogin(tx, user.id);
    await recordAudit(tx, {
      event: 'login.succeeded',
      actor: userParty(user),
      target: userParty(user),
      details: { method: 'oidc' },
      ...requestOrigin(request),
    });
    if (request.session) await sessions.destroy(request.session);
    return sessions.create(user.id, {
      ...(idToken ? { idToken } : {}),
      oidcSub: claims.sub,
      ...(typeof claims.sid === 'string' ? { oidcSid: claims.sid } : {}),
    });
  });
}

export function callbackRoute(app: App, deps: OidcDeps): void {
  const { config, database, kv, metrics } = deps;

  const refused = async (request: FastifyRequest, reply: FastifyReply, err: OidcError) => {
    // One line saying why; never tokens, codes or claims.
    request.log.warn({ event: 'oidc_login_refused', code: err.code }, `login refused: ${err.message}`);
    metrics.loginFailed('oidc', err.code);
    // The short code only: messages may quote what the provider answered.
    await recordCapped(
      database.db,
      kv,
      {
        event: 'login.failed',
        actor: { type: 'system', id: null, label: 'anonymous' },
        details: { method: 'oidc', code: err.code },
        ...requestOrigin(request),
      },
      { log: request.log },
    );
    const target = new URL(config.LOGIN_REDIRECT_URL_FAILURE, config.PUBLIC_URL);
    target.searchParams.set('login_error', err.code);
    const relative =
      config.LOGIN_REDIRECT_URL_FAILURE.startsWith('/') &&
      !config.LOGIN_REDIRECT_URL_FAILURE.startsWith('//');
    return reply.redirect(relative ? `${target.pathname}${target.search}` : target.href, 302);
  };

  app.get(
    CALLBACK_PATH,
    { schema: { tags: ['auth'], summary: 'Where the provider sends the browser back after login' } },
    async (request, reply) => {
      try {
        const attempt = await pendingAttempt(request, deps);
        const providerError = (request.query as Record<string, unknown>).error;
        if (typeof providerError === 'string') {
          // Silent login found no provider session: back to the app, quietly.
          if (attempt.silent && SILENT_ERRORS.has(providerError))
            return reply.redirect(attempt.next ?? config.LOGIN_REDIRECT_URL, 302);
          throw new LoginRefused('provider_error', `the provider answered ${providerError.slice(0, 64)}`);
        }
        const login = await verifiedLogin(request, attempt, deps);
        setSessionCookie(reply, config, await openSession(request, login, deps));
        metrics.loginSucceeded('oidc');
        return reply.redirect(attempt.next ?? config.LOGIN_REDIRECT_URL, 302);
      } catch (err) {
        if (err instanceof OidcError) return refused(request, reply, err);
        throw err;
      }
    },
  );
}
