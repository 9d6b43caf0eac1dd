// Durable jobs: run once after commit, retried with backoff, given up after the last attempt, never run twice by two workers.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('lets two workers share 20 jobs without running any twice', async () => {
    const k = kind();
    const runs = new Map<number, number>();
    const make = () => {
      const q = new JobQueue(testDb.database, { now: () => clock, batch: 3 });
      q.register(k, async (payload) => {
        const n = Number(payload.n);
        await new Promise((r) => setTimeout(r, 2));
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
    await new Promise((r) => setTimeout(r, 200));
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
});
