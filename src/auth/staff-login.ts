// POST /api/v1.0/login/: email + password login for staff accounts made with `desk createsuperuser`.
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import { BadRequest } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { requiredText } from '../platform/input.ts';
import type { KeyValueStore } from '../platform/kv.ts';
import { forgetAttempts, takeAttempt } from '../platform/throttle.ts';
import { findPasswordUserByEmail, meSchema, recordLogin, serializeMe } from '../users/index.ts';
import { verifyPassword } from './passwords.ts';
import { setSessionCookie } from './session-auth.ts';
import type { SessionStore } from './sessions.ts';

/** Attempts allowed per account (or per unknown email) before a pause; a success gives them back. */
export const LOGIN_FAILURES_PER_EMAIL = { count: 5, periodMs: 5 * 60_000 };
/** Attempts allowed per client address: higher, since many agents share one address behind a NAT. */
export const LOGIN_FAILURES_PER_ADDRESS = { count: 20, periodMs: 5 * 60_000 };

export interface StaffLoginDeps {
  config: Config;
  database: Database;
  kv: KeyValueStore;
  sessions: SessionStore;
}

const credentials = z.strictObject({
  email: requiredText(254),
  password: z.string().min(1).max(1024),
});

export function staffLoginRoute(app: App, { config, database, kv, sessions }: StaffLoginDeps): void {
  app.post(
    '/api/v1.0/login/',
    {
      schema: {
        tags: ['auth'],
        summary: 'Staff login with email and password',
        body: credentials,
        response: { 200: meSchema },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const addressKey = `login:ip:${request.ip}`;
      await takeAttempt(kv, addressKey, LOGIN_FAILURES_PER_ADDRESS);
      // The account the database matches is what is limited, whichever spelling of its email is tried (the database
      // folds case, not JavaScript: "admİn@" and "ADMIN@" count against the same account).
      const user = await findPasswordUserByEmail(database.db, email);
      const accountKey = user ? `login:user:${user.id}` : `login:email:${email}`;
      await takeAttempt(kv, accountKey, LOGIN_FAILURES_PER_EMAIL);
      const valid = await verifyPassword(user?.password, password);
      if (!user || !valid || !user.isActive) {
        request.log.info({ event: 'staff_login_failed' }, 'staff login refused');
        // One answer for unknown email, wrong password and disabled account: no account enumeration.
        throw new BadRequest('Invalid email or password.');
      }
      // Only failures should stay counted: an office of agents behind one address logs in all morning.
      await Promise.all([forgetAttempts(kv, accountKey), forgetAttempts(kv, addressKey)]);

      // A new id at login (session fixation): whatever session the browser had ends here.
      if (request.session) await sessions.destroy(request.session);
      const session = await sessions.create(user.id);
      await recordLogin(database.db, user.id);
      setSessionCookie(reply, config, session);
      return serializeMe(user, config);
    },
  );
}
