// POST (GET if allowed) /api/v1.0/logout/: the ProConnect way, through the provider's end-session endpoint.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { recordAudit, requestOrigin, userParty } from '../../audit/index.ts';
import type { App } from '../../platform/http.ts';
import { clearSessionCookie } from '../session-auth.ts';
import { LOGOUT_CALLBACK_PATH, type OidcDeps } from './deps.ts';

export function logoutRoute(app: App, { config, database, sessions, provider }: OidcDeps): void {
  /**
   * Written when the session stops authenticating: here, also on the provider's way (the callback only removes a
   * session that already authenticates nothing, and a browser that never comes back still logged out). Before the
   * change, so a database that cannot take the event fails the logout rather than leave it unrecorded.
   */
  const recordLogout = async (request: FastifyRequest, via: 'local' | 'provider') => {
    if (!request.user) return;
    await recordAudit(database.db, {
      event: 'logout',
      actor: userParty(request.user),
      target: userParty(request.user),
      details: { via },
      ...requestOrigin(request),
    });
  };

  const localLogout = async (request: FastifyRequest, reply: FastifyReply) => {
    await recordLogout(request, 'local');
    if (request.session) await sessions.destroy(request.session);
    clearSessionCookie(reply, config);
    return reply.redirect(config.LOGOUT_REDIRECT_URL, 302);
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const session = request.session;
    if (!session?.data.idToken || !provider.configured) return localLogout(request, reply);
    let endSession: string | undefined;
    try {
      endSession = (await provider.get()).serverMetadata().end_session_endpoint;
    } catch (err) {
      request.log.warn({ err }, 'provider unavailable at logout: logging out locally only');
    }
    if (!endSession) return localLogout(request, reply);

    // The session stays only to check the provider's answer; from now on it authenticates nothing.
    const state = randomBytes(32).toString('base64url');
    await recordLogout(request, 'provider');
    await sessions.update(session, { loggingOut: true, logoutState: state });
    const configuration = await provider.get();
    const url = oidc.buildEndSessionUrl(configuration, {
      id_token_hint: session.data.idToken,
      state,
      post_logout_redirect_uri: `${config.PUBLIC_URL}${LOGOUT_CALLBACK_PATH}`,
    });
    return reply.redirect(url.href, 302);
  };

  app.route({
    method: config.ALLOW_LOGOUT_GET_METHOD ? ['POST', 'GET'] : ['POST'],
    url: '/api/v1.0/logout/',
    schema: { tags: ['auth'], summary: 'Log out (at the provider too when signed in through it)' },
    handler,
  });
}
