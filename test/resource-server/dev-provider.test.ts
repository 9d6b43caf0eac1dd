// Trying the resource server on a fresh Desk: a demo token from the development provider, checked by signed + encrypted introspection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import { loginWithDevIdp } from '../support/dev-idp-login.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore } from '../support/parts.ts';

let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;

beforeAll(async () => {
  testDb = await testDatabase();
  store = testStore();
  desk = await startDeskOn(testDb, store.kv, { DESK_DEV_IDP: 'true' });
  await loginWithDevIdp(desk.browser(), 'demo-helene-martin');
});

afterAll(async () => {
  await desk?.stop();
  await store?.kv.close();
  await testDb?.drop();
});

async function demoToken(user = 'demo-helene-martin', scope?: string): Promise<string> {
  const res = await desk.browser().post('/dev-idp-demo-token', { user, ...(scope ? { scope } : {}) });
  expect(res.status).toBe(200);
  return (res.json as { access_token: string }).access_token;
}

function call(token: string, path: string, init: { method?: string; json?: unknown } = {}) {
  return desk.browser().request(init.method ?? 'GET', `/resource-server/v1.0${path}`, {
    headers: { authorization: `Bearer ${token}` },
    ...(init.json !== undefined ? { json: init.json } : {}),
  });
}

describe('the resource server with the development provider', () => {
  it('publishes its encryption key at both /jwks routes, without private members', async () => {
    for (const path of ['/api/v1.0/jwks', '/resource-server/v1.0/jwks']) {
      const res = await desk.browser().get(path);
      expect(res.status).toBe(200);
      const [key] = (res.json as { keys: Record<string, string>[] }).keys;
      expect(key).toMatchObject({ kty: 'RSA', use: 'enc', alg: 'RSA-OAEP' });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
    }
  });

  it('answers SCIM Me for a demo token', async () => {
    const res = await call(await demoToken(), '/scim/Me/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/scim+json');
    expect(res.json).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'demo-helene-martin',
      displayName: 'Hélène Martin',
      active: true,
      groups: [],
    });
  });

  it('creates a team for the calling app and lists it', async () => {
    const token = await demoToken();
    const created = await call(token, '/teams/', { method: 'POST', json: { name: 'Équipe démo' } });
    expect(created.status).toBe(201);
    const list = await call(token, '/teams/');
    expect((list.json as { name: string }[]).map((t) => t.name)).toContain('Équipe démo');
    const me = await call(token, '/scim/Me/');
    expect((me.json as { groups: { display: string }[] }).groups.map((g) => g.display)).toContain(
      'Équipe démo',
    );
  });

  it('refuses a token without a shared scope (403 insufficient_scope)', async () => {
    const res = await call(await demoToken('demo-helene-martin', 'openid'), '/teams/');
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('refuses the token of an agent unknown to Desk (401 invalid_token)', async () => {
    const res = await call(await demoToken('demo-amina-diallo'), '/teams/');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});
