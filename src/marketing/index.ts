// Onboarding of new users: a durable job per user created at sign-in, so sign-in never waits on or fails for it.
import { type Config, ConfigError } from '../platform/config.ts';
import type { Database, Db } from '../platform/database.ts';
import { enqueueJob } from '../platform/jobs.ts';
import { findActiveUserById, type User } from '../users/index.ts';
import type { MarketingBackend } from './backend.ts';
import { BrevoBackend, brevoParameters } from './brevo.ts';
import { DummyBackend } from './dummy.ts';

export type { MarketingBackend, MarketingContact } from './backend.ts';
export { MarketingFailure } from './backend.ts';

export const MARKETING_JOB = 'marketing_signup';

export function createMarketingBackend(config: Config): MarketingBackend {
  if (config.LASUITE_MARKETING_BACKEND !== 'brevo') return new DummyBackend();
  const parameters = brevoParameters.safeParse(config.LASUITE_MARKETING_PARAMETERS);
  if (!parameters.success)
    throw new ConfigError(
      parameters.error.issues.map((issue) => ({
        name: 'LASUITE_MARKETING_PARAMETERS',
        received: '***',
        expected: `${issue.path.join('.') || 'value'}: ${issue.message}`,
      })),
    );
  return new BrevoBackend(parameters.data);
}

/** Lifecycle hook: queues the onboarding of a new user; the payload holds the user id, never the email. */
export function queueSignup(config: Config) {
  return async (tx: Db, user: User): Promise<void> => {
    if (config.SIGNUP_NEW_USER_TO_MARKETING_EMAIL && user.email)
      await enqueueJob(tx, MARKETING_JOB, { userId: user.id });
  };
}

/** The job: looks the user up at run time (a deleted or disabled user is not sent) and registers them. */
export function marketingJobHandler(backend: MarketingBackend, database: Database) {
  return async (payload: Record<string, unknown>): Promise<void> => {
    const user =
      typeof payload.userId === 'string' ? await findActiveUserById(database.db, payload.userId) : undefined;
    if (!user?.email) return;
    await backend.signup({ email: user.email });
  };
}
