// The provider found by discovery: a provider down at start-up gives 503 on login, then works once it is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningDesk, startDeskOn } from '../support/desk.ts';
import { answer, beginLogin, callback, newSub } from '../support/forge-login.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore } from '../support/parts.ts';
import { type Forge, startForge } from '../support/token-forge.ts';

let forge: Forge;
let testDb: TestDatabase;
let store: TestStore;
const running: RunningDesk[] = [];

async function deskWith(settings: Record<string, string>): Promise<RunningDesk> {
  const desk = await startDeskOn(testDb, store.kv, settings);
  running.push(desk);
  return desk;
}

beforeAll(async () => {
  forge = await startForge();
  testDb = await testDatabase();
  store = testStore();
});

afterAll(async () => {
  for (const d of running) await d.stop();
  await store?.kv.close();
  await forge?.close();
  await testDb?.drop();
});

const discoveries = () => forge.calls.filter((c) => c.path === '/.well-known/openid-configuration').length;

describe('a provider found by discovery', () => {
  it('logs a user in with the discovered endpoints', async () => {
    const desk = await deskWith(forge.discoverySettings);
    const attempt = await beginLogin(desk);
    expect(`${attempt.authorizeUrl.origin}${attempt.authorizeUrl.pathname}`).toBe(
      `${forge.issuer}/authorize`,
    );
    await answer(forge, attempt, newSub());
    expect((await callback(attempt)).location).toBe('/');
    expect((await attempt.browser.get('/api/v1.0/users/me/')).status).toBe(200);
  });

  it('answers 503 while discovery fails, backs off, and recovers by itself', async () => {
    forge.discovery = { status: 500, body: '{"error":"down"}' };
    try {
      const desk = await deskWith(forge.discoverySettings);
      const first = await desk.browser().get('/api/v1.0/authenticate/');
      expect(first.status).toBe(503);
      expect(first.json).toEqual({ detail: 'The identity provider is unavailable; try again shortly.' });
      const asked = discoveries();
      forge.discovery = undefined;
      // Within the back-off pause the provider is not asked again.
      expect((await desk.browser().get('/api/v1.0/authenticate/')).status).toBe(503);
      expect(discoveries()).toBe(asked);
      // Once the pause is over (1 s), the next login asks again and goes through.
      await expect
        .poll(async () => (await desk.browser().get('/api/v1.0/authenticate/')).status, {
          timeout: 10_000,
          interval: 100,
        })
        .toBe(302);
      expect(discoveries()).toBe(asked + 1);
    } finally {
      forge.discovery = undefined;
    }
  });

  it('answers 503 with Retry-After when the provider refuses the connection', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const desk = await deskWith({ ...forge.discoverySettings, OIDC_OP_URL: closed });
    const res = await desk.browser().get('/api/v1.0/authenticate/');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(res.json).toEqual({ detail: 'The identity provider is unavailable; try again shortly.' });
  });

  it('lets explicit endpoints win over discovered ones', async () => {
    const desk = await deskWith({
      ...forge.discoverySettings,
      OIDC_OP_AUTHORIZATION_ENDPOINT: `${forge.issuer}/other-authorize`,
    });
    const attempt = await beginLogin(desk);
    expect(attempt.authorizeUrl.pathname).toBe('/other-authorize');
  });
});

describe('the authorization request', () => {
  it('asks prompt=none for a silent login, and an error=login_required returns quietly to the app', async () => {
    const desk = await deskWith({ ...forge.settings, LOGIN_REDIRECT_URL_FAILURE: '/failed' });
    const attempt = await beginLogin(desk, '?silent=true&next=%2Fteams%2F');
    expect(attempt.authorizeUrl.searchParams.get('prompt')).toBe('none');
    const back = await callback(attempt, `error=login_required&state=${attempt.state}`);
    expect(back.status).toBe(302);
    expect(back.location).toBe('/teams/');
    expect(attempt.browser.cookies.has('desk_sessionid')).toBe(false);
  });

  it('passes login_hint and OIDC_AUTH_REQUEST_EXTRA_PARAMS', async () => {
    const desk = await deskWith({
      ...forge.settings,
      OIDC_AUTH_REQUEST_EXTRA_PARAMS: '{"acr_values":"eidas1"}',
    });
    const attempt = await beginLogin(desk, '?login_hint=jeanne%40example.gouv.fr');
    expect(attempt.authorizeUrl.searchParams.get('acr_values')).toBe('eidas1');
    expect(attempt.authorizeUrl.searchParams.get('login_hint')).toBe('jeanne@example.gouv.fr');
  });

  it('sends no PKCE challenge when OIDC_USE_PKCE is off, and still logs in', async () => {
    const desk = await deskWith({ ...forge.settings, OIDC_USE_PKCE: 'false' });
    const attempt = await beginLogin(desk);
    expect(attempt.authorizeUrl.searchParams.has('code_challenge')).toBe(false);
    await answer(forge, attempt, newSub());
    expect((await callback(attempt)).location).toBe('/');
    expect(forge.calls.at(-2)?.body).not.toContain('code_verifier');
  });

  it('sends the PKCE verifier to the token endpoint', async () => {
    const desk = await deskWith(forge.settings);
    const attempt = await beginLogin(desk);
    await answer(forge, attempt, newSub());
    await callback(attempt);
    const tokenCall = forge.calls.filter((c) => c.path === '/token').at(-1);
    expect(new URLSearchParams(tokenCall?.body).get('code_verifier')?.length).toBeGreaterThanOrEqual(43);
    expect(new URLSearchParams(tokenCall?.body).get('client_secret')).toBe(
      forge.settings.OIDC_RP_CLIENT_SECRET,
    );
  });
});
