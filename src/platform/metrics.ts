// Prometheus metrics of one Desk (METRICS_PORT): its own registry, the timers around requests, the session store and
// the database, the counters features report to, and the small server answering GET /metrics on its own port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from './config.ts';
import { type Database, mapDatabase, rowsOf } from './database.ts';
import type { App } from './http.ts';
import type { KeyValueStore, Replaced } from './kv.ts';

export type LoginMethod = 'oidc' | 'password';

/** Store operations and queries take milliseconds, not the seconds of prom-client's default buckets. */
const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** A scrape waits at most this long for the job queue's numbers (Prometheus gives a scrape 10 s by default). */
const JOBS_SAMPLE_TIMEOUT_MS = 2_000;
const NOT_FOUND = JSON.stringify({ detail: 'Not found.' });

/**
 * One Desk's metrics. Built for every Desk, so features count without asking whether metrics are on; only with
 * METRICS_PORT set does it time requests, the store and the database, watch the process, and serve /metrics.
 * The registry is its own, never prom-client's global one: tests run many Desks in one process.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly enabled: boolean;
  /** Where /metrics answers once Desk is ready; null when METRICS_PORT is unset. */
  url: string | null = null;
  private server: Server | undefined;
  private log: FastifyBaseLogger | undefined;
  private readonly requests: Histogram<'method' | 'route' | 'status_code'>;
  private readonly inFlight: Gauge;
  private readonly storeDuration: Histogram<'operation' | 'store'>;
  private readonly queryDuration: Histogram;
  private readonly introspection: Counter<'result'>;
  private readonly logins: Counter<'method' | 'result' | 'reason'>;
  private readonly jobsQueued: Gauge;
  private readonly jobsOldestAge: Gauge;
  private readonly collectErrors: Counter;
  private jobs: { database: Database; now: () => number } | undefined;
  private jobsSample: Promise<void> | undefined;

  constructor(private readonly config: Config) {
    this.enabled = config.METRICS_PORT !== undefined;
    const registers = [this.registry];
    this.requests = new Histogram({
      name: 'desk_http_request_duration_seconds',
      help: 'Time from the request received to the response sent, by route template ("unmatched" when no route matched) and status',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'desk_http_requests_in_flight',
      help: 'Requests received and not yet answered (or abandoned by their client)',
      registers,
    });
    this.storeDuration = new Histogram({
      name: 'desk_session_store_duration_seconds',
      help: 'Time of each operation on the store of sessions, throttles and caches (Redis or process memory)',
      labelNames: ['operation', 'store'],
      buckets: FAST_BUCKETS,
      registers,
    });
    this.queryDuration = new Histogram({
      name: 'desk_database_query_duration_seconds',
      help: 'Time of each database statement, from sending it to its rows (failures included)',
      buckets: FAST_BUCKETS,
      registers,
    });
    this.introspection = new Counter({
      name: 'desk_introspection_cache_total',
      help: 'Access tokens checked by the resource server: answered from the introspection cache (hit) or by asking the provider (miss)',
      labelNames: ['result'],
      registers,
    });
    this.logins = new Counter({
      name: 'desk_logins_total',
      help: 'Logins through the provider (oidc) or with a staff password, by result; failures by their refusal code',
      labelNames: ['method', 'result', 'reason'],
      registers,
    });
    const sample = () => this.sampleJobs();
    this.jobsQueued = new Gauge({
      name: 'desk_jobs_queued',
      help: 'Background jobs due and waiting for a worker (absent when the database did not answer)',
      registers,
      collect: sample,
    });
    this.jobsOldestAge = new Gauge({
      name: 'desk_jobs_oldest_age_seconds',
      help: 'How long the longest-waiting due job has been due, 0 when none waits (absent when the database did not answer)',
      registers,
      collect: sample,
    });
    this.collectErrors = new Counter({
      name: 'desk_metrics_collect_errors_total',
      help: 'Scrapes that could not read a value (the job queue) and left it out',
      registers,
      collect: sample,
    });
    for (const result of ['hit', 'miss']) this.introspection.inc({ result }, 0);
    for (const method of ['oidc', 'password']) this.logins.inc({ method, result: 'success' }, 0);
    if (this.enabled) collectDefaultMetrics({ register: this.registry });
  }

  /** Times every request of the app and counts those in flight. */
  instrumentRequests(app: App): void {
    this.log = app.log;
    if (!this.enabled) return;
    const { requests, inFlight } = this;
    const ended = () => inFlight.dec();
    app.addHook('onRequest', (_request, reply, done) => {
      inFlight.inc();
      // A response emits 'close' once, also when its client went away first (then onResponse never runs).
      reply.raw.on('close', ended);
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      // The route's template, never the URL: ids and unknown paths would make a series each.
      requests.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status_code: reply.statusCode,
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }

  /** The store, each operation timed (the store itself when metrics are off). */
  timedStore(store: KeyValueStore): KeyValueStore {
    return this.enabled ? new TimedStore(store, this.storeDuration) : store;
  }

  /** The database, each query timed (the database itself when metrics are off). */
  timedDatabase(database: Database): Database {
    if (!this.enabled) return database;
    const timer = new QueryTimer(this.queryDuration);
    return mapDatabase(database, (db) => timer.scope(db));
  }

  /** The job queue's depth and oldest job, read from this database at each scrape. */
  watchJobs(database: Database, now: () => number = Date.now): void {
    this.jobs = { database, now };
  }

  introspectionLookup(result: 'hit' | 'miss'): void {
    this.introspection.inc({ result });
  }

  loginSucceeded(method: LoginMethod): void {
    this.logins.inc({ method, result: 'success' });
  }

  /** `reason` is one of a fixed set of refusal codes, never anything the user typed or the provider said. */
  loginFailed(method: LoginMethod, reason: string): void {
    this.logins.inc({ method, result: 'failure', reason });
  }

  /** Both job gauges collect at once in a scrape: they share one query. */
  private sampleJobs(): Promise<void> {
    this.jobsSample ??= this.readJobs().finally(() => {
      this.jobsSample = undefined;
    });
    return this.jobsSample;
  }

  private async readJobs(): Promise<void> {
    if (!this.jobs) return;
    try {
      const { queued, oldest } = await queuedJobs(this.jobs.database, new Date(this.jobs.now()));
      this.jobsQueued.set(queued);
      this.jobsOldestAge.set(oldest);
    } catch (err) {
      // Left out rather than 0: an empty queue and an unreadable one must not look alike.
      this.jobsQueued.remove();
      this.jobsOldestAge.remove();
      this.collectErrors.inc();
      this.log?.warn({ err }, 'metrics: the job queue could not be read');
    }
  }

  /**
   * Starts the /metrics server on HOST:METRICS_PORT, nothing when unset. Run before the public port opens (onReady),
   * so a port already taken stops the start instead of leaving Desk running unwatched.
   */
  async listen(): Promise<void> {
    const port = this.config.METRICS_PORT;
    if (port === undefined || this.server) return;
    const server = createServer((request, response) => this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const { address, port: bound } = server.address() as AddressInfo;
    this.url = `http://${address.includes(':') ? `[${address}]` : address}:${bound}/metrics`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.url = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // A scraper keeps its connection open between scrapes.
      server.closeAllConnections();
    });
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '').split('?', 1)[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end(NOT_FOUND);
      return;
    }
    this.registry.metrics().then(
      (text) =>
        response
          .writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' })
          .end(text),
      (err: unknown) => {
        this.log?.error({ err }, 'metrics: collection failed');
        response
          .writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
          .end(JSON.stringify({ detail: 'A server error occurred.' }));
      },
    );
  }
}

/**
 * Jobs a worker could claim now (the claim's own conditions, job-queue.ts) and how long the oldest has been due.
 * Bounded twice: the statement by a timeout PostgreSQL enforces, the wait (for a pooled connection too) here.
 */
async function queuedJobs(database: Database, now: Date): Promise<{ queued: number; oldest: number }> {
  const at = now.toISOString();
  const read = database.db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local statement_timeout = ${JOBS_SAMPLE_TIMEOUT_MS}`));
    return tx.execute(sql`
      select count(*)::int as queued,
        coalesce(extract(epoch from ${at}::timestamptz - min(run_at)), 0)::float8 as oldest
      from jobs
      where status = 'pending' and run_at <= ${at}::timestamptz
        and (locked_until is null or locked_until < ${at}::timestamptz)`);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the jobs table did not answer within ${JOBS_SAMPLE_TIMEOUT_MS} ms`)),
      JOBS_SAMPLE_TIMEOUT_MS,
    );
  });
  try {
    const [row] = rowsOf<{ queued: number; oldest: number }>(await Promise.race([read, timeout]));
    return { queued: Number(row?.queued ?? 0), oldest: Math.max(0, Number(row?.oldest ?? 0)) };
  } finally {
    clearTimeout(timer);
  }
}

const STORE_OPERATIONS = [
  'get',
  'set',
  'set_if_absent',
  'replace_if_unchanged',
  'take',
  'delete',
  'hit',
  'peek',
  'add_to_set',
  'remove_from_set',
  'set_members',
  'ping',
] as const;
type StoreOperation = (typeof STORE_OPERATIONS)[number];

/** A store whose every operation is timed, in memory and on Redis alike (failures included). */
class TimedStore implements KeyValueStore {
  readonly kind: KeyValueStore['kind'];
  private readonly timers: Record<StoreOperation, { observe(seconds: number): void }>;

  constructor(
    private readonly store: KeyValueStore,
    duration: Histogram<'operation' | 'store'>,
  ) {
    this.kind = store.kind;
    // Label lookups once, here, rather than on each call.
    const timers = {} as Record<StoreOperation, { observe(seconds: number): void }>;
    for (const operation of STORE_OPERATIONS)
      timers[operation] = duration.labels({ operation, store: store.kind });
    this.timers = timers;
  }

  private done(operation: StoreOperation, start: number): void {
    this.timers[operation].observe((performance.now() - start) / 1000);
  }

  async get(key: string): Promise<string | null> {
    const start = performance.now();
    try {
      return await this.store.get(key);
    } finally {
      this.done('get', start);
    }
  }
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const start = performance.now();
    try {
      return await this.store.set(key, value, ttlMs);
    } finally {
      this.done('set', start);
    }
  }
  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const start = performance.now();
    try {
      return await this.store.setIfAbsent(key, value, ttlMs);
    } finally {
      this.done('set_if_absent', start);
    }
  }
  async replaceIfUnchanged(key: string, expected: string, value: string, ttlMs: number): Promise<Replaced> {
    const start = performance.now();
    try {
      return await this.store.replaceIfUnchanged(key, expected, value, ttlMs);
    } finally {
      this.done('replace_if_unchanged', start);
    }
  }
  async take(key: string): Promise<string | null> {
    const start = performance.now();
    try {
      return await this.store.take(key);
    } finally {
      this.done('take', start);
    }
  }
  async del(...keys: string[]): Promise<void> {
    const start = performance.now();
    try {
      return await this.store.del(...keys);
    } finally {
      this.done('delete', start);
    }
  }
  async hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    const start = performance.now();
    try {
      return await this.store.hit(key, windowMs);
    } finally {
      this.done('hit', start);
    }
  }
  async peek(key: string): Promise<{ count: number; resetMs: number }> {
    const start = performance.now();
    try {
      return await this.store.peek(key);
    } finally {
      this.done('peek', start);
    }
  }
  async addToSet(key: string, member: string, ttlMs: number): Promise<void> {
    const start = performance.now();
    try {
      return await this.store.addToSet(key, member, ttlMs);
    } finally {
      this.done('add_to_set', start);
    }
  }
  async removeFromSet(key: string, member: string): Promise<void> {
    const start = performance.now();
    try {
      return await this.store.removeFromSet(key, member);
    } finally {
      this.done('remove_from_set', start);
    }
  }
  async setMembers(key: string): Promise<string[]> {
    const start = performance.now();
    try {
      return await this.store.setMembers(key);
    } finally {
      this.done('set_members', start);
    }
  }
  async ping(): Promise<void> {
    const start = performance.now();
    try {
      return await this.store.ping();
    } finally {
      this.done('ping', start);
    }
  }
  close(): Promise<void> {
    return this.store.close();
  }
}

/** What the timing needs of Drizzle's objects (PgDatabase / PgTransaction, PgSession, PgPreparedQuery). */
interface PreparedQuery {
  execute(...args: unknown[]): Promise<unknown>;
  all(...args: unknown[]): Promise<unknown>;
}
interface DrizzleSession {
  prepareQuery(...args: unknown[]): PreparedQuery;
}
interface DrizzleScope {
  session: DrizzleSession;
  transaction(run: (tx: DrizzleScope) => Promise<unknown>, config?: unknown): Promise<unknown>;
}

/**
 * Times every query of a Drizzle database, on PGlite and postgres.js alike. Drizzle's logger only hears that a query
 * starts; the drivers' functions (postgres.js `unsafe`, PGlite `query`) are the right place on the pool but not inside
 * a transaction, where Drizzle builds a new session on the transaction's own client. So the timing sits at the one
 * step every statement takes on both drivers (drizzle-orm/{postgres-js,pglite}/session.js): the prepared query's
 * `execute` (and `all`), which sends the statement and resolves with its rows. The database is seen through a Proxy
 * whose `session` prepares timed queries, and a transaction hands its callback a `tx` seen the same way (Drizzle's
 * builders read `this.session`, so they pick the timed one). Nothing is patched: database.ts's database, which several
 * Desks share in tests, stays as it is. Statements Drizzle sends on its own (BEGIN, COMMIT, savepoints) are not timed.
 */
class QueryTimer {
  private readonly sessions = new WeakMap<object, DrizzleSession>();

  constructor(private readonly duration: Histogram) {}

  scope<T extends object>(target: T): T {
    const real = target as unknown as DrizzleScope;
    const transaction: DrizzleScope['transaction'] = (run, config) =>
      real.transaction((tx) => run(this.scope(tx)), config);
    return new Proxy(target, {
      get: (t, property, receiver) => {
        if (property === 'session') return this.session(real.session);
        if (property === 'transaction') return transaction;
        return Reflect.get(t, property, receiver);
      },
    });
  }

  private session(session: DrizzleSession): DrizzleSession {
    let timed = this.sessions.get(session);
    if (!timed) {
      const prepareQuery = (...args: unknown[]) => this.timed(session.prepareQuery(...args));
      timed = new Proxy(session, {
        get: (t, property, receiver) =>
          property === 'prepareQuery' ? prepareQuery : Reflect.get(t, property, receiver),
      });
      this.sessions.set(session, timed);
    }
    return timed;
  }

  /** The prepared query is new and ours alone (or a named one prepared through us once): its methods can be wrapped. */
  private timed(query: PreparedQuery): PreparedQuery {
    const { duration } = this;
    const { execute, all } = query;
    query.execute = async function (this: PreparedQuery, ...args: unknown[]) {
      const start = performance.now();
      try {
        return await execute.apply(this, args);
      } finally {
        duration.observe((performance.now() - start) / 1000);
      }
    };
    query.all = async function (this: PreparedQuery, ...args: unknown[]) {
      const start = performance.now();
      try {
        return await all.apply(this, args);
      } finally {
        duration.observe((performance.now() - start) / 1000);
      }
    };
    return query;
  }
}
