// Migration 0018 lowers the statistics targets of the unaccented name; they hold from the next ANALYZE of users, and an
// ANALYZE inside the migration's transaction still reads the old ones. Desk runs that ANALYZE once 0018 is committed.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/platform/database.ts';
import { databaseAt, type EarlierDatabase } from '../support/migrations.ts';

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

describe('migrating a database that has lived under the release before 0018', () => {
  it('drops the unaccented name’s statistics at once, so planning a look-alike reads no histogram', async () => {
    earlier = await databaseAt(17);
    await earlier.run(`
      insert into users (name, email)
      select substr(md5(i::text), 1, 6) || ' ' || substr(md5((i + 7)::text), 1, 9), 'agent.' || i || '@analyze.example'
      from generate_series(1, 2000) as i`);
    await earlier.run('analyze users');
    expect(await nameHistogram(earlier.run)).toBeGreaterThan(2);

    const desk = await earlier.openAsDesk();
    await desk.migrate();
    const run = async (statement: string) =>
      rowsOf<Record<string, unknown>>(await desk.db.execute(sql.raw(statement)));
    expect(await nameHistogram(run)).toBeLessThanOrEqual(2);
  });
});
