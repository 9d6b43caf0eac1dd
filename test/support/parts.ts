// Isolated parts for one test file: its own database (PGlite in memory, or a fresh PostgreSQL
// database when DATABASE_URL is set) and its own Redis key prefix (when REDIS_URL is set).
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type Database, openDatabase } from '../../src/platform/database.ts';
import { type KeyValueStore, MemoryStore, RedisStore } from '../../src/platform/kv.ts';

export const DATABASE_URL = process.env.DATABASE_URL;
export const REDIS_URL = process.env.REDIS_URL;
export const backend = `${DATABASE_URL ? 'postgres' : 'pglite'}+${REDIS_URL ? 'redis' : 'memory'}`;

function unique(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  database: Database;
  /** The URL another process can use to reach the same database. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A new, empty database on a PostgreSQL server (the test server, DATABASE_URL, unless another is named), and how to
 * drop it (other sessions on it ended).
 */
export async function emptyPostgresDatabase(
  prefix: string,
  serverUrl = DATABASE_URL,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (!serverUrl) throw new Error('emptyPostgresDatabase needs DATABASE_URL or a server URL');
  const name = unique(prefix);
  const onServer = async (statement: string) => {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(statement);
    } finally {
      await admin.end();
    }
  };
  await onServer(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export async function testDatabase(): Promise<TestDatabase> {
  if (!DATABASE_URL) {
    const database = openDatabase('pglite://memory', '');
    await database.migrate();
    return { database, url: 'pglite://memory', drop: () => database.close() };
  }
  const own = await emptyPostgresDatabase('desk_test');
  const database = openDatabase(own.url, '');
  await database.migrate();
  return {
    database,
    url: own.url,
    async drop() {
      await database.close();
      await own.drop();
    },
  };
}

export interface TestStore {
  kv: KeyValueStore;
  prefix: string;
}

export function testStore(now?: () => number): TestStore {
  const prefix = `${unique('desk_test')}:`;
  if (!REDIS_URL) return { kv: new MemoryStore(now), prefix };
  return { kv: new RedisStore(REDIS_URL, { prefix }), prefix };
}

export function uniqueEmail(hint = 'user'): string {
  return `${hint}.${randomBytes(5).toString('hex')}@example.gouv.fr`;
}

/** A second client on the same store, as another pod would have (memory: the same object). */
export function sameStore(store: TestStore): KeyValueStore {
  return REDIS_URL ? new RedisStore(REDIS_URL, { prefix: store.prefix }) : store.kv;
}
