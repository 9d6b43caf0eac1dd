// What a benchmark may write to a server it is given, and how it cleans up: a PostgreSQL database of its own
// (desk_bench_*, or people_bench_* for a people source it makes) and a Redis key prefix of its own (desk_bench_*:).
// Nothing else is ever dropped or deleted.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import postgres from 'postgres';

export const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

const OWN_NAME = /^desk_bench_[a-z0-9_]+$/;
const OWN_DATABASE = /^(desk|people)_bench_[a-z0-9_]+$/;

/** DATABASE_URL when it names a PostgreSQL server, else undefined (PGlite). */
export function postgresServer(url = process.env.DATABASE_URL): string | undefined {
  return url && /^postgres(ql)?:/.test(url) ? url : undefined;
}

/** A name no other run uses: `desk_bench_<what>_<time>_<random>`. */
export function uniqueName(what: string): string {
  return `desk_bench_${what}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** A people source database's name no other run uses: `people_bench_<random>`. */
export function uniquePeopleName(): string {
  return `people_bench_${randomBytes(8).toString('hex')}`;
}

export interface OwnDatabase {
  name: string;
  url: string;
  /** Drops this database, and only it. */
  drop(): Promise<void>;
}

/**
 * Creates the database `name` (desk_bench_* or people_bench_*) on the server `serverUrl` points at. With `replace`, a database left by an
 * interrupted run of the same benchmark (same fixed name) is dropped first: the name is this benchmark's own. `settings`
 * are the database's own defaults (ALTER DATABASE … SET), which every session opened on it afterwards starts with.
 */
export async function ownDatabase(
  serverUrl: string,
  name: string,
  options: { replace?: boolean; settings?: Record<string, string> } = {},
): Promise<OwnDatabase & { replaced: boolean }> {
  if (!OWN_DATABASE.test(name))
    throw new Error(`a benchmark database is named desk_bench_* or people_bench_*, not ${name}`);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  let replaced = false;
  try {
    const exists = await admin`select 1 from pg_database where datname = ${name}`;
    if (exists.length) {
      if (!options.replace) throw new Error(`database ${name} already exists`);
      await admin.unsafe(`drop database ${name} with (force)`);
      replaced = true;
    }
    await admin.unsafe(`create database ${name}`);
    for (const [setting, value] of Object.entries(options.settings ?? {})) {
      if (!/^[a-z_][a-z0-9_.]*$/.test(setting)) throw new Error(`not a setting name: ${setting}`);
      await admin.unsafe(`alter database ${name} set ${setting} = '${value.replaceAll("'", "''")}'`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    replaced,
    async drop() {
      const again = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await again.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await again.end();
      }
    },
  };
}

/** A Redis key prefix no other run uses. */
export function ownPrefix(what: string): string {
  return `${uniqueName(what)}:`;
}

/** Deletes the keys under `prefix` (SCAN + UNLINK, never FLUSHDB); answers how many. */
export async function forgetPrefix(client: Redis, prefix: string): Promise<number> {
  if (!OWN_NAME.test(prefix.replace(/:$/, ''))) throw new Error(`refusing to delete keys under ${prefix}`);
  const pattern = `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
