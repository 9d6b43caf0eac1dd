// POST /api/v1.0/login/: email + password login for staff accounts made with `desk createsuperuser`.
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import { BadRequest } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import type { KeyValueStore } from '../platform/kv.ts';
import { countFailure, refuseWhenExhausted } from '../platform/throttle.ts';
import { findPasswordUserByEmail, meSchema, recordLogin, serializeMe } from '../users/index.ts';
import { verifyPassword } from './passwords.ts';
import { setSessionCookie } from './session-auth.ts';
import type { SessionStore } from './sessions.ts';

/** Failures allowed per email before a pause. */
export const LOGIN_FAILURES_PER_EMAIL = { count: 5, periodMs: 5 * 60_000 };
/** Failures allowed per client address: higher, since many agents share one address behind a NAT. */
export const LOGIN_FAILURES_PER_ADDRESS = { count: 20, periodMs: 5 * 60_000 };

export interface StaffLoginDeps {
  config: Config;
  database: Database;
  kv: KeyValueStore;
  sessions: SessionStore;
}

const credentials = z.strictObject({
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(1024),
});

export function staffLoginRoute(app: App, { config, database, kv, sessions }: StaffLoginDeps): void {
  app.post(
    '/api/v1.0/login/',
    {
      config: { csrf: true },
      schema: {
        tags: ['auth'],
        summary: 'Staff login with email and password',
        body: credentials,
        response: { 200: meSchema },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const limits = [
        [`login:email:${email.trim().toLowerCase()}`, LOGIN_FAILURES_PER_EMAIL],
        [`login:ip:${request.ip}`, LOGIN_FAILURES_PER_ADDRESS],
      ] as const;
      for (const [key, rate] of limits) await refuseWhenExhausted(kv, key, rate);

      const user = await findPasswordUserByEmail(database.db, email.trim());
      const valid = await verifyPassword(user?.password, password);
      if (!user || !valid || !user.isActive) {
        for (const [key, rate] of limits) await countFailure(kv, key, rate);
        request.log.info({ event: 'staff_login_failed' }, 'staff login refused');
        // One answer for unknown email, wrong password and disabled account: no account enumeration.
        throw new BadRequest('Invalid email or password.');
      }

      // A new id at login (session fixation): whatever session the browser had ends here.
      if (request.session) await sessions.destroy(request.session);
      const session = await sessions.create(user.id);
      await recordLogin(database.db, user.id);
      setSessionCookie(reply, config, session);
      return serializeMe(user, config);
    },
  );
}
