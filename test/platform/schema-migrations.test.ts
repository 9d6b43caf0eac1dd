// Migrations: the same checked-in SQL on PGlite and PostgreSQL, applied once, with the extensions search relies on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/database.ts';
import { DATABASE_URL, type TestDatabase, testDatabase } from '../support/parts.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await testDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  const result = await testDb.database.db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

describe('migrations', () => {
  it('create every table', async () => {
    const tables = await rows<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'users',
        'teams',
        'team_accesses',
        'invitations',
        'contacts',
        'jobs',
        'documents',
        'service_providers',
      ]),
    );
  });

  it('install pg_trgm, unaccent and citext', async () => {
    const ext = await rows<{ extname: string }>(sql`select extname from pg_extension order by extname`);
    expect(ext.map((e) => e.extname)).toEqual(expect.arrayContaining(['citext', 'pg_trgm', 'unaccent']));
  });

  it('index users by lower(email) and search on unaccented names', async () => {
    const idx = await rows<{ indexname: string }>(
      sql`select indexname from pg_indexes where tablename = 'users'`,
    );
    expect(idx.map((i) => i.indexname)).toEqual(
      expect.arrayContaining(['users_email_lower_idx', 'users_search_name_trgm_idx']),
    );
    const [r] = await rows<{ v: string }>(sql`select desk_unaccent(lower('Hélène ÇA')) as v`);
    expect(r?.v).toBe('helene ca');
  });

  it('are a no-op the second time', async () => {
    const before = await rows<{ n: number }>(
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    await testDb.database.migrate();
    const after = await rows<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  it('run with `desk migrate`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'desk-migrate-'));
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', DESK_DATA_DIR: dir };
    if (DATABASE_URL) env.DATABASE_URL = testDb.url;
    const result = spawnSync(
      process.execPath,
      [resolve(import.meta.dirname, '../../bin/desk.js'), 'migrate'],
      { env, encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      `Migrations applied (${DATABASE_URL ? 'postgres' : 'pglite'}); 0 users given an organization.\n`,
    );
    if (!DATABASE_URL) {
      // The files stay in DESK_DATA_DIR: a second open sees the migrated schema.
      const again = openDatabase(undefined, dir);
      const result2 = await again.db.execute(sql`select count(*)::int as n from users`);
      expect((result2 as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(0);
      await again.close();
    }
  });
});
