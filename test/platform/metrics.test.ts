// METRICS_PORT: what an operator's Prometheus scrapes from /metrics on its own port after Desk served requests, logins,
// introspections and queued jobs; never on the public port, and no metrics server at all when the setting is unset.
import { createServer } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDesk } from '../../src/app.ts';
import { hashPassword } from '../../src/auth/index.ts';
import { ConfigError, configFrom } from '../../src/platform/config.ts';
import type { Database } from '../../src/platform/database.ts';
import { Metrics } from '../../src/platform/metrics.ts';
import { jobs } from '../../src/platform/schema.ts';
import { users } from '../../src/users/index.ts';
import { BASE_SETTINGS, PASSWORD, type RunningDesk, startDeskOn } from '../support/desk.ts';
import { answer, beginLogin, callback, newSub } from '../support/forge-login.ts';
import { type IntrospectionForge, startIntrospectionForge } from '../support/introspection-forge.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore, uniqueEmail } from '../support/parts.ts';
import { type Forge, startForge } from '../support/token-forge.ts';

let forge: Forge;
let introspection: IntrospectionForge;
let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;
const others: RunningDesk[] = [];

beforeAll(async () => {
  [forge, introspection, testDb] = await Promise.all([
    startForge(),
    startIntrospectionForge(),
    testDatabase(),
  ]);
  store = testStore();
  desk = await startDeskOn(testDb, store.kv, {
    ...forge.settings,
    LOGIN_REDIRECT_URL_FAILURE: '/login-failed',
    OIDC_RS_CLIENT_ID: 'desk-rs',
    OIDC_RS_CLIENT_SECRET: 'desk-rs-secret',
    OIDC_RS_BACKEND: 'json',
    OIDC_OP_INTROSPECTION_ENDPOINT: `${introspection.issuer}/introspect`,
    METRICS_PORT: '0',
  });
});

afterAll(async () => {
  for (const d of others) await d.stop();
  await desk?.stop();
  await store?.kv.close();
  await Promise.all([forge?.close(), introspection?.close()]);
  await testDb?.drop();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format, the samples only. */
function samples(text: string): Sample[] {
  const found: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, key = '', value = ''] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key] = value;
    found.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return found;
}

/** The value of the sample with this name and (at least) these labels; undefined when there is none. */
function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text).find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}

async function scrape(running: RunningDesk = desk): Promise<string> {
  const res = await fetch(running.desk.metrics.url ?? 'http://metrics-not-started.invalid');
  expect(res.status).toBe(200);
  return res.text();
}

async function staffLogin(password: string) {
  const user = await desk.desk.database.db
    .insert(users)
    .values({
      email: uniqueEmail('staff'),
      name: 'Staff',
      isStaff: true,
      password: await hashPassword(PASSWORD),
    })
    .returning()
    .then((rows) => rows[0]!);
  const browser = desk.browser();
  await browser.primeCsrf();
  return Object.assign(await browser.post('/api/v1.0/login/', { email: user.email, password }), { browser });
}

describe('the metrics port', () => {
  it('answers GET /metrics in Prometheus text, with the process metrics', async () => {
    const res = await fetch(desk.desk.metrics.url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE desk_http_request_duration_seconds histogram');
    expect(sampleValue(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('answers anything but GET /metrics with a JSON 404', async () => {
    const base = new URL(desk.desk.metrics.url!).origin;
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/api/v1.0/config/'],
      ['POST', '/metrics'],
    ] as const) {
      const res = await fetch(`${base}${path}`, { method });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ detail: 'Not found.' });
    }
  });

  it('is not the public port: /metrics there is a JSON 404', async () => {
    for (const path of ['/metrics', '/metrics/']) {
      const res = await desk.browser().get(path);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ detail: 'Not found.' });
    }
  });
});

describe('requests', () => {
  it('are timed under their route template and status, never their URL', async () => {
    const id = crypto.randomUUID();
    expect((await desk.browser().get(`/api/v1.0/teams/${id}/`)).status).toBe(401);
    const unknown = `/api/v1.0/nothing-${crypto.randomUUID()}/`;
    expect((await desk.browser().get(unknown)).status).toBe(404);
    const text = await scrape();
    const labels = { method: 'GET', route: '/api/v1.0/teams/:id/', status_code: '401' };
    expect(sampleValue(text, 'desk_http_request_duration_seconds_count', labels)).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'desk_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(
      sampleValue(text, 'desk_http_request_duration_seconds_count', labels),
    );
    const unmatched = { method: 'GET', route: 'unmatched', status_code: '404' };
    expect(sampleValue(text, 'desk_http_request_duration_seconds_count', unmatched)).toBeGreaterThanOrEqual(
      1,
    );
    expect(text).not.toContain(id);
    expect(text).not.toContain('nothing-');
  });

  it('in flight are counted while they run, and no longer once answered', async () => {
    await desk.desk.database.db
      .insert(users)
      .values({ sub: 'in-flight-agent', email: uniqueEmail(), name: 'A' });
    const now = Math.floor(Date.now() / 1000);
    introspection.answer = {
      ...introspection.json({
        active: true,
        sub: 'in-flight-agent',
        scope: 'groups',
        client_id: 'app',
        exp: now + 60,
      }),
      delayMs: 1_500,
    };
    const slow = desk
      .browser()
      .get('/resource-server/v1.0/teams/', { authorization: `Bearer slow-${crypto.randomUUID()}` });
    await expect
      .poll(async () => sampleValue(await scrape(), 'desk_http_requests_in_flight'))
      .toBeGreaterThanOrEqual(1);
    expect((await slow).status).toBe(200);
    await expect.poll(async () => sampleValue(await scrape(), 'desk_http_requests_in_flight')).toBe(0);
  });
});

describe('the session store and the database', () => {
  it('have each store operation timed, by operation and kind of store', async () => {
    const count = (text: string, operation: string) =>
      sampleValue(text, 'desk_session_store_duration_seconds_count', {
        operation,
        store: desk.desk.kv.kind,
      }) ?? 0;
    const before = await scrape();
    const login = await staffLogin(PASSWORD);
    expect(login.status).toBe(200);
    expect((await login.browser.get('/api/v1.0/users/me/')).status).toBe(200);
    const after = await scrape();
    for (const operation of ['set', 'get', 'hit'])
      expect(count(after, operation)).toBeGreaterThan(count(before, operation));
  });

  it('have each query timed until its rows arrive, inside transactions too', async () => {
    // A Metrics of its own on the test's database: only the statements below are counted.
    const metrics = new Metrics(configFrom({ METRICS_PORT: '0' }));
    const { db } = metrics.timedDatabase(testDb.database);
    await db.execute(sql`select pg_sleep(0.2)`);
    await db.transaction(async (tx) => {
      await tx.select().from(users).limit(1);
      await tx.transaction(async (nested) => {
        await nested.execute(sql`select 1`);
      });
    });
    await expect(db.execute(sql`select * from no_such_table`)).rejects.toThrow();
    const text = await metrics.registry.metrics();
    expect(sampleValue(text, 'desk_database_query_duration_seconds_count')).toBe(4);
    expect(sampleValue(text, 'desk_database_query_duration_seconds_sum')).toBeGreaterThanOrEqual(0.2);
    expect(sampleValue(text, 'desk_database_query_duration_seconds_bucket', { le: '0.1' })).toBe(3);
  });

  it('are timed in a running Desk, as its requests query', async () => {
    const before = sampleValue(await scrape(), 'desk_database_query_duration_seconds_count') ?? 0;
    expect((await staffLogin('not the password')).status).toBe(400);
    expect(sampleValue(await scrape(), 'desk_database_query_duration_seconds_count')).toBeGreaterThan(before);
  });
});

describe('introspection', () => {
  it('counts a token asked of the provider as a miss, and the same token again as a cache hit', async () => {
    const sub = `sub-${crypto.randomUUID()}`;
    await desk.desk.database.db.insert(users).values({ sub, email: uniqueEmail(), name: 'Agent' });
    const now = Math.floor(Date.now() / 1000);
    introspection.answer = introspection.json({
      active: true,
      sub,
      scope: 'groups',
      client_id: 'app',
      exp: now + 600,
    });
    const before = await scrape();
    const token = { authorization: `Bearer tok-${crypto.randomUUID()}` };
    expect((await desk.browser().get('/resource-server/v1.0/teams/', token)).status).toBe(200);
    expect((await desk.browser().get('/resource-server/v1.0/teams/', token)).status).toBe(200);
    const after = await scrape();
    for (const result of ['hit', 'miss']) {
      const counted = (t: string) => sampleValue(t, 'desk_introspection_cache_total', { result }) ?? 0;
      expect(counted(after) - counted(before)).toBe(1);
    }
  });
});

describe('logins', () => {
  const logins = (text: string, labels: Record<string, string>) =>
    sampleValue(text, 'desk_logins_total', labels) ?? 0;

  it('count a staff password login that succeeded and one that failed', async () => {
    const before = await scrape();
    expect((await staffLogin(PASSWORD)).status).toBe(200);
    expect((await staffLogin('a wrong password')).status).toBe(400);
    const after = await scrape();
    const success = { method: 'password', result: 'success' };
    const failure = { method: 'password', result: 'failure', reason: 'invalid_credentials' };
    expect(logins(after, success) - logins(before, success)).toBe(1);
    expect(logins(after, failure) - logins(before, failure)).toBe(1);
  });

  it('count a login through the provider that succeeded, and a refused one by its code', async () => {
    const before = await scrape();
    const attempt = await beginLogin(desk);
    await answer(forge, attempt, newSub());
    expect((await callback(attempt)).location).toBe('/');
    const refused = await beginLogin(desk);
    expect((await callback(refused, 'code=abc&state=not-a-pending-state')).location).toBe(
      '/login-failed?login_error=invalid_state',
    );
    const after = await scrape();
    const success = { method: 'oidc', result: 'success' };
    const failure = { method: 'oidc', result: 'failure', reason: 'invalid_state' };
    expect(logins(after, success) - logins(before, success)).toBe(1);
    expect(logins(after, failure) - logins(before, failure)).toBe(1);
    expect(after).not.toContain(refused.state);
  });
});

describe('the job queue', () => {
  it('shows how many jobs wait and how long the oldest has been due', async () => {
    const [job] = await testDb.database.db
      .insert(jobs)
      .values({ kind: 'metrics.test', payload: {}, runAt: new Date(Date.now() - 90_000) })
      .returning();
    try {
      const text = await scrape();
      expect(sampleValue(text, 'desk_jobs_queued')).toBeGreaterThanOrEqual(1);
      expect(sampleValue(text, 'desk_jobs_oldest_age_seconds')).toBeGreaterThanOrEqual(90);
    } finally {
      await testDb.database.db.delete(jobs).where(sql`id = ${job!.id}`);
    }
  });

  it('is left out of a scrape, counted as a collection error, when the database does not answer', async () => {
    const metrics = new Metrics(configFrom({ METRICS_PORT: '0' }));
    const down = { db: { transaction: () => Promise.reject(new Error('connection refused')) } };
    metrics.watchJobs(down as unknown as Database);
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE desk_jobs_queued gauge');
    expect(sampleValue(text, 'desk_jobs_queued')).toBeUndefined();
    expect(sampleValue(text, 'desk_jobs_oldest_age_seconds')).toBeUndefined();
    expect(sampleValue(text, 'desk_metrics_collect_errors_total')).toBe(1);
  });

  it('does not hold a scrape longer than its bound when the database hangs', async () => {
    const metrics = new Metrics(configFrom({ METRICS_PORT: '0' }));
    const hung = { db: { transaction: () => new Promise(() => {}) } };
    metrics.watchJobs(hung as unknown as Database);
    const started = Date.now();
    const text = await metrics.registry.metrics();
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(sampleValue(text, 'desk_jobs_queued')).toBeUndefined();
    expect(sampleValue(text, 'desk_metrics_collect_errors_total')).toBe(1);
  });
});

describe('METRICS_PORT', () => {
  it('unset, starts no metrics server', async () => {
    const plain = await startDeskOn(testDb, store.kv);
    others.push(plain);
    expect(plain.desk.metrics.url).toBeNull();
    expect((await plain.browser().get('/metrics')).status).toBe(404);
  });

  it('already taken stops the start, naming the port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const blocked = await buildDesk(configFrom({ ...BASE_SETTINGS, METRICS_PORT: String(port) }), {
      database: testDb.database,
      kv: store.kv,
      runJobs: false,
    });
    try {
      await expect(blocked.app.listen({ port: 0, host: '127.0.0.1' })).rejects.toThrow('EADDRINUSE');
    } finally {
      await blocked.close();
      taken.close();
    }
  });

  for (const [value, expected] of [
    ['metrics', 'expected a port number'],
    ['70000', 'expected a port number'],
    ['8071', 'a port other than PORT'],
  ]) {
    it(`(${value}) is refused at start, named`, () => {
      let error: unknown;
      try {
        configFrom({ PORT: '8071', METRICS_PORT: value });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(`- METRICS_PORT: ${expected}`);
    });
  }
});
