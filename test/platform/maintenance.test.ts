// settleTables: what `desk import people` runs once its writes are committed (VACUUM (ANALYZE), GIN pending lists
// flushed), on PGlite and PostgreSQL alike.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/platform/database.ts';
import { settleTables } from '../../src/platform/maintenance.ts';
import { type TestDatabase, testDatabase } from '../support/parts.ts';

let testDb: TestDatabase;
const sent: string[] = [];
const run = async (text: string) => {
  sent.push(text);
  return rowsOf<Record<string, unknown>>(await testDb.database.db.execute(sql.raw(text)));
};

beforeAll(async () => {
  testDb = await testDatabase();
});
afterAll(() => testDb.drop());

describe('settling tables after a bulk write', () => {
  it('vacuums and analyses the tables, then flushes each of their GIN indexes', async () => {
    await testDb.database.db.execute(
      sql`insert into users (name, email) select 'Settled ' || i, 'settled' || i || '@example.org' from generate_series(1, 50) i`,
    );
    const flushed = await settleTables(run, ['users', 'users']);
    expect(sent[0]).toBe('vacuum (analyze) users');
    expect(flushed).toEqual(
      expect.arrayContaining(['users_search_words_idx', 'users_search_org_name_trgm_idx']),
    );
    const [users] = rowsOf<{ reltuples: number }>(
      await testDb.database.db.execute(sql`select reltuples from pg_class where oid = 'users'::regclass`),
    );
    expect(Number(users?.reltuples)).toBeGreaterThanOrEqual(50);
  });

  it('refuses a name that is not a plain table name, before sending anything', async () => {
    sent.length = 0;
    await expect(settleTables(run, ['users; drop table users'])).rejects.toThrow(/not a table name/);
    expect(sent).toEqual([]);
  });

  it('sends nothing for no tables', async () => {
    sent.length = 0;
    expect(await settleTables(run, [])).toEqual([]);
    expect(sent).toEqual([]);
  });
});
