// Agents working Desk without pause while its database misbehaves (a migration, a failover, a silence, a pooler):
// staff agents with sessions of their own, calls kept up until stopped, and what each call was answered.
import { expect } from 'vitest';
import { hashPassword } from '../../src/auth/index.ts';
import { users } from '../../src/users/index.ts';
import { Browser } from './browser.ts';
import { type TestDatabase, uniqueEmail } from './parts.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

const PASSWORD = 'a long staff passphrase under load';
const UNAVAILABLE = { detail: 'The database is unavailable; try again shortly.' };

export interface Call {
  method: 'GET' | 'POST';
  path: string;
  /** A POST creating a team with a new name. */
  team?: boolean;
}

/** User search: on PostgreSQL, connections of its own (genericPlans). */
export const SEARCH: Call = { method: 'GET', path: '/api/v1.0/users/?q=agent' };
/** Reads on both kinds of PostgreSQL connection. */
export const READS: Call[] = [
  { method: 'GET', path: '/api/v1.0/users/me/' },
  { method: 'GET', path: '/api/v1.0/teams/' },
  SEARCH,
];
/** A write: one transaction of several statements (the team, its owner's membership, the audit row). */
export const WRITES: Call[] = [{ method: 'POST', path: '/api/v1.0/teams/', team: true }];

export interface Answered {
  agent: number;
  method: string;
  /** 0: no answer within `giveUpMs`, or none at all. */
  status: number;
  retryAfter: string | null;
  body: string;
  ms: number;
  at: number;
}

/** `count` staff agents who log in with a password (named `Agent <n>`): their ids and emails. */
export async function staffAgents(
  testDb: TestDatabase,
  count: number,
): Promise<{ id: string; email: string }[]> {
  const hash = await hashPassword(PASSWORD);
  const emails = Array.from({ length: count }, () => uniqueEmail('agent'));
  const rows = await testDb.database.db
    .insert(users)
    .values(emails.map((email, i) => ({ email, name: `Agent ${i}`, isStaff: true, password: hash })))
    .returning({ id: users.id, email: users.email });
  return rows.map(({ id, email }) => ({ id, email: email ?? '' }));
}

/** A browser with a session of its own for this staff agent, logged in with their password. */
export async function logIn(deskUrl: string, email: string): Promise<Browser> {
  const agent = new Browser(deskUrl);
  await agent.primeCsrf();
  const login = await agent.post('/api/v1.0/login/', { email, password: PASSWORD });
  expect(login.status).toBe(200);
  return agent;
}

/** `count` new staff agents, each logged in with a session of their own. */
export async function loggedInAgents(
  testDb: TestDatabase,
  deskUrl: string,
  count: number,
): Promise<Browser[]> {
  const agents = await staffAgents(testDb, count);
  return Promise.all(agents.map(({ email }) => logIn(deskUrl, email)));
}

/**
 * Each agent calls Desk without pause until stopped, going through `calls` (an agent's own list when `calls` is a
 * function of its index); an answer not come within `giveUpMs` is recorded as status 0. The same browser may be
 * given more than once, for calls at once on one session.
 */
export function keepCalling(
  agents: Browser[],
  giveUpMs: number,
  calls: Call[] | ((i: number) => Call[]) = READS,
) {
  const answers: Answered[] = [];
  let running = true;
  const loops = agents.map(async (agent, i) => {
    const own = typeof calls === 'function' ? calls(i) : calls;
    for (let n = i; running; n += 1) {
      const started = Date.now();
      const call = own[n % own.length] ?? { method: 'GET', path: '/' };
      const headers: Record<string, string> = { cookie: agent.cookieHeader() };
      let body: string | undefined;
      if (call.method !== 'GET') {
        headers['x-csrftoken'] = agent.cookies.get('csrftoken') ?? '';
        headers['content-type'] = 'application/json';
        body = JSON.stringify(call.team ? { name: `Team ${crypto.randomUUID().slice(0, 8)}` } : {});
      }
      const answered = { agent: i, method: call.method, status: 0, retryAfter: null, body: '', at: started };
      try {
        const res = await fetch(`${agent.base}${call.path}`, {
          method: call.method,
          headers,
          body,
          signal: AbortSignal.timeout(giveUpMs),
        });
        const text = await res.text();
        answers.push({
          ...answered,
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          body: text,
          ms: Date.now() - started,
        });
      } catch {
        answers.push({ ...answered, ms: Date.now() - started });
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

/** Whether `check` came to hold within `ms` (no throw: the test asserts it once the load is stopped). */
export async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Reads answer 200, writes 201 (a team created), or 503 with Retry-After and the unavailable body. */
export function expectOnly200Or503(answers: Answered[]) {
  const ok = (a: Answered) => a.status === (a.method === 'GET' ? 200 : 201);
  expect(answers.filter((a) => !ok(a) && a.status !== 503).map((a) => a.status)).toEqual([]);
  for (const failed of answers.filter((a) => a.status === 503)) {
    expect(failed.retryAfter).toMatch(/^\d+$/);
    expect(JSON.parse(failed.body)).toEqual(UNAVAILABLE);
  }
}

export async function expectEverySessionValid(agents: Browser[]) {
  const statuses = await Promise.all(agents.map(async (a) => (await a.get('/api/v1.0/users/me/')).status));
  expect(statuses).toEqual(agents.map(() => 200));
}

/** A TCP proxy in front of this PostgreSQL database (to cut or stall it), and the database's URL through it. */
export async function proxiedDatabase(databaseUrl: string): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(databaseUrl);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${proxy.port}`;
  return { proxy, url: url.toString() };
}
