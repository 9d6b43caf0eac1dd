// Runs durable jobs (mail outbox, onboarding): claims due jobs one at a time under a lease so several pods never run one twice, retries with backoff.
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { type Database, rowsOf } from './database.ts';
import type { Job } from './schema.ts';

/** What a handler may return when its run succeeded. */
export interface JobOutcome {
  /**
   * Keeps the job queued for another run then (a recurring job, such as the daily audit prune, is one row that
   * never leaves the queue), instead of marking it done.
   */
  runAgainAt?: Date;
  /**
   * Replaces the stored payload, in the same statement that records the outcome: a mail forgets its secrets (a
   * new password) once sent, so the outbox does not keep them.
   */
  payload?: Record<string, unknown>;
}

// biome-ignore lint/suspicious/noConfusingVoidType: most handlers return nothing (an async function's Promise<void>).
export type JobHandler = (payload: Record<string, unknown>, job: Job) => Promise<void | JobOutcome>;

export interface JobQueueOptions {
  pollMs?: number;
  /** Most jobs run by one `runOnce()`; each is still claimed on its own, right before it runs. */
  batch?: number;
  /**
   * How long a claimed job stays with its worker; after that another worker may take it (crash recovery).
   * Keep it above `timeoutMs`, else a slow but live run can be taken over and run a second time.
   */
  leaseMs?: number;
  maxAttempts?: number;
  /** Bound on one handler call. */
  timeoutMs?: number;
  now?: () => number;
  /** How often a started queue re-queues its recurring jobs gone missing (see `register`'s `keepQueued`). */
  keepQueuedEveryMs?: number;
  log?: FastifyBaseLogger;
}

export interface JobKindOptions {
  /**
   * A recurring job (one row that stays queued through `runAgainAt`): queues it unless one is pending. Called when
   * a run of it ends `failed` and, while the queue runs, every `keepQueuedEveryMs`: a chain broken by failures (or
   * by a pod stopped mid-way) mends itself without a restart.
   */
  keepQueued?: (now: Date) => Promise<unknown>;
  /** Attempts before a job of this kind is failed (default: the queue's); work that must outlive an outage sets more. */
  maxAttempts?: number;
  /** Bound on one run of this kind (default: the queue's `timeoutMs`); the lease grows to stay above it. */
  timeoutMs?: number;
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
  claim_token: string;
}

export class JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly recurring = new Map<string, NonNullable<JobKindOptions['keepQueued']>>();
  private readonly attemptsOf = new Map<string, number>();
  private readonly timeoutOf = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private keepQueuedTimer: NodeJS.Timeout | undefined;
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
      keepQueuedEveryMs: 3_600_000,
      ...options,
    };
  }

  register(kind: string, handler: JobHandler, options: JobKindOptions = {}): void {
    this.handlers.set(kind, handler);
    if (options.keepQueued) this.recurring.set(kind, options.keepQueued);
    if (options.maxAttempts) this.attemptsOf.set(kind, options.maxAttempts);
    if (options.timeoutMs) {
      this.timeoutOf.set(kind, options.timeoutMs);
      // A live run must never be taken over by another worker: the lease outlasts the longest bound.
      this.options.leaseMs = Math.max(this.options.leaseMs, options.timeoutMs + 10_000);
    }
  }

  /** Queues each recurring job unless one is pending (see JobKindOptions.keepQueued); failures are logged. */
  async keepRecurringQueued(kinds: string[] = [...this.recurring.keys()]): Promise<void> {
    for (const kind of kinds) {
      try {
        await this.recurring.get(kind)?.(new Date(this.options.now()));
      } catch (err) {
        this.options.log?.warn({ err, kind }, 'recurring job could not be queued');
      }
    }
  }

  get kinds(): string[] {
    return [...this.handlers.keys()];
  }

  private at(offsetMs = 0): string {
    return new Date(this.options.now() + offsetMs).toISOString();
  }

  /**
   * Claims the next due job this queue has handlers for, or none. One job per claim, so its lease starts when
   * it is about to run: leasing a batch up front let later jobs' leases lapse while earlier ones ran, and a
   * second worker ran them too. SKIP LOCKED keeps concurrent workers apart.
   */
  private async claim(): Promise<ClaimedRow | undefined> {
    const kinds = this.kinds;
    if (!kinds.length) return undefined;
    const now = this.at();
    const result = await this.database.db.execute(sql`
      update jobs set locked_until = ${this.at(this.options.leaseMs)}::timestamptz, attempts = attempts + 1,
        claim_token = ${crypto.randomUUID()}::uuid
      where id = (
        select id from jobs
        where status = 'pending' and run_at <= ${now}::timestamptz
          and (locked_until is null or locked_until < ${now}::timestamptz)
          and kind in (${sql.join(
            kinds.map((k) => sql`${k}`),
            sql`, `,
          )})
        order by run_at
        limit 1
        for update skip locked)
      returning id, kind, payload, attempts, claim_token`);
    return rowsOf<ClaimedRow>(result)[0];
  }

  /** The handler's error message, or what it returned when it succeeded within `timeoutMs`. */
  private async call(
    handler: JobHandler,
    row: ClaimedRow,
  ): Promise<{ error: string } | { outcome: JobOutcome | undefined }> {
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.timeoutOf.get(row.kind) ?? this.options.timeoutMs;
    try {
      const outcome = await Promise.race([
        handler(row.payload, row as unknown as Job),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { outcome: outcome || undefined };
    } catch (err) {
      // The message only: payloads hold addresses that must not reach logs or the table's error column.
      return { error: (err instanceof Error ? err.message : String(err)).slice(0, 500) };
    } finally {
      clearTimeout(timer);
    }
  }

  private async runOne(row: ClaimedRow): Promise<void> {
    const handler = this.handlers.get(row.kind);
    if (!handler) return;
    const ran = await this.call(handler, row);
    const message = 'error' in ran ? ran.error : undefined;
    const outcome = 'outcome' in ran ? ran.outcome : undefined;
    const again = outcome?.runAgainAt;
    const payload = outcome?.payload
      ? sql`, payload = ${JSON.stringify(outcome.payload)}::jsonb`
      : sql.empty();
    const failed =
      message !== undefined && row.attempts >= (this.attemptsOf.get(row.kind) ?? this.options.maxAttempts);
    // Guarded by the claim token: if our lease lapsed and another worker claimed the job since, its run owns
    // the row and our late outcome must not overwrite it.
    const result = await this.database.db.execute(
      message === undefined
        ? again
          ? sql`update jobs set run_at = ${again.toISOString()}::timestamptz, attempts = 0, locked_until = null,
              last_error = null, claim_token = null${payload}
            where id = ${row.id} and claim_token = ${row.claim_token}::uuid
            returning id`
          : sql`update jobs set status = 'done', done_at = ${this.at()}::timestamptz, locked_until = null,
              last_error = null, claim_token = null${payload}
            where id = ${row.id} and claim_token = ${row.claim_token}::uuid
            returning id`
        : sql`update jobs set status = ${failed ? 'failed' : 'pending'}, locked_until = null,
            last_error = ${message}, run_at = ${this.at(backoffMs(row.attempts))}::timestamptz, claim_token = null
          where id = ${row.id} and claim_token = ${row.claim_token}::uuid
          returning id`,
    );
    if (message !== undefined) {
      this.options.log?.warn(
        { job: row.id, kind: row.kind, attempts: row.attempts, failed },
        `job failed: ${message}`,
      );
    }
    // A recurring job failed for good: its chain would end here; queue the next run (one pending at most).
    if (failed && rowsOf(result).length > 0) await this.keepRecurringQueued([row.kind]);
    if (rowsOf(result).length === 0) {
      this.options.log?.warn(
        { job: row.id, kind: row.kind, attempts: row.attempts, leaseMs: this.options.leaseMs },
        'job lease lost before the run ended: another worker holds the job, outcome not recorded',
      );
    }
  }

  /** Claims and runs due jobs one by one, up to `batch` of them while `more()` holds; returns how many ran. */
  private async drain(more: () => boolean): Promise<number> {
    let ran = 0;
    while (ran < this.options.batch && more()) {
      const row = await this.claim();
      if (!row) break;
      await this.runOne(row);
      ran += 1;
    }
    return ran;
  }

  /** Runs the jobs due now, once; returns how many ran. */
  async runOnce(): Promise<number> {
    return this.drain(() => true);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      // Checked before each claim, so stop() waits for the job in hand, not for the rest of a batch.
      this.running = this.drain(() => !this.stopped).catch((err: unknown) => {
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
    if (this.recurring.size) {
      this.keepQueuedTimer = setInterval(
        () => void this.keepRecurringQueued(),
        this.options.keepQueuedEveryMs,
      );
      this.keepQueuedTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.keepQueuedTimer);
    await this.running;
  }
}
