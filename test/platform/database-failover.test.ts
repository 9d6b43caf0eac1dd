// PostgreSQL restarting, failing over or refusing connections while agents keep working: Desk answers 503 with
// Retry-After (never 500), logs what failed without the query's values, and recovers by itself.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/index.ts';
import { databaseUnavailable, reconnectDelaySeconds } from '../../src/platform/database.ts';
import { users } from '../../src/users/index.ts';
import { Browser } from '../support/browser.ts';
import { DATABASE_URL, REDIS_URL, type TestDatabase, testDatabase, uniqueEmail } from '../support/parts.ts';
import { type DeskProcess, startDeskProcess } from '../support/processes.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const PASSWORD = 'a long staff passphrase for failover';

/** Clients calling Desk without pause until stopped; every answer's status and Retry-After is kept. */
function keepCalling(browser: Browser, paths: string[], clients = 4) {
  const answers: { status: number; retryAfter: string | null; body: string }[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async (_, i) => {
    for (let n = i; running; n += 1) {
      const res = await browser.get(paths[n % paths.length] ?? '/');
      answers.push({ status: res.status, retryAfter: res.headers.get('retry-after'), body: res.text });
    }
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

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
  const paths = ['/api/v1.0/users/me/', '/api/v1.0/teams/'];

  beforeAll(async () => {
    testDb = await testDatabase();
    const target = new URL(testDb.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(testDb.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const email = uniqueEmail('staff');
    const [user] = await testDb.database.db
      .insert(users)
      .values({ email, name: 'Failover Staff', isStaff: true, password: await hashPassword(PASSWORD) })
      .returning();
    userId = user?.id ?? '';
    desk = await startDeskProcess({
      DATABASE_URL: viaProxy.toString(),
      ...(REDIS_URL ? { REDIS_URL } : {}),
      SECRET_KEY: 'a-secret-for-the-failover-test-0123456789abcdef',
    });
    agent = new Browser(desk.url);
    await agent.primeCsrf();
    const login = await agent.post('/api/v1.0/login/', { email, password: PASSWORD });
    expect(login.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
    await proxy?.close();
    await testDb?.drop();
  });

  it('answers 503 with Retry-After, never 500, while its connections are terminated, and recovers', async () => {
    const load = keepCalling(agent, paths);
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
    const answers = await load.stop();
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    for (const failed of answers.filter((a) => a.status === 503)) {
      expect(failed.retryAfter).toMatch(/^\d+$/);
      expect(JSON.parse(failed.body)).toEqual({ detail: 'The database is unavailable; try again shortly.' });
    }
    expect((await agent.get('/api/v1.0/users/me/')).status).toBe(200);
  });

  it('answers 503 while the database refuses connections, then serves again by itself once it is back', async () => {
    const load = keepCalling(agent, paths);
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
