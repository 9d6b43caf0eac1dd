// POST /api/v1.0/backchannel-logout/: OIDC Back-Channel Logout 1.0, ending that sub's or sid's sessions on every pod.
import { createHash } from 'node:crypto';
import { jwtVerify } from 'jose';
import { z } from 'zod';
import { recordAudit, requestOrigin, userParty } from '../../audit/index.ts';
import type { App } from '../../platform/http.ts';
import { findUserBySub } from '../../users/index.ts';
import type { OidcDeps } from './deps.ts';
import { InvalidLogoutToken } from './errors.ts';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export function backchannelLogoutRoute(
  app: App,
  { config, database, kv, sessions, provider }: OidcDeps,
): void {
  app.post(
    '/api/v1.0/backchannel-logout/',
    {
      schema: {
        tags: ['auth'],
        summary: 'OIDC Back-Channel Logout 1.0',
        body: z.object({ logout_token: z.string().min(1).max(16_384) }),
      },
    },
    async (request, reply) => {
      await provider.get();
      let payload: Record<string, unknown>;
      try {
        const verified = await jwtVerify(request.body.logout_token, provider.jwks(), {
          issuer: provider.issuer,
          audience: config.OIDC_RP_CLIENT_ID,
          algorithms: [config.OIDC_RP_SIGN_ALGO],
          clockTolerance: config.OIDC_JWT_LEEWAY,
          requiredClaims: ['iat', 'jti', 'events'],
        });
        payload = verified.payload;
        const typ = verified.protectedHeader.typ;
        if (
          typ !== undefined &&
          typ.toLowerCase() !== 'logout+jwt' &&
          typ.toLowerCase() !== 'application/logout+jwt'
        )
          throw new InvalidLogoutToken(`unexpected typ ${typ}`);
        const events = payload.events as Record<string, unknown> | undefined;
        if (
          !events ||
          typeof events !== 'object' ||
          typeof events[EVENT] !== 'object' ||
          events[EVENT] === null
        )
          throw new InvalidLogoutToken('events claim lacks the back-channel logout event');
        if ('nonce' in payload) throw new InvalidLogoutToken('a logout token must not carry a nonce');
        if (typeof payload.sub !== 'string' && typeof payload.sid !== 'string')
          throw new InvalidLogoutToken('a logout token needs sub or sid');
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        request.log.warn({ event: 'backchannel_logout_refused' }, `logout token refused: ${message}`);
        throw err instanceof InvalidLogoutToken ? err : new InvalidLogoutToken(message);
      }

      // Replay guard shared by every pod: a jti is accepted once while the token could still be valid.
      const jtiKey = createHash('sha256')
        .update(`${provider.issuer}\n${String(payload.jti)}`)
        .digest('base64url');
      const exp = typeof payload.exp === 'number' ? payload.exp * 1000 : Date.now();
      const ttl = Math.max(exp - Date.now() + config.OIDC_JWT_LEEWAY * 1000, 10 * 60_000);
      if (!(await kv.setIfAbsent(`bcl-jti:${jtiKey}`, '1', ttl)))
        throw new InvalidLogoutToken('already used');

      let ended = 0;
      // The user is looked up for the audit target too when the token names both sid and sub.
      const user =
        typeof payload.sub === 'string' ? await findUserBySub(database.db, payload.sub) : undefined;
      if (typeof payload.sid === 'string') ended += await sessions.destroyAllForProviderSession(payload.sid);
      else if (user) ended += await sessions.destroyAllForUser(user.id);
      request.log.info({ event: 'backchannel_logout', ended }, 'back-channel logout');
      // Never the sid nor the token: how many sessions ended, and by which claim.
      await recordAudit(database.db, {
        event: 'session.ended_by_provider',
        actor: { type: 'system', id: null, label: provider.issuer },
        ...(user ? { target: userParty(user) } : {}),
        details: { ended, by: typeof payload.sid === 'string' ? 'sid' : 'sub' },
        ...requestOrigin(request),
      });
      return reply.code(200).header('cache-control', 'no-store').send();
    },
  );
}
