// GET /api/v1.0/callback/: ends a login: state first, then tokens, ID token and userinfo checks, user matching, a new session.
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import type { App } from '../../platform/http.ts';
import { recordLogin } from '../../users/index.ts';
import { setSessionCookie } from '../session-auth.ts';
import { CALLBACK_PATH, type OidcDeps } from './deps.ts';
import { ProviderUnavailable } from './provider.ts';
import { takeTransaction } from './transactions.ts';
import { type Claims, checkEssentialClaims, LoginRefused, matchUser } from './user-matching.ts';

function isNetworkFailure(err: unknown): boolean {
  if (err instanceof ProviderUnavailable) return true;
  const name = (err as { name?: string; cause?: { name?: string } } | null)?.name;
  const causeName = (err as { cause?: { name?: string; code?: string } } | null)?.cause?.name;
  return (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    causeName === 'TimeoutError' ||
    causeName === 'AbortError' ||
    (err instanceof TypeError && err.message === 'fetch failed')
  );
}

export function callbackRoute(app: App, deps: OidcDeps): void {
  const { config, database, kv, sessions, provider, lifecycle } = deps;

  const fail = (request: FastifyRequest, reply: FastifyReply, code: string, reason: string) => {
    // One line saying why; never tokens, codes or claims.
    request.log.warn({ event: 'oidc_login_refused', code }, `login refused: ${reason}`);
    const target = new URL(config.LOGIN_REDIRECT_URL_FAILURE, config.PUBLIC_URL);
    target.searchParams.set('login_error', code);
    const relative =
      config.LOGIN_REDIRECT_URL_FAILURE.startsWith('/') &&
      !config.LOGIN_REDIRECT_URL_FAILURE.startsWith('//');
    return reply.redirect(relative ? `${target.pathname}${target.search}` : target.href, 302);
  };

  app.get(
    CALLBACK_PATH,
    {
      schema: {
        tags: ['auth'],
        summary: 'Where the provider sends the browser back after login',
        hide: false,
      },
    },
    async (request, reply) => {
      const params = request.query as Record<string, unknown>;
      const state = typeof params.state === 'string' ? params.state : '';
      if (!state) return fail(request, reply, 'invalid_state', 'no state in the callback');
      // DESIGN.md §5: the state must match a pending attempt before anything is asked of the provider.
      const tx = await takeTransaction(kv, state);
      if (!tx) return fail(request, reply, 'invalid_state', 'unknown, expired or already used state');
      if (tx.browser !== request.cookies.desk_oidc_browser)
        return fail(request, reply, 'invalid_state', 'the login was started in another browser');

      if (typeof params.error === 'string') {
        if (
          tx.silent &&
          ['login_required', 'interaction_required', 'consent_required'].includes(params.error)
        ) {
          // Silent login found no provider session: back to the app, quietly.
          return reply.redirect(tx.next ?? config.LOGIN_REDIRECT_URL, 302);
        }
        return fail(request, reply, 'provider_error', `the provider answered ${params.error.slice(0, 64)}`);
      }

      let claims: Claims;
      let idToken: string | undefined;
      try {
        const configuration = await provider.get();
        const currentUrl = new URL(request.url, config.PUBLIC_URL);
        const tokens = await oidc.authorizationCodeGrant(
          configuration,
          currentUrl,
          {
            expectedState: state,
            expectedNonce: tx.nonce,
            idTokenExpected: true,
            ...(tx.codeVerifier ? { pkceCodeVerifier: tx.codeVerifier } : {}),
          },
          { redirect_uri: `${config.PUBLIC_URL}${CALLBACK_PATH}` },
        );
        const idClaims = tokens.claims();
        if (!idClaims) throw new LoginRefused('invalid_token', 'no ID token');
        idToken = tokens.id_token;
        const userinfo = configuration.serverMetadata().userinfo_endpoint
          ? await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub)
          : {};
        claims = {
          ...(userinfo as Record<string, unknown>),
          sub: idClaims.sub,
          ...(idClaims.sid ? { sid: idClaims.sid } : {}),
        };
        checkEssentialClaims(claims, config.OIDC_USERINFO_ESSENTIAL_CLAIMS);
      } catch (err) {
        if (err instanceof LoginRefused) return fail(request, reply, err.code, err.message);
        if (isNetworkFailure(err))
          throw err instanceof ProviderUnavailable ? err : new ProviderUnavailable(err);
        const message = err instanceof Error ? err.message : String(err);
        return fail(request, reply, 'invalid_token', `the provider's answer failed verification: ${message}`);
      }

      try {
        // The user is written only if the session can be opened too: a failure leaves nothing behind.
        const session = await database.db.transaction(async (tx) => {
          const user = await matchUser(tx, claims, config, lifecycle);
          await recordLogin(tx, user.id);
          if (request.session) await sessions.destroy(request.session);
          return sessions.create(user.id, {
            ...(idToken ? { idToken } : {}),
            oidcSub: claims.sub,
            ...(typeof claims.sid === 'string' ? { oidcSid: claims.sid } : {}),
          });
        });
        setSessionCookie(reply, config, session);
      } catch (err) {
        if (err instanceof LoginRefused) return fail(request, reply, err.code, err.message);
        throw err;
      }
      return reply.redirect(tx.next ?? config.LOGIN_REDIRECT_URL, 302);
    },
  );
}
