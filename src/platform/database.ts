// The database: embedded PGlite by default, PostgreSQL when DATABASE_URL is set; same Drizzle queries and migrations on both.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { sql } from 'drizzle-orm';
import type { Logger } from 'drizzle-orm/logger';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type DataFolderLock, lockDataFolder } from './data-folder-lock.ts';
import { ServiceUnavailable } from './errors.ts';
import { MIGRATIONS_DIR, PGLITE_SETTINGS, pgliteDataPath } from './pglite-setup.ts';

export { MIGRATIONS_DIR };

import {
  openPostgres,
  type PostgresPool,
  type PostgresSettings,
  WORD_SIMILARITY_THRESHOLD,
} from './postgres-client.ts';

export { reconnectDelaySeconds } from './postgres-client.ts';

export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;

/** Makes user text literal inside a LIKE pattern (%, _ and \ lose their meaning). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The rows of a raw `db.execute()`: postgres.js answers an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

/** Counts the statements sent, so tests can assert query counts (deterministic, unlike timings). */
export class QueryCounter implements Logger {
  count = 0;
  logQuery(): void {
    this.count += 1;
  }
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** DATABASE_TRANSACTION_POOLER: session settings hold only inside a transaction (see withSessionSettings). */
  readonly transactionPooler: boolean;
  readonly db: Db;
  /**
   * The same database for named statements whose generic plan is as good as any custom one (user search): on
   * PostgreSQL, connections of their own that plan each such statement once (postgres-client.ts, genericPlans);
   * elsewhere (PGlite, behind a transaction pooler) `db` itself. Wrapping a database wraps both (mapDatabase).
   */
  readonly genericPlans: Db;
  readonly queries: QueryCounter;
  /** Applies the migrations this release has and the database lacks; answers warnings worth telling the operator. */
  migrate(): Promise<string[]>;
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
  // Desk gave a statement up: the database did not answer in time (postgres-client.ts).
  'DESK_QUERY_TIMEOUT',
  'DESK_CONNECTION_SILENT',
]);

/**
 * A named statement gone stale or missing on its connection: the schema changed under it ("cached plan must not
 * change result type", raised where PostgreSQL revalidates it) or a pooler moved the session. postgres.js prepares it
 * again by itself, except inside a transaction, which the error has already aborted: the request is worth retrying.
 */
function isStaleStatement(err: Error): boolean {
  const { code, routine } = err as { code?: unknown; routine?: unknown };
  return (code === '0A000' && routine === 'RevalidateCachedQuery') || code === '26000';
}

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
    if (
      typeof code === 'string' &&
      (CONNECTION_CODES.has(code) || isUnavailableState(code) || isStaleStatement(current))
    )
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

// Several pods may start at once: one migrates while the others wait on this lock.
const MIGRATION_LOCK = 72_110_001;

/**
 * Runs `work` where the session settings hold (the search's trigram threshold, the timeouts, generic plans): on the
 * connections that keep generic plans, or, behind a transaction pooler, in a transaction that sets the settings
 * first (postgres-client.ts; statements are unnamed there, so planned on every run whatever plan_cache_mode says).
 */
export function withSessionSettings<T>(database: Database, work: (db: Db) => Promise<T>): Promise<T> {
  return database.transactionPooler
    ? database.db.transaction((tx) => work(tx as unknown as Db))
    : work(database.genericPlans);
}

/** The database with its Drizzle views wrapped (timed, recorded): `db` and, when it is another one, `genericPlans`. */
export function mapDatabase(database: Database, wrap: (db: Db) => Db): Database {
  const db = wrap(database.db);
  return {
    ...database,
    db,
    genericPlans: database.genericPlans === database.db ? db : wrap(database.genericPlans),
  };
}

/** Refused: migrations through a transaction-mode pooler (its session-level advisory lock would not hold). */
export class MigrationsNeedDirectConnection extends Error {}

const DIRECT_CONNECTION_NEEDED =
  'run `desk migrate` with DATABASE_URL pointing at PostgreSQL itself (not the pooler) and DATABASE_TRANSACTION_POOLER unset';

/** Migrations in MIGRATIONS_DIR newer than the last one applied (what drizzle's migrator would run). */
async function pendingMigrations(check: PostgresPool['check']): Promise<number> {
  const at = await lastMigrationAt(check);
  return readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR }).filter((m) => m.folderMillis > at).length;
}

/**
 * Migrations whose effect waits for the next ANALYZE of some tables, by journal tag: a statistics target holds from the
 * next ANALYZE, and one inside the migration's transaction still reads the old targets (tried on 0018).
 */
const ANALYZE_AFTER: Readonly<Record<string, readonly string[]>> = {
  '0018_search_name_statistics': ['users'],
};

/** When the last migration applied was made (Drizzle's `created_at`, the journal's `when`); 0 before any. */
async function lastMigrationAt(query: (text: string) => Promise<Record<string, unknown>[]>): Promise<number> {
  const [table] = await query(`select to_regclass('drizzle.__drizzle_migrations')::text as name`);
  if (!table?.name) return 0;
  const [last] = await query('select max(created_at)::bigint as at from drizzle.__drizzle_migrations');
  return Number(last?.at ?? 0);
}

/** How long the ANALYZE after a migration waits for a lock on its table (a VACUUM running, say) before giving up. */
export const ANALYZE_LOCK_TIMEOUT_MS = 5_000;

/**
 * Analyses the tables that the migrations made after `appliedBefore` (just applied) wait for, once they are committed.
 * ANALYZE blocks neither reads nor writes; on a million users it takes a few seconds. Best effort: the migrations
 * are committed, so a failure (its table locked by a VACUUM beyond ANALYZE_LOCK_TIMEOUT_MS, say) is a warning
 * saying what to run, not a failed migration, and a later run would not try again.
 */
async function analyzeAfterMigrations(
  appliedBefore: number,
  run: (text: string) => Promise<unknown>,
): Promise<string[]> {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as {
    entries: { when: number; tag: string }[];
  };
  const tables = journal.entries
    .filter((e) => e.when > appliedBefore)
    .flatMap((e) => ANALYZE_AFTER[e.tag] ?? []);
  const warnings: string[] = [];
  for (const table of new Set(tables)) {
    try {
      await run(`analyze "${table}"`);
    } catch (err) {
      warnings.push(
        `The migrations are applied, but ANALYZE of ${table} failed (${err instanceof Error ? err.message : String(err)}): ` +
          `run \`ANALYZE ${table};\` once (docs/operations.md); until then user search plans at the old cost.`,
      );
    }
  }
  return warnings;
}

export interface DatabaseSettings {
  /** Embedded PGlite in a folder: the folder's lock, taken by the caller already; else openDatabase takes it. */
  dataFolderLock?: DataFolderLock | undefined;
  /** DATABASE_TRANSACTION_POOLER */
  transactionPooler?: boolean;
  /** DATABASE_QUERY_TIMEOUT, in seconds */
  queryTimeoutSeconds?: number;
}

/** The database settings of DESIGN.md §2 as openDatabase takes them. */
export function databaseSettings(config: {
  DATABASE_TRANSACTION_POOLER: boolean;
  DATABASE_QUERY_TIMEOUT: number;
}): DatabaseSettings {
  return {
    transactionPooler: config.DATABASE_TRANSACTION_POOLER,
    queryTimeoutSeconds: config.DATABASE_QUERY_TIMEOUT,
  };
}

export function openDatabase(
  url: string | undefined,
  dataDir: string,
  options: DatabaseSettings = {},
): Database {
  const queries = new QueryCounter();
  if (url && !url.startsWith('pglite:')) {
    const settings: PostgresSettings = {
      transactionPooler: options.transactionPooler ?? false,
      queryTimeoutMs: (options.queryTimeoutSeconds ?? 15) * 1_000,
    };
    const { raw, client, genericPlans, check } = openPostgres(url, settings);
    const db = drizzlePostgres(client, { logger: queries }) as unknown as Db;
    return {
      kind: 'postgres',
      transactionPooler: settings.transactionPooler,
      db,
      genericPlans: genericPlans
        ? (drizzlePostgres(genericPlans.client, { logger: queries }) as unknown as Db)
        : db,
      queries,
      async migrate() {
        if (settings.transactionPooler) {
          // Behind the pooler only check: Desk starts on a schema migrated beforehand, never on an older one.
          const pending = await pendingMigrations(check);
          if (pending)
            throw new MigrationsNeedDirectConnection(
              `The database lacks ${pending} migration${pending === 1 ? '' : 's'} of this release and DATABASE_TRANSACTION_POOLER is set: ${DIRECT_CONNECTION_NEEDED}.`,
            );
          return [];
        }
        // One connection, so the session-level advisory lock covers the whole migration.
        const single = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
        try {
          await single`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
          const appliedBefore = await lastMigrationAt((text) => single.unsafe(text));
          await migratePostgres(drizzlePostgres(single), { migrationsFolder: MIGRATIONS_DIR });
          await single.unsafe(`set lock_timeout = ${ANALYZE_LOCK_TIMEOUT_MS}`);
          return await analyzeAfterMigrations(appliedBefore, (text) => single.unsafe(text));
        } finally {
          await single.end({ timeout: 5 });
        }
      },
      async ping(timeoutMs = 2_000) {
        try {
          // Through the slots, unnamed: see PostgresPool.check. Both pools: a pod whose search connections are
          // refused (a pooler refusing their start-up parameter) cannot serve.
          const checks = Promise.all([check('select 1'), genericPlans?.check('select 1')]);
          await withTimeout(checks, timeoutMs, 'PostgreSQL');
        } catch (err) {
          throw new DatabaseUnavailable(err);
        }
      },
      async close() {
        await Promise.all([raw.end({ timeout: 5 }), genericPlans?.raw.end({ timeout: 5 })]);
      },
    };
  }
  const memory = url === 'pglite://memory';
  // One process per folder (data-folder-lock.ts): taken before PGlite opens it, given back once PGlite has closed.
  const lock = memory ? undefined : (options.dataFolderLock ?? lockDataFolder(dataDir));
  let client: PGlite;
  try {
    client = new PGlite(memory ? 'memory://' : pgliteDataPath(dataDir), {
      extensions: { pg_trgm, unaccent, citext, btree_gin },
      initDbStartParams: PGLITE_SETTINGS,
      startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
  // PGlite is one session: set once, before any query (it runs queries in order).
  client.exec(`SET pg_trgm.word_similarity_threshold = ${WORD_SIMILARITY_THRESHOLD}`).catch(() => {});
  const db = drizzlePglite(client, { logger: queries }) as unknown as Db;
  return {
    kind: 'pglite',
    transactionPooler: false,
    db,
    genericPlans: db,
    queries,
    async migrate() {
      const query = async (text: string) => (await client.query<Record<string, unknown>>(text)).rows;
      const appliedBefore = await lastMigrationAt(query);
      await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR });
      return analyzeAfterMigrations(appliedBefore, query);
    },
    async ping(timeoutMs = 2_000) {
      try {
        await withTimeout(db.execute(sql`SELECT 1`), timeoutMs, 'PGlite');
      } catch (err) {
        throw new DatabaseUnavailable(err);
      }
    },
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}
