// POST (GET if allowed) /api/v1.0/logout/: ends the session and sends the browser to LOGOUT_REDIRECT_URL.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config.ts';
import type { App } from '../platform/http.ts';
import { clearSessionCookie } from './session-auth.ts';
import type { SessionStore } from './sessions.ts';

export interface LogoutDeps {
  config: Config;
  sessions: SessionStore;
}

export function logoutRoute(app: App, { config, sessions }: LogoutDeps): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.session) await sessions.destroy(request.session);
    clearSessionCookie(reply, config);
    return reply.redirect(config.LOGOUT_REDIRECT_URL, 302);
  };
  const methods = config.ALLOW_LOGOUT_GET_METHOD ? (['POST', 'GET'] as const) : (['POST'] as const);
  app.route({
    method: [...methods],
    url: '/api/v1.0/logout/',
    schema: { tags: ['auth'], summary: 'Log out' },
    handler,
  });
}
