// Logout the ProConnect way, the logout callback's state check, and back-channel logout across pods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import { loginThroughForge, newSub } from '../support/forge-login.ts';
import { sameStore, type TestDatabase, type TestStore, testDatabase, testStore } from '../support/parts.ts';
import { type Forge, startForge } from '../support/token-forge.ts';

let forge: Forge;
let testDb: TestDatabase;
let store: TestStore;
let podA: RunningDesk;
let podB: RunningDesk;
const SETTINGS = { LOGOUT_REDIRECT_URL: '/bye' };

beforeAll(async () => {
  forge = await startForge();
  testDb = await testDatabase();
  store = testStore();
  podA = await startDeskOn(testDb, store.kv, { ...forge.settings, ...SETTINGS });
  podB = await startDeskOn(testDb, sameStore(store), { ...forge.settings, ...SETTINGS });
});

afterAll(async () => {
  await podA?.stop();
  await podB?.stop();
  await podB?.desk.kv.close();
  await store?.kv.close();
  await forge?.close();
  await testDb?.drop();
});

describe('logout through the provider', () => {
  it('redirects to the end-session endpoint with id_token_hint, state and post_logout_redirect_uri', async () => {
    const { browser } = await loginThroughForge(podA, forge);
    const res = await browser.post('/api/v1.0/logout/');
    expect(res.status).toBe(302);
    const url = new URL(res.location ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`${forge.issuer}/logout`);
    expect(url.searchParams.get('id_token_hint')?.split('.')).toHaveLength(3);
    expect(url.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${podA.url}/api/v1.0/logout-callback/`);
  });

  it('makes the session useless for API calls while logging out', async () => {
    const { browser } = await loginThroughForge(podA, forge);
    await browser.post('/api/v1.0/logout/');
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(401);
  });

  it('ends the session when the provider comes back with the right state', async () => {
    const { browser } = await loginThroughForge(podA, forge);
    const out = await browser.post('/api/v1.0/logout/');
    const state = new URL(out.location ?? '').searchParams.get('state');
    const back = await browser.get(`/api/v1.0/logout-callback/?state=${state}`);
    expect(back.status).toBe(302);
    expect(back.location).toBe('/bye');
    expect(browser.cookies.has('desk_sessionid')).toBe(false);
  });

  it('answers 400 to a logout callback with the wrong state', async () => {
    const { browser } = await loginThroughForge(podA, forge);
    await browser.post('/api/v1.0/logout/');
    const back = await browser.get(`/api/v1.0/logout-callback/?state=${'w'.repeat(43)}`);
    expect(back.status).toBe(400);
    expect(back.json).toEqual({ detail: 'The logout state does not match this session.' });
  });

  it('redirects without a crash when the logout callback has no state', async () => {
    const back = await podA.browser().get('/api/v1.0/logout-callback/');
    expect(back.status).toBe(302);
    expect(back.location).toBe('/bye');
  });

  it('needs the CSRF token', async () => {
    const { browser } = await loginThroughForge(podA, forge);
    const res = await browser.request('POST', '/api/v1.0/logout/', { csrf: false });
    expect(res.status).toBe(403);
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(200);
  });

  it('logs out locally when the provider has no end-session endpoint', async () => {
    const { OIDC_OP_LOGOUT_ENDPOINT: _, ...withoutEndSession } = forge.settings;
    const local = await startDeskOn(testDb, store.kv, { ...withoutEndSession, ...SETTINGS });
    try {
      const { browser } = await loginThroughForge(local, forge);
      const res = await browser.post('/api/v1.0/logout/');
      expect(res.status).toBe(302);
      expect(res.location).toBe('/bye');
      expect((await browser.get('/api/v1.0/users/me/')).status).toBe(401);
    } finally {
      await local.stop();
    }
  });
});

describe('back-channel logout', () => {
  function post(pod: RunningDesk, token: string) {
    return pod.browser().request('POST', '/api/v1.0/backchannel-logout/', {
      body: new URLSearchParams({ logout_token: token }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  it('ends, through pod B, the session of that sid opened on pod A', async () => {
    const sid = `sid-${crypto.randomUUID()}`;
    const { browser, sub } = await loginThroughForge(podA, forge, { id: { sid } });
    const onB = podB.browser();
    onB.cookies.set('desk_sessionid', browser.cookies.get('desk_sessionid') ?? '');
    expect((await onB.get('/api/v1.0/users/me/')).status).toBe(200);
    const res = await post(podB, await forge.logoutToken({ sid, sub }));
    expect(res.status).toBe(200);
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(401);
    expect((await onB.get('/api/v1.0/users/me/')).status).toBe(401);
  });

  it('ends every session of that sub when no sid is given', async () => {
    const sub = newSub();
    const first = await loginThroughForge(podA, forge, { sub });
    const second = await loginThroughForge(podB, forge, { sub });
    expect((await post(podA, await forge.logoutToken({ sub }))).status).toBe(200);
    expect((await first.browser.get('/api/v1.0/users/me/')).status).toBe(401);
    expect((await second.browser.get('/api/v1.0/users/me/')).status).toBe(401);
  });

  it('refuses a replayed logout token on another pod', async () => {
    const token = await forge.logoutToken({ sub: newSub() });
    expect((await post(podA, token)).status).toBe(200);
    const replay = await post(podB, token);
    expect(replay.status).toBe(400);
    expect(replay.json).toMatchObject({ error: 'invalid_request' });
  });

  const invalid: [string, () => Promise<string>][] = [
    ['signed by another key', () => forge.logoutToken({ sub: newSub() }, { key: forge.otherKey })],
    ['with alg none', () => forge.logoutToken({ sub: newSub() }, { alg: 'none' })],
    ['for another audience', () => forge.logoutToken({ sub: newSub(), aud: 'another-app' })],
    ['from another issuer', () => forge.logoutToken({ sub: newSub(), iss: 'http://127.0.0.1:1/evil' })],
    ['without the logout event', () => forge.logoutToken({ sub: newSub(), events: { other: {} } })],
    ['carrying a nonce', () => forge.logoutToken({ sub: newSub(), nonce: 'n' })],
    ['with neither sub nor sid', () => forge.logoutToken({})],
    ['without iat', () => forge.logoutToken({ sub: newSub(), iat: undefined })],
  ];
  for (const [what, make] of invalid) {
    it(`refuses a logout token ${what}`, async () => {
      const sub = newSub();
      const { browser } = await loginThroughForge(podA, forge, { sub });
      const res = await post(podA, await make());
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: 'invalid_request' });
      expect((await browser.get('/api/v1.0/users/me/')).status).toBe(200);
    });
  }
});
