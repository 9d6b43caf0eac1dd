// Databases as an earlier release left them: migrated up to one of drizzle/'s migrations, to test the ones after it.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { type Database, MIGRATIONS_DIR, openDatabase, rowsOf } from '../../src/platform/database.ts';
import { DATABASE_URL, emptyPostgresDatabase } from './parts.ts';

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
  /** The database, opened as Desk opens it: its `migrate()` brings it to this release. */
  database: Database;
  /** Its PostgreSQL URL; undefined on PGlite. */
  url: string | undefined;
  /** Runs one statement (no parameters). */
  run(statement: string): Promise<Record<string, unknown>[]>;
  /** Closes it and removes it. */
  close(): Promise<void>;
}

/**
 * A database of its own, opened as Desk opens it and migrated up to `lastIdx` with Drizzle's migrator, as `desk
 * migrate` did then: PostgreSQL when the tests run on it, else PGlite in a folder of its own.
 */
export async function databaseAt(lastIdx: number): Promise<EarlierDatabase> {
  const previous = migrationsUpTo(lastIdx);
  const dataDir = mkdtempSync(join(tmpdir(), 'desk-pglite-'));
  const own = DATABASE_URL ? await emptyPostgresDatabase(`desk_test_at_${lastIdx}`) : undefined;
  const url = own?.url;
  const database = openDatabase(url, dataDir);
  if (url)
    await migratePostgres(database.db as unknown as PostgresJsDatabase, { migrationsFolder: previous });
  else await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: previous });
  return {
    database,
    url,
    run: async (statement) => rowsOf<Record<string, unknown>>(await database.db.execute(sql.raw(statement))),
    async close() {
      await database.close();
      await own?.drop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(previous, { recursive: true, force: true });
    },
  };
}
