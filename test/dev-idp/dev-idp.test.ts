// The built-in development provider: a newcomer logs in as a demo user with one click and logs out through the provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import { follow, loginWithDevIdp, logoutWithDevIdp, postForm } from '../support/dev-idp-login.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore } from '../support/parts.ts';

let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;

beforeAll(async () => {
  testDb = await testDatabase();
  store = testStore();
  desk = await startDeskOn(testDb, store.kv, { DESK_DEV_IDP: 'true' });
});

afterAll(async () => {
  await desk?.stop();
  await store?.kv.close();
  await testDb?.drop();
});

describe('the development provider', () => {
  it('is discovered at /dev-idp like ProConnect: JWT userinfo, end-session and introspection endpoints', async () => {
    const res = await desk.browser().get('/dev-idp/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      issuer: `${desk.url}/dev-idp`,
      end_session_endpoint: `${desk.url}/dev-idp/session/end`,
      introspection_endpoint: `${desk.url}/dev-idp/token/introspection`,
    });
    expect(
      (res.json as { userinfo_signing_alg_values_supported: string[] }).userinfo_signing_alg_values_supported,
    ).toContain('RS256');
  });

  it('lists the demo agents on its login page', async () => {
    const page = await follow(desk.browser(), await desk.browser().get('/api/v1.0/authenticate/'));
    const browser = desk.browser();
    const again = await follow(browser, await browser.get('/api/v1.0/authenticate/'));
    expect(again.status).toBe(200);
    expect(again.text).toContain('Hélène Martin');
    expect(again.text).toContain('François Dupont');
    expect(page.status).toBe(200);
  });

  it('logs a demo agent in with one click, with ProConnect claims for the name', async () => {
    const browser = desk.browser();
    const landed = await loginWithDevIdp(browser, 'demo-helene-martin');
    expect(landed.location).toBe('/');
    const me = await browser.get('/api/v1.0/users/me/');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ email: 'helene.martin@example.gouv.fr', name: 'Hélène Martin' });
    const home = await browser.get('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toContain('text/html');
  });

  it('preselects the login_hint', async () => {
    const browser = desk.browser();
    const page = await follow(
      browser,
      await browser.get('/api/v1.0/authenticate/?login_hint=amina.diallo%40example.gouv.fr'),
    );
    expect(page.text).toMatch(/value="demo-amina-diallo" class="hint"/);
  });

  it('logs out through the provider and ends the session', async () => {
    const browser = desk.browser();
    await loginWithDevIdp(browser, 'demo-francois-dupont');
    const back = await logoutWithDevIdp(browser);
    expect(back.status).toBe(302);
    expect(back.location).toBe('/');
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(401);
  });

  it('asks which agent at the next login after a logout, so another agent can sign in', async () => {
    const browser = desk.browser();
    await loginWithDevIdp(browser, 'demo-helene-martin');
    await logoutWithDevIdp(browser);
    const page = await follow(browser, await browser.get('/api/v1.0/authenticate/'));
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="demo-francois-dupont"');
    await loginWithDevIdp(browser, 'demo-francois-dupont');
    const me = await browser.get('/api/v1.0/users/me/');
    expect(me.json).toMatchObject({ email: 'francois.dupont@example.gouv.fr' });
  });

  it("logs out with a posted form carrying the CSRF token as a field, as the web app's menu does", async () => {
    const browser = desk.browser();
    await loginWithDevIdp(browser, 'demo-amina-diallo');
    const token = browser.cookies.get('csrftoken') ?? '';
    expect(token).not.toBe('');
    const forged = await postForm(browser, '/api/v1.0/logout/', { csrfmiddlewaretoken: 'wrong' });
    expect(forged.status).toBe(403);
    const out = await postForm(browser, '/api/v1.0/logout/', { csrfmiddlewaretoken: token });
    expect(out.status).toBe(302);
    expect(out.location).toContain('/dev-idp/session/end');
  });

  it('answers a silent login without a provider session quietly', async () => {
    const browser = desk.browser();
    const res = await follow(
      browser,
      await browser.get('/api/v1.0/authenticate/?silent=true&next=%2Fteams%2F'),
      (l) => l === '/teams/',
    );
    expect(res.location).toBe('/teams/');
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(401);
  });
});
