// Agents keep working while PostgreSQL's schema changes under them (a migration during a rolling upgrade) or while
// the database stops answering without closing anything: no session is lost, Desk answers 200 or 503 (with
// Retry-After, within a bound, never a hang, a 401 or a 500), and recovers by itself.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/index.ts';
import { users } from '../../src/users/index.ts';
import { Browser } from '../support/browser.ts';
import { DATABASE_URL, REDIS_URL, type TestDatabase, testDatabase, uniqueEmail } from '../support/parts.ts';
import { type DeskProcess, startDeskProcess } from '../support/processes.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const PASSWORD = 'a long staff passphrase under load';
const PATHS = ['/api/v1.0/users/me/', '/api/v1.0/teams/'];
const UNAVAILABLE = { detail: 'The database is unavailable; try again shortly.' };

interface Answered {
  status: number;
  retryAfter: string | null;
  body: string;
  ms: number;
  at: number;
}

/** Each agent calls Desk without pause until stopped; an answer not come within `giveUpMs` is recorded as status 0. */
function keepCalling(agents: Browser[], giveUpMs: number) {
  const answers: Answered[] = [];
  let running = true;
  const loops = agents.map(async (agent, i) => {
    for (let n = i; running; n += 1) {
      const started = Date.now();
      const path = PATHS[n % PATHS.length] ?? '/';
      try {
        const res = await fetch(`${agent.base}${path}`, {
          headers: { cookie: agent.cookieHeader() },
          signal: AbortSignal.timeout(giveUpMs),
        });
        const body = await res.text();
        answers.push({
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          body,
          ms: Date.now() - started,
          at: started,
        });
      } catch {
        answers.push({ status: 0, retryAfter: null, body: '', ms: Date.now() - started, at: started });
      }
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

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Staff agents with a password, each logged in with its own session. */
async function loggedInAgents(testDb: TestDatabase, deskUrl: string, count: number): Promise<Browser[]> {
  const hash = await hashPassword(PASSWORD);
  const emails = Array.from({ length: count }, () => uniqueEmail('agent'));
  await testDb.database.db
    .insert(users)
    .values(emails.map((email) => ({ email, name: 'Agent Under Load', isStaff: true, password: hash })));
  return Promise.all(
    emails.map(async (email) => {
      const agent = new Browser(deskUrl);
      await agent.primeCsrf();
      const login = await agent.post('/api/v1.0/login/', { email, password: PASSWORD });
      expect(login.status).toBe(200);
      return agent;
    }),
  );
}

function expectOnly200Or503(answers: Answered[]) {
  expect(answers.filter((a) => a.status !== 200 && a.status !== 503).map((a) => a.status)).toEqual([]);
  for (const failed of answers.filter((a) => a.status === 503)) {
    expect(failed.retryAfter).toMatch(/^\d+$/);
    expect(JSON.parse(failed.body)).toEqual(UNAVAILABLE);
  }
}

async function expectEverySessionValid(agents: Browser[]) {
  const statuses = await Promise.all(agents.map(async (a) => (await a.get('/api/v1.0/users/me/')).status));
  expect(statuses).toEqual(agents.map(() => 200));
}

describe.runIf(DATABASE_URL)(
  'a column type changing while agents work (a migration during a rolling upgrade)',
  () => {
    let testDb: TestDatabase;
    let desk: DeskProcess;
    let agents: Browser[];

    beforeAll(async () => {
      testDb = await testDatabase();
      desk = await startDeskProcess({
        DATABASE_URL: testDb.url,
        ...(REDIS_URL ? { REDIS_URL } : {}),
        SECRET_KEY: 'a-secret-for-the-migration-test-0123456789abcdef',
      });
      // More agents than pooled connections, so statements queue for them.
      agents = await loggedInAgents(testDb, desk.url, 14);
    }, 60_000);

    afterAll(async () => {
      await desk?.stop();
      await testDb?.drop();
    });

    it('keeps every session and answers only 200 or 503 while users.language changes type, back and forth', async () => {
      const load = keepCalling(agents, 20_000);
      const admin = postgres(testDb.url, { max: 1, onnotice: () => {} });
      try {
        for (const type of ['text', 'varchar(10)', 'text', 'varchar(10)']) {
          const before = load.answers.length;
          expect(await until(() => load.answers.length >= before + 60, 20_000)).toBe(true);
          // Each pooled connection's prepared statements now return another type: PostgreSQL refuses them once.
          await admin.unsafe(`ALTER TABLE users ALTER COLUMN language TYPE ${type}`);
        }
        const after = load.answers.length;
        expect(await until(() => load.answers.length >= after + 60, 20_000)).toBe(true);
      } finally {
        await admin.end();
      }
      const answers = await load.stop();
      expectOnly200Or503(answers);
      expect(answers.at(-1)?.status).toBe(200);
      await expectEverySessionValid(agents);
    });
  },
);

describe.runIf(DATABASE_URL)('a database that stops answering (no FIN, no RST)', () => {
  // DATABASE_QUERY_TIMEOUT=1: PostgreSQL's statement timeout is 1 s, and Desk gives a silent database up after 3 s.
  const BOUND_MS = 3_000;
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  let desk: DeskProcess;
  let agents: Browser[];

  beforeAll(async () => {
    testDb = await testDatabase();
    const target = new URL(testDb.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(testDb.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    desk = await startDeskProcess({
      DATABASE_URL: viaProxy.toString(),
      DATABASE_QUERY_TIMEOUT: '1',
      ...(REDIS_URL ? { REDIS_URL } : {}),
      SECRET_KEY: 'a-secret-for-the-silence-test-0123456789abcdef',
    });
    agents = await loggedInAgents(testDb, desk.url, 6);
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
    await proxy?.close();
    await testDb?.drop();
  });

  it('answers 503 with Retry-After within the bound while silent, then serves the same sessions again by itself', async () => {
    const load = keepCalling(agents, 30_000);
    expect(await until(() => load.answers.length >= 30, 20_000)).toBe(true);
    const stalledAt = Date.now();
    proxy.stall();
    const duringOutage = () => load.answers.filter((a) => a.at >= stalledAt);
    const refused = await until(() => duringOutage().filter((a) => a.status === 503).length >= 12, 30_000);
    proxy.resume();
    const resumedAt = Date.now();
    const recovered = await until(
      async () => (await agents[0]!.get('/api/v1.0/users/me/')).status === 200,
      20_000,
    );
    expect(await until(() => load.answers.some((a) => a.at > resumedAt && a.status === 200), 20_000)).toBe(
      true,
    );
    const answers = await load.stop();
    expect(refused).toBe(true);
    expect(recovered).toBe(true);
    expectOnly200Or503(answers);
    // Every answer given while silent came within the bound (plus the time Desk takes to answer at all).
    const slowest = Math.max(
      ...answers.filter((a) => a.at >= stalledAt && a.at < resumedAt).map((a) => a.ms),
    );
    expect(slowest).toBeLessThan(BOUND_MS + 1_500);
    await expectEverySessionValid(agents);
    expect(desk.output()).not.toContain('unhandled error');
  }, 120_000);
});
