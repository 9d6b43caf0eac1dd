// GET /api/v1.0/logout-callback/: the provider is done; check the state and end the session.
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { BadRequest } from '../../platform/errors.ts';
import type { App } from '../../platform/http.ts';
import { clearSessionCookie } from '../session-auth.ts';
import { LOGOUT_CALLBACK_PATH, type OidcDeps } from './deps.ts';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function logoutCallbackRoute(app: App, { config, sessions }: OidcDeps): void {
  app.get(
    LOGOUT_CALLBACK_PATH,
    {
      schema: {
        tags: ['auth'],
        summary: 'Where the provider sends the browser back after logout',
        querystring: z.object({ state: z.string().max(256).optional() }),
      },
    },
    async (request, reply) => {
      const { state } = request.query;
      const session = request.session;
      if (!state) {
        request.log.info('logout callback without state');
        return reply.redirect(config.LOGOUT_REDIRECT_URL, 302);
      }
      if (!session?.data.logoutState || !same(session.data.logoutState, state))
        throw new BadRequest('The logout state does not match this session.');
      await sessions.destroy(session);
      clearSessionCookie(reply, config);
      return reply.redirect(config.LOGOUT_REDIRECT_URL, 302);
    },
  );
}
