// Retention of the audit log: events older than AUDIT_LOG_RETENTION_DAYS are deleted by a daily job of the queue.
import type { Config } from '../platform/config.ts';
import type { Database, Db } from '../platform/database.ts';
import type { JobHandler } from '../platform/job-queue.ts';
import { queueJobOnce } from '../platform/jobs.ts';
import { deleteAuditEventsBefore } from './queries.ts';

export const AUDIT_PRUNE_JOB = 'audit.prune';

const DAY_MS = 86_400_000;

/** Deletes the events older than `retentionDays` before `now`; returns how many went. */
export function pruneAuditLog(db: Db, retentionDays: number, now: Date): Promise<number> {
  return deleteAuditEventsBefore(db, new Date(now.getTime() - retentionDays * DAY_MS));
}

/**
 * Queues the prune for a day after `now`, unless one is already queued (a unique index allows one pending prune,
 * migration 0010). Call it at start: every pod does, and one job stays. True when this call queued it.
 */
export function scheduleAuditPrune(db: Db, now: Date): Promise<boolean> {
  return queueJobOnce(db, AUDIT_PRUNE_JOB, new Date(now.getTime() + DAY_MS));
}

/**
 * The job: prunes, then stays queued for tomorrow (the same row runs again), so the chain lives as long as the
 * queue runs and no second prune can be queued meanwhile.
 */
export function auditPruneJobHandler(
  database: Database,
  config: Config,
  now: () => number = Date.now,
): JobHandler {
  return async () => {
    const at = new Date(now());
    await pruneAuditLog(database.db, config.AUDIT_LOG_RETENTION_DAYS, at);
    return { runAgainAt: new Date(at.getTime() + DAY_MS) };
  };
}
