// Staff retrying a job (DESIGN.md §8): only a failed job, or a pending one whose lease has lapsed, runs again; a
// running job is never run twice and its outcome is kept; a done job stays done. Anything else is a 409 with a detail.
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { auditEvents } from '../../src/audit/index.ts';
import { JobQueue } from '../../src/platform/job-queue.ts';
import { enqueueJob } from '../../src/platform/jobs.ts';
import { jobs } from '../../src/platform/schema.ts';
import { useDesk } from '../support/desk.ts';

const t = useDesk();

async function staff() {
  return t.browserFor(await t.createUser({ isStaff: true, name: 'Staff Member' }));
}

/** A job of a kind of its own, so Desk's own queue never takes it: only the workers of a test run it. */
async function newJob(values: Partial<typeof jobs.$inferInsert> = {}) {
  const kind = `retry-${crypto.randomUUID().slice(0, 8)}`;
  await enqueueJob(t.desk.database.db, kind, { n: 1 });
  const [job] = await t.desk.database.db
    .update(jobs)
    .set({ runAt: new Date(Date.now() - 1_000), ...values })
    .where(eq(jobs.kind, kind))
    .returning();
  return { kind, id: job!.id };
}

async function jobRow(id: string) {
  const [row] = await t.desk.database.db.select().from(jobs).where(eq(jobs.id, id));
  return row!;
}

const retry = async (browser: Awaited<ReturnType<typeof staff>>, id: string) =>
  browser.post(`/api/v1.0/admin/jobs/${id}/retry/`);

describe('retrying a job', () => {
  it('runs a failed job again at once, with fresh attempts, audited', async () => {
    const browser = await staff();
    const { id } = await newJob({ status: 'failed', attempts: 8, lastError: 'SMTP refused' });
    const res = await retry(browser, id);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, status: 'pending', attempts: 0, last_error: null });
    const audited = await t.desk.database.db.select().from(auditEvents).where(eq(auditEvents.targetId, id));
    expect(audited.map((e) => e.event)).toEqual(['job.retried']);
  });

  it('takes back a pending job whose lease has lapsed (its worker died)', async () => {
    const browser = await staff();
    const { id } = await newJob({
      attempts: 1,
      lockedUntil: new Date(Date.now() - 1_000),
      claimToken: crypto.randomUUID(),
    });
    const res = await retry(browser, id);
    expect(res.status).toBe(200);
    expect(await jobRow(id)).toMatchObject({ status: 'pending', lockedUntil: null, claimToken: null });
  });

  it('refuses a done job with 409 and a detail, leaving it done', async () => {
    const browser = await staff();
    const { id } = await newJob({ status: 'done', doneAt: new Date() });
    const res = await retry(browser, id);
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ detail: expect.stringContaining('done') });
    expect((await jobRow(id)).status).toBe('done');
  });

  it('answers 404 for an id no job has', async () => {
    const res = await retry(await staff(), crypto.randomUUID());
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ detail: 'Not found.' });
  });

  it('never runs a running job twice: retries during the run answer 409, one run, its outcome kept', async () => {
    const browser = await staff();
    const { kind, id } = await newJob();
    const runs: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const worker = (name: string) => {
      const queue = new JobQueue(t.desk.database, { leaseMs: 60_000 });
      queue.register(kind, async () => {
        runs.push(name);
        await released;
      });
      return queue;
    };
    const first = worker('first');
    const second = worker('second');
    const firstRun = first.runOnce();
    await vi.waitUntil(async () => (await jobRow(id)).claimToken, { timeout: 15_000 });

    // Staff retry again and again while another worker polls: all at once.
    const [answers, secondRuns] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, () => retry(browser, id))),
      Promise.all(Array.from({ length: 3 }, () => second.runOnce())),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(409));
    expect(answers[0]?.json).toEqual({ detail: expect.stringContaining('running') });
    expect(secondRuns).toEqual([0, 0, 0]);

    release();
    expect(await firstRun).toBe(1);
    expect(runs).toEqual(['first']);
    expect(await jobRow(id)).toMatchObject({ status: 'done', attempts: 1, claimToken: null });
    expect(await second.runOnce()).toBe(0);
    const audited = await t.desk.database.db.select().from(auditEvents).where(eq(auditEvents.targetId, id));
    expect(audited).toEqual([]);
  });
});
