// Benchmark: an authenticated resource-server call with a cached introspection, the same kind of call with a session
// cookie, and the uncached call against the in-process provider (oidc-provider answering signed + encrypted JWTs).
import { performance } from 'node:perf_hooks';
import { compactDecrypt, createRemoteJWKSet, jwtVerify } from 'jose';
import { buildDesk } from '../src/app.ts';
import { configFrom } from '../src/platform/config.ts';
import { Browser } from '../test/support/browser.ts';
import { freePort } from '../test/support/desk.ts';
import { follow, postForm } from '../test/support/dev-idp-login.ts';
import { measure, table } from './load.ts';
import { type OwnDatabase, ownDatabase, postgresServer, uniqueName } from './support/isolation.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const POSTGRES_SERVER = postgresServer();

async function deskWithCache(ttl: string, port: number, own: OwnDatabase | undefined) {
  const url = `http://127.0.0.1:${port}`;
  const desk = await buildDesk(
    configFrom({
      LOG_LEVEL: 'silent',
      DATABASE_URL: own?.url ?? 'pglite://memory',
      PORT: String(port),
      PUBLIC_URL: url,
      DESK_DEV_IDP: 'true',
      SECRET_KEY: 'bench-secret-bench-secret-bench-secret-0123',
      BURST_THROTTLE_RATES: 'off',
      SUSTAINED_THROTTLE_RATES: 'off',
      OIDC_RS_INTROSPECTION_CACHE_TTL: ttl,
    }),
    { runJobs: false },
  );
  await desk.database.migrate();
  await desk.app.listen({ port, host: '127.0.0.1' });
  return { desk, url };
}

/** Signs the first demo agent in through the development provider's page, as a browser would. */
async function signIn(url: string): Promise<Browser> {
  const browser = new Browser(url);
  const page = await follow(browser, await browser.get('/api/v1.0/authenticate/'));
  const action = /<form[^>]*action="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const token = /name="token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  await follow(
    browser,
    await postForm(browser, action, { token, sub: 'demo-helene-martin' }),
    (l) => l === '/',
  );
  return browser;
}

async function demoToken(url: string): Promise<string> {
  return (
    (await new Browser(url).post('/dev-idp-demo-token', { user: 'demo-helene-martin' })).json as {
      access_token: string;
    }
  ).access_token;
}

async function main(): Promise<void> {
  // On PostgreSQL, a database of its own for both Desks, dropped at the end.
  const own = POSTGRES_SERVER ? await ownDatabase(POSTGRES_SERVER, uniqueName('resource_server')) : undefined;
  const { desk, url } = await deskWithCache('60', await freePort(), own);
  // A demo agent signs in once (so Desk knows them), then the demo app gets a token for them.
  const browser = await signIn(url);
  const accessToken = await demoToken(url);

  console.log(
    `Workload: ${SECONDS} s per path after a 2 s warm-up, 20 connections, autocannon on loopback, same process;`,
  );
  console.log(
    `introspection by the in-process oidc-provider: ES256-signed, RSA-OAEP/A256GCM-encrypted JWT (RFC 9701).`,
  );
  const session = await measure('GET /api/v1.0/teams/ (session cookie)', `${url}/api/v1.0/teams/`, {
    seconds: SECONDS,
    headers: { cookie: browser.cookieHeader() },
  });
  const cached = await measure(
    'GET /resource-server/v1.0/teams/ (bearer, cached)',
    `${url}/resource-server/v1.0/teams/`,
    {
      seconds: SECONDS,
      headers: { authorization: `Bearer ${accessToken}` },
    },
  );
  await desk.close();

  const uncachedDesk = await deskWithCache('0', await freePort(), own);
  await signIn(uncachedDesk.url);
  const uncachedToken = await demoToken(uncachedDesk.url);
  const uncached = await measure(
    'GET /resource-server/v1.0/teams/ (bearer, no cache)',
    `${uncachedDesk.url}/resource-server/v1.0/teams/`,
    {
      seconds: SECONDS,
      headers: { authorization: `Bearer ${uncachedToken}` },
    },
  );

  // Cost of opening one answer: decrypt + verify, timed on a captured response.
  const desk2 = uncachedDesk.desk;
  const discovery = (await (
    await fetch(`${uncachedDesk.url}/dev-idp/.well-known/openid-configuration`)
  ).json()) as { introspection_endpoint: string; jwks_uri: string };
  const body = new URLSearchParams({
    token: uncachedToken,
    client_id: desk2.config.OIDC_RS_CLIENT_ID ?? '',
    client_secret: desk2.config.OIDC_RS_CLIENT_SECRET ?? '',
  });
  const jwe = await (
    await fetch(discovery.introspection_endpoint, {
      method: 'POST',
      body,
      headers: { accept: 'application/token-introspection+jwt' },
    })
  ).text();
  const { loadDecryptionKeys } = await import('../src/resource-server/index.ts');
  const [key] = await loadDecryptionKeys(desk2.config);
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const N = 500;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const { plaintext } = await compactDecrypt(jwe, key!.key);
    await jwtVerify(new TextDecoder().decode(plaintext), jwks, { algorithms: ['ES256'] });
  }
  const perResponseUs = ((performance.now() - t0) / N) * 1000;
  await uncachedDesk.desk.close();
  await own?.drop();

  console.log(table([session, cached, uncached]));
  console.log(
    `Cached bearer vs session: ${(session.requestsPerSecond / cached.requestsPerSecond).toFixed(2)}× slower (aim ≤ 1.30×); p99 ${cached.p99} vs ${session.p99} ms.`,
  );
  console.log(
    `Uncached vs cached: ${(cached.requestsPerSecond / uncached.requestsPerSecond).toFixed(1)}× slower.`,
  );
  console.log(`Decrypt + verify of one introspection answer: ${perResponseUs.toFixed(0)} µs (mean of ${N}).`);
}

await main();
