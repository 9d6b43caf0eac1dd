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

export async function testDatabase(): Promise<TestDatabase> {
  if (!DATABASE_URL) {
    const database = openDatabase('pglite://memory', '');
    await database.migrate();
    return { database, url: 'pglite://memory', drop: () => database.close() };
  }
  const name = unique('desk_test');
  const admin = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const database = openDatabase(url.toString(), '');
  await database.migrate();
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const again = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
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
