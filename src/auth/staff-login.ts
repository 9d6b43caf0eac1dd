// POST /api/v1.0/login/: email + password login for staff accounts made with `desk createsuperuser`.
import { z } from 'zod';
import { recordAudit, recordCapped, requestOrigin, userParty } from '../audit/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import { BadRequest } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { requiredText } from '../platform/input.ts';
import type { KeyValueStore } from '../platform/kv.ts';
import type { Metrics } from '../platform/metrics.ts';
import { forgetAttempts, takeAttempt } from '../platform/throttle.ts';
import {
  findPasswordUserByEmail,
  meSchema,
  recordLogin,
  replacePasswordHash,
  serializeMe,
} from '../users/index.ts';
import { hashPassword, passwordNeedsRehash, verifyPassword } from './passwords.ts';
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
  metrics: Metrics;
}

const credentials = z.strictObject({
  email: requiredText(254),
  password: z.string().min(1).max(1024),
});

export function staffLoginRoute(app: App, { config, database, kv, sessions, metrics }: StaffLoginDeps): void {
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
      if (!user || !valid || !user.mayAct) {
        request.log.info({ event: 'staff_login_failed' }, 'staff login refused');
        metrics.loginFailed('password', 'invalid_credentials');
        // The email typed is the target (not a secret; the password never is written anywhere).
        await recordCapped(
          database.db,
          kv,
          {
            event: 'login.failed',
            actor: { type: 'system', id: null, label: 'anonymous' },
            target: { type: 'user', id: user?.id ?? null, label: email },
            details: { method: 'password', reason: 'invalid_credentials' },
            ...requestOrigin(request),
          },
          { log: request.log },
        );
        // One answer for unknown email, wrong password and disabled account: no account enumeration.
        throw new BadRequest('Invalid email or password.');
      }
      // Only failures should stay counted: an office of agents behind one address logs in all morning.
      await Promise.all([forgetAttempts(kv, accountKey), forgetAttempts(kv, addressKey)]);
      // A Django hash from people (DESIGN.md §10) is replaced at its first successful login, while the password is
      // at hand; computed before the transaction so no connection waits on argon2.
      const verifiedHash = user.password;
      const rehashed =
        verifiedHash && passwordNeedsRehash(verifiedHash) ? await hashPassword(password) : undefined;

      // A new id at login (session fixation): whatever session the browser had ends here.
      if (request.session) await sessions.destroy(request.session);
      // The login, its event and the session together: if the session cannot be opened, neither is written.
      const session = await database.db.transaction(async (tx) => {
        await recordLogin(tx, user.id);
        if (verifiedHash && rehashed) await replacePasswordHash(tx, user.id, verifiedHash, rehashed);
        await recordAudit(tx, {
          event: 'login.succeeded',
          actor: userParty(user),
          target: userParty(user),
          details: { method: 'password' },
          ...requestOrigin(request),
        });
        return sessions.create(user.id);
      });
      setSessionCookie(reply, config, session);
      metrics.loginSucceeded('password');
      return serializeMe(user, config);
    },
  );
}
