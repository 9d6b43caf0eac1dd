// Retention of the audit log: events older than AUDIT_LOG_RETENTION_DAYS are deleted by a daily job of the queue.
import type { Config } from '../platform/config.ts';
import type { Database, Db } from '../platform/database.ts';
import type { JobHandler } from '../platform/job-queue.ts';
import { deleteAuditEventsBefore, enqueueUnlessPending } from './queries.ts';

export const AUDIT_PRUNE_JOB = 'audit.prune';

const DAY_MS = 86_400_000;

/** Deletes the events older than `retentionDays` before `now`; returns how many went. */
export function pruneAuditLog(db: Db, retentionDays: number, now: Date): Promise<number> {
  return deleteAuditEventsBefore(db, new Date(now.getTime() - retentionDays * DAY_MS));
}

/**
 * Enqueues the next prune a day after `now`, unless one is already pending (`except`: the job running now, which is
 * still pending until it returns). Call it at start: every pod does, and one job stays.
 */
export function scheduleAuditPrune(db: Db, now: Date, except?: string): Promise<boolean> {
  return enqueueUnlessPending(db, AUDIT_PRUNE_JOB, new Date(now.getTime() + DAY_MS), except);
}

/** The job: prunes, then enqueues tomorrow's run, so the chain lives as long as the queue runs. */
export function auditPruneJobHandler(
  database: Database,
  config: Config,
  now: () => number = Date.now,
): JobHandler {
  return async (_payload, job) => {
    const at = new Date(now());
    await pruneAuditLog(database.db, config.AUDIT_LOG_RETENTION_DAYS, at);
    await scheduleAuditPrune(database.db, at, job.id);
  };
}
