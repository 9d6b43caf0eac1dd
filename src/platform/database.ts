// The database: embedded PGlite by default, PostgreSQL when DATABASE_URL is set; same Drizzle queries and migrations on both.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { sql } from 'drizzle-orm';
import type { Logger } from 'drizzle-orm/logger';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { ServiceUnavailable } from './errors.ts';

export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;

/** Makes user text literal inside a LIKE pattern (%, _ and \ lose their meaning). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The rows of a raw `db.execute()`: postgres.js answers an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** Counts the statements sent, so tests can assert query counts (deterministic, unlike timings). */
export class QueryCounter implements Logger {
  count = 0;
  logQuery(): void {
    this.count += 1;
  }
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  readonly queries: QueryCounter;
  migrate(): Promise<void>;
  /** Resolves when the database answers within timeoutMs; throws ServiceUnavailable otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export class DatabaseUnavailable extends ServiceUnavailable {
  constructor(cause: unknown) {
    super('The database is unavailable; try again shortly.');
    this.cause = cause;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

// Several pods may start at once: one migrates while the others wait on this lock.
const MIGRATION_LOCK = 72_110_001;

export function openDatabase(url: string | undefined, dataDir: string): Database {
  const queries = new QueryCounter();
  if (url && !url.startsWith('pglite:')) {
    const client = postgres(url, {
      max: 10,
      connect_timeout: 5,
      idle_timeout: 30,
      onnotice: () => {},
      connection: {
        statement_timeout: 15_000,
        application_name: 'desk',
        // User search: a word typed with one letter missing still reaches ~0.55 (the default 0.6 is too strict).
        'pg_trgm.word_similarity_threshold': 0.5,
      },
    });
    const db = drizzlePostgres(client, { logger: queries }) as unknown as Db;
    return {
      kind: 'postgres',
      db,
      queries,
      async migrate() {
        // One connection, so the session-level advisory lock covers the whole migration.
        const single = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
        try {
          await single`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
          await migratePostgres(drizzlePostgres(single), { migrationsFolder: MIGRATIONS_DIR });
        } finally {
          await single.end({ timeout: 5 });
        }
      },
      async ping(timeoutMs = 2_000) {
        try {
          await withTimeout(client`SELECT 1`, timeoutMs, 'PostgreSQL');
        } catch (err) {
          throw new DatabaseUnavailable(err);
        }
      },
      async close() {
        await client.end({ timeout: 5 });
      },
    };
  }
  const memory = url === 'pglite://memory';
  if (!memory) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(memory ? 'memory://' : join(resolve(dataDir), 'pgdata'), {
    extensions: { pg_trgm, unaccent, citext, btree_gin },
  });
  // PGlite is one session: set once, before any query (it runs queries in order).
  client.exec('SET pg_trgm.word_similarity_threshold = 0.5').catch(() => {});
  const db = drizzlePglite(client, { logger: queries }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    queries,
    async migrate() {
      await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR });
    },
    async ping(timeoutMs = 2_000) {
      try {
        await withTimeout(db.execute(sql`SELECT 1`), timeoutMs, 'PGlite');
      } catch (err) {
        throw new DatabaseUnavailable(err);
      }
    },
    async close() {
      await client.close();
    },
  };
}
