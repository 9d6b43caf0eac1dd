// The database: embedded PGlite by default, PostgreSQL when DATABASE_URL is set; same Drizzle queries and migrations on both.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
import { PGLITE_SETTINGS, pgliteDataPath } from './pglite-setup.ts';

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

/** Codes of postgres.js and of Node's sockets when the server cannot be reached or hung up. */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is restarting, failing over or overloaded, not of a bad query: connection
 * exceptions (class 08), shutdown and "cannot connect now" (57P01–57P03), a statement cut by its timeout
 * (57014), too many connections or out of resources (53xxx), and a write reaching a standby after a failover (25006).
 */
function isUnavailableState(code: string): boolean {
  return /^(08|53)/.test(code) || ['57P01', '57P02', '57P03', '57014', '25006'].includes(code);
}

/**
 * The database down, restarting or failing over, found in an error or its causes (Drizzle wraps the driver's
 * error): a DatabaseUnavailable to answer with (503 and Retry-After), or undefined for any other error.
 */
export function databaseUnavailable(err: unknown): DatabaseUnavailable | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current instanceof DatabaseUnavailable) return current;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || isUnavailableState(code)))
      return new DatabaseUnavailable(err);
    current = current.cause;
  }
  return undefined;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Seconds before the next connection attempt after `failures` failed ones: 50 ms doubling, capped at 1 s, jittered. */
export function reconnectDelaySeconds(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** failures, 1);
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
      // postgres.js waits up to 20 s between reconnections after a run of failures (3^n/100 s, shared by the
      // pool): a database back after a restart would stay unused that long. At most a second, with jitter.
      backoff: reconnectDelaySeconds,
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
  const client = new PGlite(memory ? 'memory://' : pgliteDataPath(dataDir), {
    extensions: { pg_trgm, unaccent, citext, btree_gin },
    initDbStartParams: PGLITE_SETTINGS,
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
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
