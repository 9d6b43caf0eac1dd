// Hot reads built once per database: Drizzle renders their SQL at the first call, later calls only bind values.
import type { Db } from './database.ts';

/**
 * `build` runs once per database object and variant (an ordering, say), then its prepared query is reused.
 *
 * Per database object, because a prepared query keeps the session it was prepared on: each Desk (tests run
 * several), each metrics-timed view of a database (metrics.ts wraps the session, so its prepared queries are timed)
 * and each transaction has its own, and a query prepared on the pool must never run outside the caller's
 * transaction. A transaction's entry goes with it (WeakMap).
 *
 * On postgres.js a query prepared with a name is also a server-side prepared statement, per connection
 * (drizzle-orm/postgres-js passes `prepare: true` only then): one round trip per call instead of two (parse and
 * describe, then bind and execute), and no parsing. PGlite ignores the name. Behind a transaction-mode pooler
 * (DATABASE_TRANSACTION_POOLER) postgres.js runs with `prepare: false`, so the same queries go unnamed: their SQL is
 * still rendered once, and nothing depends on a statement living on a server connection.
 *
 * After a schema change PostgreSQL refuses a named statement once ("cached plan must not change result type");
 * postgres.js prepares it again on that connection, and postgres-client.ts makes sure the retry binds the same
 * values and is not mismatched with other answers: an empty result always means no row.
 */
export function preparedPerDatabase<T>(build: (db: Db) => T): (db: Db) => T;
export function preparedPerDatabase<T, V extends string>(
  build: (db: Db, variant: V) => T,
): (db: Db, variant: V) => T;
export function preparedPerDatabase<T>(
  build: (db: Db, variant: string) => T,
): (db: Db, variant?: string) => T {
  const built = new WeakMap<Db, Map<string, T>>();
  return (db, variant = '') => {
    let variants = built.get(db);
    if (!variants) {
      variants = new Map();
      built.set(db, variants);
    }
    let query = variants.get(variant);
    if (query === undefined) {
      query = build(db, variant);
      variants.set(variant, query);
    }
    return query;
  };
}
