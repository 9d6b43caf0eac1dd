// Runs durable jobs (mail outbox, onboarding): claims due jobs under a lease so several pods never run one twice, retries with backoff.
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from './database.ts';
import type { Job } from './schema.ts';

export type JobHandler = (payload: Record<string, unknown>, job: Job) => Promise<void>;

export interface JobQueueOptions {
  pollMs?: number;
  batch?: number;
  /** How long a claimed job stays with its worker; after that another worker may take it (crash recovery). */
  leaseMs?: number;
  maxAttempts?: number;
  /** Bound on one handler call. */
  timeoutMs?: number;
  now?: () => number;
  log?: FastifyBaseLogger;
}

/** Retry pause after the n-th failed attempt: 5 s, 10 s, 20 s … capped at one hour. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

interface ClaimedRow {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
}

function rowsOf<T>(result: unknown): T[] {
  // postgres.js answers an array of rows; PGlite an object with `rows`.
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

export class JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;
  private readonly options: Required<Omit<JobQueueOptions, 'log'>> & { log?: FastifyBaseLogger };

  constructor(
    private readonly database: Database,
    options: JobQueueOptions = {},
  ) {
    this.options = {
      pollMs: 1_000,
      batch: 10,
      leaseMs: 60_000,
      maxAttempts: 8,
      timeoutMs: 30_000,
      now: Date.now,
      ...options,
    };
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  get kinds(): string[] {
    return [...this.handlers.keys()];
  }

  private at(offsetMs = 0): string {
    return new Date(this.options.now() + offsetMs).toISOString();
  }

  /** Claims the due jobs this queue has handlers for; SKIP LOCKED keeps concurrent workers apart. */
  private async claim(): Promise<ClaimedRow[]> {
    const kinds = this.kinds;
    if (!kinds.length) return [];
    const now = this.at();
    const result = await this.database.db.execute(sql`
      update jobs set locked_until = ${this.at(this.options.leaseMs)}::timestamptz, attempts = attempts + 1
      where id in (
        select id from jobs
        where status = 'pending' and run_at <= ${now}::timestamptz
          and (locked_until is null or locked_until < ${now}::timestamptz)
          and kind in (${sql.join(
            kinds.map((k) => sql`${k}`),
            sql`, `,
          )})
        order by run_at
        limit ${this.options.batch}
        for update skip locked)
      returning id, kind, payload, attempts`);
    return rowsOf<ClaimedRow>(result);
  }

  private async runOne(row: ClaimedRow): Promise<void> {
    const handler = this.handlers.get(row.kind);
    if (!handler) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        handler(row.payload, row as unknown as Job),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`timed out after ${this.options.timeoutMs} ms`)),
            this.options.timeoutMs,
          );
        }),
      ]);
      await this.database.db.execute(
        sql`update jobs set status = 'done', done_at = ${this.at()}::timestamptz, locked_until = null, last_error = null where id = ${row.id}`,
      );
    } catch (err) {
      // The message only: payloads hold addresses that must not reach logs or the table's error column.
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      const failed = row.attempts >= this.options.maxAttempts;
      await this.database.db.execute(sql`
        update jobs set status = ${failed ? 'failed' : 'pending'}, locked_until = null, last_error = ${message},
          run_at = ${this.at(backoffMs(row.attempts))}::timestamptz
        where id = ${row.id}`);
      this.options.log?.warn(
        { job: row.id, kind: row.kind, attempts: row.attempts, failed },
        `job failed: ${message}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs the jobs due now, once; returns how many ran. */
  async runOnce(): Promise<number> {
    const rows = await this.claim();
    for (const row of rows) await this.runOne(row);
    return rows.length;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      this.running = this.runOnce().catch((err: unknown) => {
        this.options.log?.warn({ err }, 'job queue poll failed');
        return 0;
      });
      const ran = await this.running;
      this.running = undefined;
      // A full batch means more may be waiting: poll again at once.
      if (!this.stopped) this.timer = setTimeout(tick, ran >= this.options.batch ? 0 : this.options.pollMs);
      this.timer?.unref();
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
