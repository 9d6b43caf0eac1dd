// The periodic status check (DESIGN.md §11): every MAIL_CHECK_DOMAIN_INTERVAL minutes one job, whatever the number of
// pods (a unique index keeps one queued), queues a check of each domain that has none waiting; each check is its own
// job, so one slow or failing domain never holds the others.
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import type { JobHandler } from '../platform/job-queue.ts';
import { queueJobOnce } from '../platform/jobs.ts';
import { MAIL_CHECK_JOB, MAIL_SYNC_JOB } from './platform.ts';
import { queueDomainChecks } from './queries.ts';

const intervalMs = (config: Config) => config.MAIL_CHECK_DOMAIN_INTERVAL * 60_000;

/** Queues the recurring check to run at `now` unless one is queued; every pod calls it at start. */
export function scheduleDomainChecks(database: Database, now: Date): Promise<boolean> {
  return queueJobOnce(database.db, MAIL_CHECK_JOB, now);
}

export function domainChecksJobHandler(
  database: Database,
  config: Config,
  now: () => number = Date.now,
): JobHandler {
  return async () => {
    const at = new Date(now());
    await queueDomainChecks(database.db, MAIL_SYNC_JOB, at);
    return { runAgainAt: new Date(at.getTime() + intervalMs(config)) };
  };
}
