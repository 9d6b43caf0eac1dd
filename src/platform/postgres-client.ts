// The postgres.js pool Desk queries through: every statement bounded in time, safe behind a transaction-mode pooler.
import { connect, type Socket } from 'node:net';
import postgres from 'postgres';

export interface PostgresSettings {
  /** DATABASE_TRANSACTION_POOLER: no named prepared statements, no start-up parameters (settings per transaction). */
  transactionPooler: boolean;
  /** DATABASE_QUERY_TIMEOUT in milliseconds: PostgreSQL's statement_timeout and idle_in_transaction_session_timeout. */
  queryTimeoutMs: number;
}

/** How much longer than PostgreSQL's own timeout Desk waits before giving a silent database up. */
export const SILENCE_GRACE_MS = 2_000;

/** User search: a word typed with one letter missing still reaches ~0.55 (the default 0.6 is too strict). */
export const WORD_SIMILARITY_THRESHOLD = 0.5;

/** A statement given up by Desk: the database did not answer within the deadline (databaseUnavailable: 503). */
export class QueryTimedOut extends Error {
  readonly code: string = 'DESK_QUERY_TIMEOUT';
}

/** A connection closed by Desk because the database stayed silent on it (databaseUnavailable: 503). */
export class ConnectionSilent extends QueryTimedOut {
  override readonly code = 'DESK_CONNECTION_SILENT';
}

/** Errors that mean the connection itself is gone (closed, reset or destroyed), not just one statement failing. */
const CONNECTION_GONE = new Set([
  'DESK_CONNECTION_SILENT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

/** Never settles: what a transaction's callback answers once its connection is gone (see `scoped`). */
const forever = new Promise<never>(() => {});

/** The server-side settings of every statement: start-up parameters, or SET LOCAL per transaction behind a pooler. */
function sessionSettings({ queryTimeoutMs }: PostgresSettings): Record<string, string> {
  return {
    statement_timeout: String(queryTimeoutMs),
    idle_in_transaction_session_timeout: String(queryTimeoutMs),
    'pg_trgm.word_similarity_threshold': String(WORD_SIMILARITY_THRESHOLD),
  };
}

/**
 * The connections' sockets, opened here so that a connection silent for `silentMs` (no byte either way: a peer gone
 * without FIN or RST, a stuck proxy) is destroyed. postgres.js then fails its statement with the error given (503)
 * and opens a new connection for the next one: a stuck connection is never reused. An idle pooled connection closed
 * this way is simply opened again when needed. (TCP keep-alive takes minutes and sees nothing wrong with a live
 * proxy in front of a dead server.)
 */
function silenceBoundedSockets(silentMs: number) {
  let next = 0;
  return (options: { host: string[]; port: number[]; path?: string | false }): Socket => {
    const i = next++ % options.host.length;
    const socket = options.path
      ? connect(options.path)
      : connect({ host: options.host[i] ?? 'localhost', port: options.port[i] ?? options.port[0] ?? 5432 });
    socket.setTimeout(silentMs, () =>
      socket.destroy(
        new ConnectionSilent(
          `The database connection stayed silent for ${silentMs / 1000} s and was closed.`,
        ),
      ),
    );
    return socket;
  };
}

type Sql = postgres.Sql;

const POOL_SIZE = 10;
type Pending = PromiseLike<unknown> & {
  values(): unknown;
  raw(): unknown;
  cancel(): unknown;
  state?: unknown;
};

/**
 * At most as many statements and transactions in flight as the pool has connections; the others wait here, in order.
 * postgres.js would instead pipeline them behind busy connections, and when a schema change invalidates a named
 * statement ("cached plan must not change result type") it prepares it again and resends it behind the statements
 * pipelined after it: their answers are then matched to the wrong statements (empty results, hangs). With one
 * statement per connection it re-prepares cleanly. (Its max_pipeline cannot say "one": transactions need two.)
 */
class Slots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  /** `first`: ahead of the statements waiting (a health check must not wait behind the whole queue). */
  take(run: () => void, first = false): void {
    if (this.free > 0) {
      this.free -= 1;
      run();
    } else if (first) this.waiting.unshift(run);
    else this.waiting.push(run);
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/**
 * `start` run once a slot is free, failing with QueryTimedOut if it has not settled `ms` after the call (waiting
 * included); `onTimeout` is then told, if it had started. The slot is given back when the work itself settles: a
 * statement stuck on a silent connection keeps it until that connection is destroyed.
 */
function limited<T>(
  slots: Slots | undefined,
  ms: number,
  start: () => PromiseLike<T>,
  onTimeout: () => void,
  first = false,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let started = false;
    let gaveUp = false;
    const timer = setTimeout(() => {
      gaveUp = true;
      if (started) onTimeout();
      reject(new QueryTimedOut(`The database did not answer within ${ms / 1000} s.`));
    }, ms);
    const run = () => {
      if (gaveUp) return slots?.release();
      started = true;
      let work: PromiseLike<T>;
      try {
        work = start();
      } catch (err) {
        work = Promise.reject(err);
      }
      Promise.resolve(work)
        .then(resolve, reject)
        .finally(() => {
          clearTimeout(timer);
          slots?.release();
        });
    };
    if (slots) slots.take(run, first);
    else run();
  });
}

/**
 * A transaction whose connection Desk gave up (a statement timed out, or the connection is gone): the caller was
 * already answered (503); nothing more is sent on that connection, not even ROLLBACK or COMMIT (see `scoped`).
 */
interface Within {
  gone?: Error;
  giveUp(err: Error): void;
}

/** A statement timed out by Desk, or its connection gone: the transaction's connection cannot be trusted any more. */
function connectionLost(err: unknown): err is Error {
  return (
    err instanceof QueryTimedOut || CONNECTION_GONE.has((err as { code?: string } | undefined)?.code ?? '')
  );
}

/**
 * A postgres.js query (lazy: sent when awaited) run through `limited`. Drizzle only awaits queries and asks
 * `.values()` of them, which is all this keeps. Inside a transaction (`within`), a statement timing out gives the
 * whole transaction up at once, and none is sent any more once it was.
 */
function boundedQuery(query: Pending, slots: Slots | undefined, ms: number, within?: Within): Pending {
  let settled: Promise<unknown> | undefined;
  const run = () => {
    settled ??= limited(
      slots,
      ms,
      () => (within?.gone ? Promise.reject(within.gone) : query),
      // Still queued in postgres.js: taken out. Sent: left to the silence bound on its socket (postgres.js's
      // cancel request would reject unhandled when the database does not answer it).
      () => {
        if (!query.state) query.cancel();
      },
    ).catch((err: unknown) => {
      if (within && connectionLost(err)) within.giveUp(err);
      throw err;
    });
    return settled;
  };
  const bounded = {
    values() {
      query.values();
      return bounded;
    },
    raw() {
      query.raw();
      return bounded;
    },
    // biome-ignore lint/suspicious/noThenProperty: a thenable standing for postgres.js's lazy query
    then: (ok?: (v: unknown) => unknown, ko?: (e: unknown) => unknown) => run().then(ok, ko),
    catch: (ko?: (e: unknown) => unknown) => run().catch(ko),
    finally: (done?: () => void) => run().finally(done),
  };
  return bounded as unknown as Pending;
}

/**
 * The client as Drizzle sees it (drizzle-orm/postgres-js calls `unsafe`, `begin` and, in a transaction, `savepoint`):
 * every statement under a deadline, a transaction's connection waited for no longer than a statement, and, behind a
 * transaction pooler, each transaction opened with the settings a direct connection gets at start-up (SET LOCAL).
 * Inside a transaction (`slots` undefined) statements use its connection and take no slot.
 */
function bounded(
  sql: Sql,
  settings: PostgresSettings,
  deadlineMs: number,
  slots?: Slots,
  within?: Within,
): Sql {
  const local = Object.entries(sessionSettings(settings))
    .map(([name, value]) => `set_config('${name}', '${value}', true)`)
    .join(', ');
  const unsafe = (...args: Parameters<Sql['unsafe']>) =>
    boundedQuery(sql.unsafe(...args) as unknown as Pending, slots, deadlineMs, within);
  // A transaction (or savepoint): the deadline covers the wait for a connection and BEGIN, each statement inside then
  // has its own; the slot is held until it ends. A statement inside timing out answers the caller at once (503),
  // not after the ROLLBACK postgres.js would queue on the same silent connection (another full deadline, since
  // writing it restarts the socket's silence bound).
  const scoped =
    (open: (...args: unknown[]) => PromiseLike<unknown>, setUp: boolean) =>
    (...args: unknown[]) => {
      const run = args.pop() as (tx: Sql) => unknown;
      return new Promise((resolve, reject) => {
        let state: 'waiting' | 'begun' | 'abandoned' = 'waiting';
        let lost: Error | undefined;
        const level: Within = {
          get gone() {
            return lost ?? within?.gone;
          },
          giveUp(err) {
            if (lost) return;
            lost = err;
            within?.giveUp(err);
            reject(err);
          },
        };
        const timer = setTimeout(() => {
          if (state !== 'waiting') return;
          state = 'abandoned';
          const err = new QueryTimedOut(`No database connection answered within ${deadlineMs / 1000} s.`);
          // A savepoint not begun in time: its transaction's connection is stuck as well.
          if (within) level.giveUp(err);
          else reject(err);
        }, deadlineMs);
        const go = () => {
          let transaction: PromiseLike<unknown>;
          try {
            transaction = open(...args, async (tx: Sql) => {
              // Given up while waiting: end it at once (ROLLBACK).
              if (state === 'abandoned') throw new QueryTimedOut('Given up before the transaction began.');
              state = 'begun';
              clearTimeout(timer);
              const inner = bounded(tx, settings, deadlineMs, undefined, level);
              let result: unknown;
              try {
                if (setUp) await inner.unsafe(`select ${local}`);
                result = await run(inner);
              } catch (err) {
                if (level.gone) return forever;
                throw err;
              }
              // Its connection given up (timed out or gone): nothing more is sent on it, neither ROLLBACK nor COMMIT
              // (postgres.js 3.4 crashes the process writing on a closed socket). The silence bound destroys it,
              // and postgres.js then fails the transaction, which gives the slot back; it is never reused.
              return level.gone ? forever : result;
            });
          } catch (err) {
            transaction = Promise.reject(err);
          }
          Promise.resolve(transaction)
            .then(resolve, reject)
            .finally(() => {
              clearTimeout(timer);
              slots?.release();
            });
        };
        if (!slots) go();
        else slots.take(() => (state === 'abandoned' ? slots.release() : go()));
      });
    };
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === 'unsafe') return unsafe;
      if (property === 'begin' && slots)
        return scoped(target.begin.bind(target) as never, settings.transactionPooler);
      if (property === 'savepoint')
        return scoped((target as unknown as postgres.TransactionSql).savepoint.bind(target) as never, false);
      return Reflect.get(target, property, receiver);
    },
  });
}

export interface PostgresPool {
  /** The pool itself (health checks, closing). */
  raw: Sql;
  /** The pool Drizzle runs on: bounded statements, settings per transaction behind a pooler. */
  client: Sql;
  /**
   * Connections of their own for the statements whose generic plan is tested to be as good as any custom one (user
   * search: test/users/search-plans.test.ts), started with `plan_cache_mode = force_generic_plan`, bounded like the
   * others. Without it PostgreSQL chooses per connection, from a named statement's first five runs, whether it plans
   * every later run anew: a connection whose first searches were rare full names planned every later search again
   * (3.4x the time of that statement). Set only there: a generic plan cannot use a partial index whose condition is a
   * parameter, nor a LIMIT or a LIKE pattern, which Desk's other statements may need. Undefined behind a transaction
   * pooler, which names no statement (every statement is planned anyway) and refuses start-up parameters.
   */
  genericPlans?: Omit<PostgresPool, 'genericPlans'>;
  /**
   * A statement without parameters for health checks and start-up checks: unnamed, bounded like any other and
   * through the same slots (never pipelined behind a busy connection), ahead of the statements waiting for one.
   */
  check(text: string): Promise<Record<string, unknown>[]>;
}

/** The connections of genericPlans: a pod holds at most POOL_SIZE + GENERIC_PLANS_POOL_SIZE (docs/operations.md). */
export const GENERIC_PLANS_POOL_SIZE = 4;

export function openPostgres(url: string, settings: PostgresSettings): PostgresPool {
  const { raw, client, check } = openPool(url, settings, POOL_SIZE, {});
  if (settings.transactionPooler) return { raw, client, check };
  const generic = openPool(url, settings, GENERIC_PLANS_POOL_SIZE, { plan_cache_mode: 'force_generic_plan' });
  return { raw, client, check, genericPlans: generic };
}

/** A postgres.js pool of `size` connections, its statements bounded and through its own slots, and its check. */
function openPool(
  url: string,
  settings: PostgresSettings,
  size: number,
  startUp: Record<string, string>,
): Omit<PostgresPool, 'genericPlans'> {
  const deadlineMs = settings.queryTimeoutMs + SILENCE_GRACE_MS;
  const raw = postgres(url, {
    max: size,
    connect_timeout: 5,
    // Idle connections are ended by postgres.js before the silence bound below would destroy them.
    idle_timeout: Math.min(30, Math.max(1, Math.floor(deadlineMs / 1000) - 1)),
    // postgres.js waits up to 20 s between reconnections after a run of failures (3^n/100 s, shared by the
    // pool): a database back after a restart would stay unused that long. At most a second, with jitter.
    backoff: reconnectDelaySeconds,
    onnotice: () => {},
    // A transaction-mode pooler hands each transaction any server connection: a statement prepared on one is
    // unknown on the next. Drizzle's named queries (preparedPerDatabase) then go unnamed too.
    prepare: !settings.transactionPooler,
    // Desk has no array columns. postgres.js otherwise reads the array types on every new connection, in a
    // promise nothing catches: a connection cut at that moment crashed the process (unhandled rejection).
    fetch_types: false,
    socket: silenceBoundedSockets(deadlineMs),
    connection: {
      application_name: 'desk',
      // PgBouncer refuses unknown start-up parameters (or drops them, with ignore_startup_parameters).
      ...(settings.transactionPooler ? {} : { ...sessionSettings(settings), ...startUp }),
    },
  } as postgres.Options<Record<string, postgres.PostgresType>>) as unknown as Sql;
  // When PostgreSQL refuses a named statement gone stale (a column changed type), postgres.js prepares it again and
  // binds the same parameters again, already serialized: `true` became 't', then 'f' ('t' is not `true`), so
  // users_active_by_id asked for inactive users and found none, and the session was ended. Serializing twice must
  // change nothing: booleans and bytea keep a value already serialized.
  const serializers = raw.options.serializers as Record<number, (x: unknown) => string>;
  serializers[16] = (x) => (x === true || x === 't' ? 't' : 'f');
  const bytea = serializers[17];
  if (bytea) serializers[17] = (x) => (typeof x === 'string' && x.startsWith('\\x') ? x : bytea(x));
  const slots = new Slots(size);
  const check = (text: string) => {
    const query = raw.unsafe(text) as unknown as Pending;
    return limited(
      slots,
      deadlineMs,
      () => query,
      () => {
        if (!query.state) query.cancel();
      },
      true,
    ) as Promise<Record<string, unknown>[]>;
  };
  return { raw, client: bounded(raw, settings, deadlineMs, slots), check };
}

/** Seconds before the next connection attempt after `failures` failed ones: 50 ms doubling, capped at 1 s, jittered. */
export function reconnectDelaySeconds(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** failures, 1);
}
