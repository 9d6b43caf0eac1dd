// A rolling upgrade across migration 0010 (one queued audit prune): pods of the previous release keep queuing prunes
// with their own SQL while `desk migrate` runs and after it. The migration must succeed under that load, the index
// refuses their duplicates (23505, which the previous release logs: at start its onListen hook, in its prune job a
// failed attempt retried later), this release's statements never fail, and one prune stays queued.
import { readdirSync } from 'node:fs';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { scheduleAuditPrune } from '../../src/audit/index.ts';
import { MIGRATIONS_DIR, openDatabase } from '../../src/platform/database.ts';
import { migrationsUpTo } from '../support/migrations.ts';
import { DATABASE_URL, emptyPostgresDatabase } from '../support/parts.ts';

/**
 * What the previous release (af9a08c, src/audit/queries.ts enqueueUnlessPending) sends to queue a prune, verbatim:
 * at start (no `except`), and from its prune job for the next day (`except`: the job running, still pending).
 */
const PREVIOUS_AT_START = `
    insert into "jobs" (kind, payload, run_at)
    select $1, '{}'::jsonb, $2::timestamptz
    where not exists (
      select 1 from "jobs" where "jobs"."kind" = $3 and "jobs"."status" = 'pending'
      )
    returning id`;
const PREVIOUS_FROM_THE_JOB = `
    insert into "jobs" (kind, payload, run_at)
    select $1, '{}'::jsonb, $2::timestamptz
    where not exists (
      select 1 from "jobs" where "jobs"."kind" = $3 and "jobs"."status" = 'pending'
      and "jobs"."id" <> $4::uuid)
    returning id`;

describe.runIf(DATABASE_URL)('migration 0010 during a rolling upgrade from the previous release', () => {
  let client: postgres.Sql | undefined;
  let drop: (() => Promise<void>) | undefined;

  afterAll(async () => {
    await client?.end();
    await drop?.();
  });

  it('succeeds under the old statements, refuses only their duplicates and keeps one prune queued', async () => {
    expect(readdirSync(MIGRATIONS_DIR)).toContain('0010_one_pending_audit_prune.sql');
    const empty = await emptyPostgresDatabase('desk_test_upgrade');
    drop = empty.drop;
    const { url } = empty;
    client = postgres(url, { max: 8, onnotice: () => {} });
    const sql = client;
    await migrate(drizzle(sql), { migrationsFolder: migrationsUpTo(9) });
    // What the previous release may have left: duplicates from pods starting together, and a prune done.
    await sql`insert into jobs (kind, payload, run_at, status) values
      ('audit.prune', '{}', now() + interval '1 day', 'pending'),
      ('audit.prune', '{}', now() + interval '1 day', 'pending'),
      ('audit.prune', '{}', now() + interval '2 days', 'pending'),
      ('audit.prune', '{}', now() - interval '1 day', 'done')`;

    const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();
    const errors: { from: string; code: string; constraint?: string }[] = [];
    let migrated = false;
    let running = true;
    const failing = (from: string) => (err: { code?: string; constraint_name?: string; cause?: unknown }) => {
      const e = (err.cause ?? err) as { code?: string; constraint_name?: string };
      errors.push({ from, code: String(e.code), constraint: e.constraint_name });
    };
    // Two previous-release pods starting and running their prune job, over and over.
    const previousPods = Array.from({ length: 4 }, async (_, i) => {
      for (let n = 0; running; n += 1) {
        if ((i + n) % 2) {
          await sql
            .unsafe(PREVIOUS_AT_START, ['audit.prune', tomorrow(), 'audit.prune'])
            .catch(failing('start'));
        } else {
          const [running] =
            await sql`select id from jobs where kind = 'audit.prune' and status = 'pending' limit 1`;
          if (!running) continue;
          await sql
            .unsafe(PREVIOUS_FROM_THE_JOB, ['audit.prune', tomorrow(), 'audit.prune', running.id])
            .catch(failing('job'));
        }
      }
    });
    // This release: `desk start` migrates, then queues its prune (`on conflict do nothing`), as do its other pods.
    const database = openDatabase(url, '');
    const current = (async () => {
      await new Promise((r) => setTimeout(r, 100));
      await database.migrate();
      migrated = true;
      const queued = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          scheduleAuditPrune(database.db, new Date(Date.now() + i)).catch((err) => {
            failing('current')(err);
            return false;
          }),
        ),
      );
      await new Promise((r) => setTimeout(r, 300));
      running = false;
      return queued;
    })();
    const queued = await current;
    await Promise.all(previousPods);
    await database.close();

    expect(migrated).toBe(true);
    // The only errors: the previous release's duplicates refused by the index (so once it exists).
    expect(
      errors.filter((e) => e.code !== '23505' || e.constraint !== 'jobs_one_pending_audit_prune_idx'),
    ).toEqual([]);
    expect(errors.filter((e) => e.from === 'current')).toEqual([]);
    // Known, and why the previous release's prune attempts fail until a pod of this release runs the job: its job
    // queues the next day's prune while itself still pending.
    expect(errors.filter((e) => e.from === 'job').length).toBeGreaterThan(0);
    expect(queued.filter(Boolean).length).toBe(0);
    const pending = await sql`select id from jobs where kind = 'audit.prune' and status = 'pending'`;
    expect(pending).toHaveLength(1);
  }, 60_000);
});
