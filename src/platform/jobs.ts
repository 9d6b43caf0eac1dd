// Durable background jobs: enqueued in the caller's transaction (so nothing runs for a rolled-back request).
import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from './database.ts';
import { jobs } from './schema.ts';

export interface EnqueueOptions {
  runAt?: Date;
}

export async function enqueueJob(
  tx: Db,
  kind: string,
  payload: Record<string, unknown>,
  options: EnqueueOptions = {},
): Promise<void> {
  await tx.insert(jobs).values({ kind, payload, ...(options.runAt ? { runAt: options.runAt } : {}) });
}

/**
 * Queues a job of `kind` (one a unique index keeps to one pending row, e.g. the audit prune) unless one is pending:
 * one statement, and the index decides between pods starting together. True when this call queued it.
 */
export async function queueJobOnce(db: Db, kind: string, runAt: Date): Promise<boolean> {
  const result = await db.execute(sql`
    insert into ${jobs} (kind, payload, run_at) values (${kind}, '{}'::jsonb, ${runAt.toISOString()}::timestamptz)
    on conflict do nothing
    returning id`);
  return rowsOf(result).length > 0;
}
