// Databases as an earlier release left them: migrated up to one of drizzle/'s migrations, to test the ones after it.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type Database, MIGRATIONS_DIR, openDatabase, rowsOf } from '../../src/platform/database.ts';
import { PGLITE_SETTINGS, pgliteDataPath } from '../../src/platform/pglite-setup.ts';
import { DATABASE_URL } from './parts.ts';

/** A copy of drizzle/ holding the migrations up to `lastIdx`: the schema the release of that migration ran on. */
export function migrationsUpTo(lastIdx: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'desk-migrations-'));
  mkdirSync(join(dir, 'meta'));
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  journal.entries = journal.entries.filter((e) => e.idx <= lastIdx);
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries)
    copyFileSync(join(MIGRATIONS_DIR, `${e.tag}.sql`), join(dir, `${e.tag}.sql`));
  return dir;
}

export interface EarlierDatabase {
  /** Its PostgreSQL URL; undefined on PGlite. */
  url: string | undefined;
  /** Runs one statement (no parameters) on the database as it is. */
  run(statement: string): Promise<Record<string, unknown>[]>;
  /** Applies the migrations of `folder` with Drizzle's migrator, as `desk migrate` did before. */
  migrateTo(folder: string): Promise<void>;
  /** Opens the database as Desk does (the raw connection closed first: a PGlite folder has one user at a time). */
  openAsDesk(): Promise<Database>;
  /** Closes what is open and removes the database. */
  close(): Promise<void>;
}

/** A database of its own, migrated up to `lastIdx`: PostgreSQL when the tests run on it, else PGlite in a folder. */
export async function databaseAt(lastIdx: number): Promise<EarlierDatabase> {
  const previous = migrationsUpTo(lastIdx);
  let desk: Database | undefined;
  if (!DATABASE_URL) {
    const dataDir = mkdtempSync(join(tmpdir(), 'desk-pglite-'));
    const client = new PGlite(pgliteDataPath(dataDir), {
      extensions: { pg_trgm, unaccent, citext, btree_gin },
      initDbStartParams: PGLITE_SETTINGS,
      startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
    });
    const migrateTo = (folder: string) => migratePglite(drizzlePglite(client), { migrationsFolder: folder });
    await migrateTo(previous);
    return {
      url: undefined,
      run: async (statement) => rowsOf<Record<string, unknown>>(await client.query(statement)),
      migrateTo,
      async openAsDesk() {
        if (!client.closed) await client.close();
        desk = openDatabase(undefined, dataDir);
        return desk;
      },
      async close() {
        if (!client.closed) await client.close();
        await desk?.close();
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(previous, { recursive: true, force: true });
      },
    };
  }
  const name = `desk_test_at_${lastIdx}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const admin = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const migrateTo = (folder: string) =>
    migratePostgres(drizzlePostgres(client), { migrationsFolder: folder });
  await migrateTo(previous);
  return {
    url: url.toString(),
    run: async (statement) => [...(await client.unsafe(statement))] as Record<string, unknown>[],
    migrateTo,
    async openAsDesk() {
      desk = openDatabase(url.toString(), '');
      return desk;
    },
    async close() {
      await client.end();
      await desk?.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      rmSync(previous, { recursive: true, force: true });
    },
  };
}
