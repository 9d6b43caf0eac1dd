// Durable jobs: run once after commit, retried with backoff, given up after the last attempt, never run twice by two workers.
import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backoffMs, JobQueue } from '../../src/platform/job-queue.ts';
import { enqueueJob } from '../../src/platform/jobs.ts';
import { jobs } from '../../src/platform/schema.ts';
import { type TestDatabase, testDatabase } from '../support/parts.ts';

let testDb: TestDatabase;
let clock = Date.now();

beforeAll(async () => {
  testDb = await testDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

function kind(): string {
  return `test-${crypto.randomUUID().slice(0, 8)}`;
}

async function jobsOf(k: string) {
  return testDb.database.db.select().from(jobs).where(eq(jobs.kind, k));
}

/** A logger keeping the warnings' messages, to see a lost lease reported. */
function warningsLog(): { log: FastifyBaseLogger; warnings: string[] } {
  const warnings: string[] = [];
  const log = { warn: (_fields: unknown, message: string) => warnings.push(message) };
  return { log: log as unknown as FastifyBaseLogger, warnings };
}

/**
 * Worker A claims a job and is still running it when its lease ends; worker B takes the job and finishes it;
 * then A's run ends with `lateOutcome`. Returns the job's row and A's warnings.
 */
async function lostLease(lateOutcome: 'success' | 'failure') {
  const k = kind();
  let now = clock;
  await enqueueJob(testDb.database.db, k, {}, { runAt: new Date(now) });
  const { log, warnings } = warningsLog();
  const a = new JobQueue(testDb.database, { now: () => now, leaseMs: 1_000, log });
  let started!: () => void;
  const aStarted = new Promise<void>((r) => {
    started = r;
  });
  let finish!: () => void;
  a.register(
    k,
    () =>
      new Promise<void>((resolve, reject) => {
        finish = lateOutcome === 'success' ? resolve : () => reject(new Error('A gave up late'));
        started();
      }),
  );
  const aRun = a.runOnce();
  await aStarted;
  const b = new JobQueue(testDb.database, { now: () => now, leaseMs: 1_000 });
  const ranByB: string[] = [];
  b.register(k, async (_payload, job) => {
    ranByB.push(job.id);
  });
  expect(await b.runOnce()).toBe(0); // A's lease still holds
  now += 1_001;
  const bDoneAt = now;
  expect(await b.runOnce()).toBe(1);
  now += 5_000;
  finish();
  expect(await aRun).toBe(1);
  const [job] = await jobsOf(k);
  expect(ranByB).toEqual([job?.id]);
  return { job, bDoneAt, warnings };
}

describe('the job queue', () => {
  it('runs a due job once and marks it done', async () => {
    const k = kind();
    const seen: unknown[] = [];
    const queue = new JobQueue(testDb.database, { now: () => clock });
    queue.register(k, async (payload) => {
      seen.push(payload);
    });
    await enqueueJob(testDb.database.db, k, { n: 1 }, { runAt: new Date(clock) });
    expect(await queue.runOnce()).toBe(1);
    expect(await queue.runOnce()).toBe(0);
    expect(seen).toEqual([{ n: 1 }]);
    expect((await jobsOf(k)).map((j) => j.status)).toEqual(['done']);
  });

  it('never runs a job enqueued in a transaction that rolled back', async () => {
    const k = kind();
    const queue = new JobQueue(testDb.database, { now: () => clock });
    let ran = 0;
    queue.register(k, async () => {
      ran += 1;
    });
    await testDb.database.db
      .transaction(async (tx) => {
        await enqueueJob(tx, k, {}, { runAt: new Date(clock) });
        throw new Error('request failed');
      })
      .catch(() => {});
    await queue.runOnce();
    expect(ran).toBe(0);
    expect(await jobsOf(k)).toEqual([]);
  });

  it('retries a failing job after a growing pause, then gives up keeping the error but not the payload', async () => {
    const k = kind();
    const queue = new JobQueue(testDb.database, { now: () => clock, maxAttempts: 3 });
    let calls = 0;
    queue.register(k, async () => {
      calls += 1;
      throw new Error('SMTP said no');
    });
    await enqueueJob(testDb.database.db, k, { to: 'secret@example.gouv.fr' }, { runAt: new Date(clock) });
    expect(await queue.runOnce()).toBe(1);
    expect(await queue.runOnce()).toBe(0); // backing off
    clock += backoffMs(1) + 1;
    expect(await queue.runOnce()).toBe(1);
    clock += backoffMs(2) + 1;
    expect(await queue.runOnce()).toBe(1);
    clock += backoffMs(3) + 1;
    expect(await queue.runOnce()).toBe(0);
    const [job] = await jobsOf(k);
    expect(calls).toBe(3);
    expect(job).toMatchObject({ status: 'failed', attempts: 3, lastError: 'SMTP said no' });
  });

  it('stores the payload a successful run returns in place of the one it ran with', async () => {
    const k = kind();
    const queue = new JobQueue(testDb.database, { now: () => clock });
    queue.register(k, async (payload) => ({ payload: { ...payload, token: '[sent]' } }));
    await enqueueJob(testDb.database.db, k, { n: 1, token: 'one-time' }, { runAt: new Date(clock) });
    expect(await queue.runOnce()).toBe(1);
    const [job] = await jobsOf(k);
    expect(job).toMatchObject({ status: 'done', payload: { n: 1, token: '[sent]' } });
  });

  it('gives a recurring job the payload its last run returned', async () => {
    const k = kind();
    const queue = new JobQueue(testDb.database, { now: () => clock });
    const seen: unknown[] = [];
    queue.register(k, async (payload) => {
      seen.push(payload.cursor);
      return { runAgainAt: new Date(clock + 60_000), payload: { cursor: Number(payload.cursor) + 1 } };
    });
    await enqueueJob(testDb.database.db, k, { cursor: 0 }, { runAt: new Date(clock) });
    expect(await queue.runOnce()).toBe(1);
    clock += 60_001;
    expect(await queue.runOnce()).toBe(1);
    expect(seen).toEqual([0, 1]);
    const [job] = await jobsOf(k);
    expect(job).toMatchObject({ status: 'pending', payload: { cursor: 2 } });
  });

  it('lets two workers share 20 jobs without running any twice', async () => {
    const k = kind();
    const runs = new Map<number, number>();
    const make = () => {
      const q = new JobQueue(testDb.database, { now: () => clock, batch: 3 });
      q.register(k, async (payload) => {
        const n = Number(payload.n);
        // A turn of the event loop: the other worker runs meanwhile.
        await new Promise((r) => setImmediate(r));
        runs.set(n, (runs.get(n) ?? 0) + 1);
      });
      return q;
    };
    const [a, b] = [make(), make()];
    for (let n = 0; n < 20; n++) await enqueueJob(testDb.database.db, k, { n }, { runAt: new Date(clock) });
    const drain = async (q: JobQueue) => {
      while ((await q.runOnce()) > 0);
    };
    await Promise.all([drain(a), drain(b)]);
    expect([...runs.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
  });

  it('takes again a job whose worker died before its lease ended', async () => {
    const k = kind();
    await enqueueJob(testDb.database.db, k, {}, { runAt: new Date(clock) });
    const dying = new JobQueue(testDb.database, { now: () => clock, leaseMs: 60_000 });
    dying.register(k, () => new Promise(() => {})); // never finishes: the process "dies"
    void dying.runOnce();
    await vi.waitUntil(async () => (await jobsOf(k))[0]?.lockedUntil, { timeout: 15_000 });
    const survivor = new JobQueue(testDb.database, { now: () => clock });
    let ran = 0;
    survivor.register(k, async () => {
      ran += 1;
    });
    expect(await survivor.runOnce()).toBe(0);
    clock += 60_001;
    expect(await survivor.runOnce()).toBe(1);
    expect(ran).toBe(1);
  });

  it('two workers with slow jobs run each job exactly once', async () => {
    // Each of A's runs takes 150 ms of a shared clock, and B polls while A is running: a batch leased up front
    // would lapse after two runs and B would run A's later jobs too, while one job claimed at a time stays A's.
    const k = kind();
    let now = clock;
    const runs: string[] = [];
    const b = new JobQueue(testDb.database, { now: () => now, leaseMs: 300, batch: 10 });
    b.register(k, async (payload) => {
      runs.push(`B:${payload.n}`);
    });
    const a = new JobQueue(testDb.database, { now: () => now, leaseMs: 300, batch: 10 });
    a.register(k, async (payload) => {
      runs.push(`A:${payload.n}`);
      now += 150;
      await b.runOnce();
    });
    for (let n = 0; n < 5; n++)
      await enqueueJob(testDb.database.db, k, { n }, { runAt: new Date(now - 1_000) });
    await a.runOnce();
    const indexes = runs.map((r) => Number(r.split(':')[1])).sort((x, y) => x - y);
    expect(indexes, runs.join(' ')).toEqual([0, 1, 2, 3, 4]);
    expect(runs.some((r) => r.startsWith('A:'))).toBe(true);
    expect(runs.some((r) => r.startsWith('B:'))).toBe(true);
    expect((await jobsOf(k)).map((j) => j.status)).toEqual(Array(5).fill('done'));
  });

  it('a worker that lost its lease cannot complete the job', async () => {
    const { job, bDoneAt, warnings } = await lostLease('success');
    expect(job).toMatchObject({ status: 'done', attempts: 2, lastError: null, claimToken: null });
    expect(job?.doneAt?.getTime()).toBe(bDoneAt);
    expect(warnings).toEqual([expect.stringContaining('lease lost')]);
  });

  it('a worker that lost its lease cannot fail the job or schedule a retry', async () => {
    const { job, bDoneAt, warnings } = await lostLease('failure');
    expect(job).toMatchObject({ status: 'done', attempts: 2, lastError: null });
    expect(job?.doneAt?.getTime()).toBe(bDoneAt);
    expect(warnings).toEqual([
      expect.stringContaining('A gave up late'),
      expect.stringContaining('lease lost'),
    ]);
  });

  it('stops between the jobs of a batch, leaving the rest to other workers', async () => {
    const k = kind();
    const queue = new JobQueue(testDb.database, { now: () => clock, pollMs: 60_000 });
    let ran = 0;
    let stopping: Promise<void> | undefined;
    queue.register(k, async () => {
      ran += 1;
      stopping ??= queue.stop();
    });
    for (let n = 0; n < 3; n++) await enqueueJob(testDb.database.db, k, { n }, { runAt: new Date(clock) });
    queue.start();
    await vi.waitUntil(() => stopping !== undefined, { timeout: 15_000 });
    await stopping;
    expect(ran).toBe(1);
    expect((await jobsOf(k)).map((j) => j.status).sort()).toEqual(['done', 'pending', 'pending']);
  });
});
