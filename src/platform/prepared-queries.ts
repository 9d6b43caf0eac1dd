// Statements built once per database: Drizzle renders their SQL at the first call, later calls only bind values.
import type { Query, SQL } from 'drizzle-orm';
import { type Db, rowsOf } from './database.ts';

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
  const built = perDatabase<T>();
  return (db, variant = '') => built(db, variant, () => build(db, variant));
}

/**
 * A memo per database object (see preparedPerDatabase for why) and key: `make` runs the first time a database meets
 * `key`, then its answer is reused.
 */
export function perDatabase<T>(): (db: Db, key: string, make: () => T) => T {
  const built = new WeakMap<Db, Map<string, T>>();
  return (db, key, make) => {
    let entries = built.get(db);
    if (!entries) {
      entries = new Map();
      built.set(db, entries);
    }
    let entry = entries.get(key);
    if (entry === undefined) {
      entry = make();
      entries.set(key, entry);
    }
    return entry;
  };
}

/** What `namedStatements` needs of Drizzle's database: the session its own `execute` prepares queries on. */
interface DrizzleInternals {
  session: {
    prepareQuery(
      query: Query,
      fields: undefined,
      name: string,
      arrayMode: boolean,
    ): { execute(values?: Record<string, unknown>): Promise<unknown> };
  };
  dialect: { sqlToQuery(sql: SQL): Query };
}

type Prepared = ReturnType<DrizzleInternals['session']['prepareQuery']>;

/**
 * Raw statements of a few shapes, each built once per database and sent as a named statement; its values fill the
 * `sql.placeholder(name)`s of the SQL built. Drizzle's `db.execute` renders the SQL text anew on every call (most of
 * the ~100 µs a search statement cost this process) and never names a statement, so postgres.js sends Parse and
 * Describe, waits, then Bind and Execute, and PostgreSQL parses and plans the text every time. Named (postgres.js
 * keeps one per text and connection), a call is one round trip, and once PostgreSQL has planned it five times it may
 * keep a generic plan: no planning at all. Only for statements whose generic plan is as good as a custom one (every
 * condition an index can take with parameters: test/users/search-plans.test.ts).
 *
 * Per database object and key (perDatabase, prepared-queries.ts), for preparedPerDatabase's reasons: a transaction's
 * `tx` runs its statements on its own connection, metrics.ts's timed view times them. `build` runs the first time a
 * database meets `key`, so the key must name everything the SQL depends on besides its placeholders. Behind a
 * transaction pooler postgres.js names nothing (`prepare: false` wins), and the search runs in a transaction of its own
 * (its session settings), so its statements are built again for each search, as before; PGlite ignores names.
 */
export function namedStatements(): <T>(
  db: Db,
  key: string,
  build: () => SQL,
  values: Record<string, unknown>,
) => Promise<T[]> {
  const prepared = perDatabase<Prepared>();
  return async <T>(db: Db, key: string, build: () => SQL, values: Record<string, unknown>) => {
    const statement = prepared(db, key, () => {
      const { session, dialect } = db as unknown as DrizzleInternals;
      return session.prepareQuery(dialect.sqlToQuery(build()), undefined, key, false);
    });
    return rowsOf<T>(await statement.execute(values));
  };
}
