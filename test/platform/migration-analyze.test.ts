// Migration 0018 lowers the statistics targets of the unaccented name; they hold from the next ANALYZE of users, and an
// ANALYZE inside the migration's transaction still reads the old ones. Desk runs that ANALYZE once 0018 is committed.
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { ANALYZE_LOCK_TIMEOUT_MS } from '../../src/platform/database.ts';
import { databaseAt, type EarlierDatabase } from '../support/migrations.ts';
import { DATABASE_URL } from '../support/parts.ts';

/** The longest histogram ANALYZE kept of the unaccented name on the indexes holding it (0 when none). */
async function nameHistogram(run: EarlierDatabase['run']): Promise<number> {
  const rows = await run(`
    select coalesce(max(array_length(histogram_bounds::text::text[], 1)), 0)::int as bounds from pg_stats
    where tablename in ('users_search_name_trgm_idx', 'users_search_name_prefix_idx', 'users_search_browse_idx')
      and attname = 'desk_unaccent'`);
  return Number(rows[0]?.bounds ?? 0);
}

let earlier: EarlierDatabase | undefined;
afterEach(async () => {
  await earlier?.close();
  earlier = undefined;
});

/** 2,000 agents named with hex words, analysed: histograms of the unaccented name as the release before 0018 kept. */
async function livedAt17(): Promise<EarlierDatabase> {
  const at17 = await databaseAt(17);
  await at17.run(`
    insert into users (name, email)
    select substr(md5(i::text), 1, 6) || ' ' || substr(md5((i + 7)::text), 1, 9), 'agent.' || i || '@analyze.example'
    from generate_series(1, 2000) as i`);
  await at17.run('analyze users');
  return at17;
}

describe('migrating a database that has lived under the release before 0018', () => {
  it('drops the unaccented name’s statistics at once, so planning a look-alike reads no histogram', async () => {
    earlier = await livedAt17();
    expect(await nameHistogram(earlier.run)).toBeGreaterThan(2);

    expect(await earlier.database.migrate()).toEqual([]);
    expect(await nameHistogram(earlier.run)).toBeLessThanOrEqual(2);
  });
});

describe.runIf(DATABASE_URL)('migrating while a VACUUM holds the users table', () => {
  it('applies the migrations and warns that ANALYZE users is left to run, after a bounded wait', async () => {
    earlier = await livedAt17();
    const vacuum = postgres(earlier.url ?? '', { max: 1, onnotice: () => {} });
    try {
      // What a VACUUM (or another ANALYZE) holds: ANALYZE waits for it.
      const holding = vacuum.begin(async (tx) => {
        await tx`lock table users in share update exclusive mode`;
        await new Promise((resolve) => setTimeout(resolve, ANALYZE_LOCK_TIMEOUT_MS + 3_000));
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const warnings = await earlier.database.migrate();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('ANALYZE users;');
      const applied = await earlier.run('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(applied[0]?.n).toBe(19);
      await holding;
    } finally {
      await vacuum.end();
    }
  }, 30_000);
});
