// Benchmark: GET /api/v1.0/users/me/ with a Redis-backed session, against a bare Fastify route returning the same JSON.
import Fastify from 'fastify';
import { hashPassword } from '../src/auth/index.ts';
import { RedisStore } from '../src/platform/kv.ts';
import { users } from '../src/users/index.ts';
import { Browser } from '../test/support/browser.ts';
import { measure, table } from './load.ts';
import { DEFAULT_REDIS, forgetPrefix, ownPrefix } from './support/isolation.ts';
import { listeningDesk } from './support/listening-desk.ts';

const REDIS_URL = process.env.REDIS_URL ?? DEFAULT_REDIS;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// METRICS_PORT=0 measures Desk with its metrics on (requests, store and queries timed).
const METRICS_PORT = process.env.METRICS_PORT;

async function main(): Promise<void> {
  // Its own keys and, on PostgreSQL, its own database: removed at the end, and nothing else.
  const prefix = ownPrefix('session_auth');
  const kv = new RedisStore(REDIS_URL, { prefix });
  const { desk, base, close } = await listeningDesk('session_auth', METRICS_PORT ? { METRICS_PORT } : {}, {
    kv,
    runJobs: false,
  });

  const email = `bench.${Date.now()}@example.gouv.fr`;
  await desk.database.db.insert(users).values({
    email,
    name: 'Bench User',
    isStaff: true,
    password: await hashPassword('bench passphrase 123'),
  });
  const browser = new Browser(base);
  await browser.primeCsrf();
  const login = await browser.post('/api/v1.0/login/', { email, password: 'bench passphrase 123' });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  const body = (await browser.get('/api/v1.0/users/me/')).json;

  const bare = Fastify({ logger: false });
  bare.get('/me', async () => body);
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareAddress = bare.server.address();
  const bareUrl = `http://127.0.0.1:${typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0}/me`;

  console.log(
    `Workload: ${SECONDS} s per path after a 2 s warm-up, 20 connections, autocannon on loopback, same process.`,
  );
  console.log(
    `Desk: ${desk.database.kind} database, Redis sessions (${REDIS_URL}), metrics ${desk.metrics.url ? 'on' : 'off'}; each request reads the session and the user.`,
  );
  const bareRun = await measure('bare Fastify route, same JSON', bareUrl, { seconds: SECONDS });
  const deskRun = await measure('GET /api/v1.0/users/me/ (session)', `${base}/api/v1.0/users/me/`, {
    seconds: SECONDS,
    headers: { cookie: browser.cookieHeader() },
  });
  console.log(table([bareRun, deskRun]));
  const ratio = deskRun.requestsPerSecond / bareRun.requestsPerSecond;
  console.log(
    `Throughput ratio authenticated/bare: ${ratio.toFixed(2)} (aim ≥ 0.50); p99 ratio: ${(deskRun.p99 / Math.max(bareRun.p99, 0.001)).toFixed(2)}`,
  );

  await bare.close();
  await close();
  await forgetPrefix(kv.client, prefix);
  await kv.close();
}

await main();
