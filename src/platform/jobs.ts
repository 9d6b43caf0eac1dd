// Durable background jobs: enqueued in the caller's transaction (so nothing runs for a rolled-back request).
import type { Db } from './database.ts';
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
