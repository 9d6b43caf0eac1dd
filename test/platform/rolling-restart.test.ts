// A rolling restart of three built Desk processes (production settings, shared PostgreSQL and Redis), as
// Kubernetes does it: a pod leaves the load balancer, waits out its preStop delay, gets SIGTERM, a new one
// starts and joins once ready. Agents calling all along see no failed request and keep their sessions.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/index.ts';
import { users } from '../../src/users/index.ts';
import { Browser } from '../support/browser.ts';
import { DATABASE_URL, REDIS_URL, type TestDatabase, testDatabase, uniqueEmail } from '../support/parts.ts';
import { type DeskProcess, startDeskProcess } from '../support/processes.ts';

const PASSWORD = 'a long passphrase for the rolling restart';
const AGENTS = 6;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `check` holds, looking every 20 ms; fails after `ms`. */
async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await pause(20);
  }
}

/** The load balancer: round robin over the pods in rotation; a pod leaves it before it is stopped. */
class Rotation {
  private next = 0;
  constructor(public pods: DeskProcess[]) {}
  pick(): DeskProcess {
    const pod = this.pods[this.next++ % this.pods.length];
    if (!pod) throw new Error('no pod in rotation');
    return pod;
  }
}

async function ready(pod: DeskProcess): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const res = await fetch(`${pod.url}/__heartbeat__`).catch(() => undefined);
    if (res?.status === 200) return;
    await pause(100);
  }
  throw new Error(`pod at ${pod.url} never became ready: ${pod.output()}`);
}

describe.runIf(DATABASE_URL && REDIS_URL)('a rolling restart of three built Desk processes', () => {
  let testDb: TestDatabase;
  let settings: Record<string, string>;
  const pods: DeskProcess[] = [];
  const cookies: string[] = [];

  const start = async () => {
    const pod = await startDeskProcess(settings, { built: true });
    await ready(pod);
    pods.push(pod);
    return pod;
  };

  beforeAll(async () => {
    // The image runs the compiled server, not the TypeScript sources.
    execFileSync(
      process.execPath,
      [resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        stdio: 'inherit',
      },
    );
    testDb = await testDatabase();
    settings = {
      NODE_ENV: 'production',
      SECRET_KEY: 'a-secret-shared-by-every-pod-of-the-rolling-restart',
      DATABASE_URL: testDb.url,
      REDIS_URL: REDIS_URL ?? '',
      OIDC_OP_URL: 'https://provider.invalid/realms/desk',
      OIDC_RP_CLIENT_ID: 'desk',
      OIDC_RP_CLIENT_SECRET: 'rolling-restart',
      EMAIL_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    const hash = await hashPassword(PASSWORD);
    const emails = Array.from({ length: AGENTS }, () => uniqueEmail('agent'));
    await testDb.database.db
      .insert(users)
      .values(emails.map((email) => ({ email, name: 'Rolling Agent', isStaff: true, password: hash })));
    const first = await start();
    await Promise.all([start(), start()]);
    for (const email of emails) {
      const browser = new Browser(first.url);
      await browser.primeCsrf();
      const login = await browser.post('/api/v1.0/login/', { email, password: PASSWORD });
      expect(login.status).toBe(200);
      cookies.push(browser.cookieHeader());
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(pods.map((p) => p.stop()));
    await testDb?.drop();
  });

  it('answers every request and keeps every session while each process in turn is replaced', async () => {
    const rotation = new Rotation(pods.slice(0, 3));
    const failures: string[] = [];
    let answered = 0;
    let running = true;
    /** Requests sent to each pod and not answered yet. */
    const inFlight = new Map<DeskProcess, number>();
    const clients = Array.from({ length: 6 }, async (_, i) => {
      for (let n = i; running; n += 1) {
        const pod = rotation.pick();
        const path = n % 2 ? '/api/v1.0/users/me/' : '/api/v1.0/teams/';
        inFlight.set(pod, (inFlight.get(pod) ?? 0) + 1);
        try {
          const res = await fetch(`${pod.url}${path}`, { headers: { cookie: cookies[n % AGENTS] ?? '' } });
          await res.text();
          if (res.status === 200) answered += 1;
          else failures.push(`${path} on ${pod.url}: ${res.status}`);
        } catch (err) {
          failures.push(`${path} on ${pod.url}: ${(err as Error).cause ?? err}`);
        } finally {
          inFlight.set(pod, (inFlight.get(pod) ?? 1) - 1);
        }
      }
    });

    const exits: (number | null)[] = [];
    for (const old of [...rotation.pods]) {
      const replacement = await start();
      rotation.pods = [...rotation.pods.filter((p) => p !== old), replacement];
      // What the preStop delay is for: the load balancer has stopped sending (its requests are answered) before the
      // process is told to stop.
      await until(() => !inFlight.get(old), 'the old pod drained');
      const exited = new Promise<number | null>((done) => old.child.once('exit', (code) => done(code)));
      old.child.kill('SIGTERM');
      exits.push(await exited);
      // The pods now in rotation answer some traffic before the next one is replaced.
      const mark = answered;
      await until(() => answered >= mark + 12, 'the new rotation answering');
    }
    running = false;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(100);
    expect(exits).toEqual([0, 0, 0]);
    for (const pod of rotation.pods)
      for (const cookie of cookies) {
        const me = await fetch(`${pod.url}/api/v1.0/users/me/`, { headers: { cookie } });
        expect(me.status).toBe(200);
      }
  }, 120_000);
});
