// Bearer tokens checked by introspection: every answer Desk must refuse, and the ones it accepts, in JWT and JSON modes.

import { createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/users/index.ts';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import {
  ecKey,
  type IntrospectionForge,
  type Pem,
  rsaKey,
  startIntrospectionForge,
} from '../support/introspection-forge.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore, uniqueEmail } from '../support/parts.ts';

let forge: IntrospectionForge;
let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;
let key: Pem;
const running: RunningDesk[] = [];

async function deskWith(settings: Record<string, string>): Promise<RunningDesk> {
  const d = await startDeskOn(testDb, store.kv, settings);
  running.push(d);
  return d;
}

beforeAll(async () => {
  forge = await startIntrospectionForge();
  testDb = await testDatabase();
  store = testStore();
  key = rsaKey();
  desk = await deskWith(forge.settings(key, { OIDC_RS_INTROSPECTION_CACHE_TTL: '0' }));
});

afterAll(async () => {
  for (const d of running) await d.stop();
  await store?.kv.close();
  await forge?.close();
  await testDb?.drop();
});

async function agent(): Promise<string> {
  const sub = `sub-${crypto.randomUUID()}`;
  await testDb.database.db.insert(users).values({ sub, email: uniqueEmail('agent'), name: 'Agent' });
  return sub;
}

function claims(sub: string, extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    active: true,
    sub,
    scope: 'openid groups',
    client_id: 'app-a',
    iat: now,
    exp: now + 600,
    ...extra,
  };
}

function call(on: RunningDesk, authorization?: string, path = '/resource-server/v1.0/teams/') {
  return on.browser().request('GET', path, authorization === undefined ? {} : { headers: { authorization } });
}

const token = () => `tok-${crypto.randomUUID()}`;

describe('an accepted token', () => {
  it('with an RSA-OAEP/A256GCM answer signed ES256 opens the API', async () => {
    const sub = await agent();
    forge.answer = await forge.jwt(claims(sub), { encryptTo: key.key });
    expect((await call(desk, `Bearer ${token()}`)).status).toBe(200);
  });

  it('with an ECDH-ES answer signed RS256 opens the API', async () => {
    const ec = ecKey();
    const d = await deskWith(
      forge.settings(ec, {
        OIDC_RS_ENCRYPTION_KEY_TYPE: 'EC',
        OIDC_RS_ENCRYPTION_ALGO: 'ECDH-ES',
        OIDC_RS_SIGNING_ALGO: 'RS256',
        OIDC_RS_INTROSPECTION_CACHE_TTL: '0',
      }),
    );
    const sub = await agent();
    forge.answer = await forge.jwt(claims(sub), { encryptTo: ec.key, alg: 'ECDH-ES', signAlg: 'RS256' });
    expect((await call(d, `Bearer ${token()}`)).status).toBe(200);
  });

  it('in JSON mode (RFC 7662) opens the API', async () => {
    const d = await deskWith({
      ...forge.settings(key),
      OIDC_RS_PRIVATE_KEY_STR: '',
      OIDC_RS_BACKEND: 'json',
      OIDC_RS_INTROSPECTION_CACHE_TTL: '0',
    });
    const sub = await agent();
    forge.answer = forge.json(claims(sub));
    expect((await call(d, `Bearer ${token()}`)).status).toBe(200);
  });

  it('encrypted to either of two published keys works during a rotation', async () => {
    const older = rsaKey();
    const newer = rsaKey();
    const d = await deskWith(
      forge.settings(
        { pem: `${older.pem}\n${newer.pem}`, key: older.key },
        { OIDC_RS_INTROSPECTION_CACHE_TTL: '0' },
      ),
    );
    const jwks = (await d.browser().get('/api/v1.0/jwks')).json as { keys: { kid: string }[] };
    expect(jwks.keys).toHaveLength(2);
    const sub = await agent();
    for (const k of [older, newer]) {
      const kid = await calculateJwkThumbprint(await exportJWK(createPublicKey(k.key)));
      forge.answer = await forge.jwt(claims(sub), { encryptTo: k.key, kid });
      expect((await call(d, `Bearer ${token()}`)).status).toBe(200);
    }
  });
});

describe('a refused token', () => {
  const invalid: [string, (sub: string) => Promise<unknown>][] = [
    ['encrypted to another key', (sub) => forge.jwt(claims(sub), { encryptTo: rsaKey().key })],
    ['encrypted with another enc', (sub) => forge.jwt(claims(sub), { encryptTo: key.key, enc: 'A128GCM' })],
    ['whose inner JWT is unsigned', (sub) => forge.jwt(claims(sub), { encryptTo: key.key, signAlg: 'none' })],
    [
      'whose inner JWT is signed by a stranger',
      (sub) => forge.jwt(claims(sub), { encryptTo: key.key, signWith: 'stranger' }),
    ],
    [
      'signed with an algorithm other than the pinned one',
      (sub) => forge.jwt(claims(sub), { encryptTo: key.key, signAlg: 'RS256' }),
    ],
    ['with the wrong typ', (sub) => forge.jwt(claims(sub), { encryptTo: key.key, typ: 'JWT' })],
    [
      'from the wrong issuer',
      (sub) => forge.jwt(claims(sub), { encryptTo: key.key, iss: 'http://127.0.0.1:1/evil' }),
    ],
    ['for another audience', (sub) => forge.jwt(claims(sub), { encryptTo: key.key, aud: 'someone-else' })],
    ['without iat', (sub) => forge.jwt(claims(sub), { encryptTo: key.key, iat: null })],
    [
      'issued in the future',
      (sub) => forge.jwt(claims(sub), { encryptTo: key.key, iat: Math.floor(Date.now() / 1000) + 3600 }),
    ],
    ['that is inactive', (sub) => forge.jwt(claims(sub, { active: false }), { encryptTo: key.key })],
    [
      'whose active is the string "true"',
      (sub) => forge.jwt(claims(sub, { active: 'true' }), { encryptTo: key.key }),
    ],
    ['of an unknown sub', () => forge.jwt(claims(`sub-${crypto.randomUUID()}`), { encryptTo: key.key })],
  ];
  for (const [what, make] of invalid) {
    it(`${what} answers 401 invalid_token`, async () => {
      forge.answer = (await make(await agent())) as never;
      const res = await call(desk, `Bearer ${token()}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="desk", error="invalid_token"');
      expect(res.json).toEqual({ detail: 'Invalid or inactive access token.' });
    });
  }

  it('sharing no scope with OIDC_RS_SCOPES answers 403 insufficient_scope', async () => {
    forge.answer = await forge.jwt(claims(await agent(), { scope: 'openid email' }), { encryptTo: key.key });
    const res = await call(desk, `Bearer ${token()}`);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('of a service not in OIDC_RS_ALLOWED_AUDIENCES answers 403', async () => {
    const d = await deskWith(
      forge.settings(key, { OIDC_RS_ALLOWED_AUDIENCES: 'app-b', OIDC_RS_INTROSPECTION_CACHE_TTL: '0' }),
    );
    forge.answer = await forge.jwt(claims(await agent()), { encryptTo: key.key });
    expect((await call(d, `Bearer ${token()}`)).status).toBe(403);
  });

  it('answers 503 when the provider fails, and 503 within the timeout when it is slow', async () => {
    forge.answer = { status: 500, body: '{}' };
    expect((await call(desk, `Bearer ${token()}`)).status).toBe(503);
    const d = await deskWith(forge.settings(key, { OIDC_TIMEOUT: '1' }));
    forge.answer = { ...(await forge.jwt(claims(await agent()), { encryptTo: key.key })), delayMs: 3_000 };
    const started = Date.now();
    const res = await call(d, `Bearer ${token()}`);
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_500);
  });
});

describe("the provider's metadata and keys", () => {
  it('are fetched once for sign-in and introspection together', async () => {
    const d = await deskWith(forge.settings(key, { OIDC_RS_INTROSPECTION_CACHE_TTL: '0' }));
    const discoveries = forge.discoveries;
    const jwksFetches = forge.jwksFetches;
    forge.answer = await forge.jwt(claims(await agent()), { encryptTo: key.key });
    expect((await call(d, `Bearer ${token()}`)).status).toBe(200);
    expect((await call(d, `Bearer ${token()}`)).status).toBe(200);
    const login = await d.browser().get('/api/v1.0/authenticate/');
    expect(login.status).toBe(302);
    expect(login.location).toMatch(new RegExp(`^${forge.issuer}/authorize\\?`));
    expect(forge.discoveries - discoveries).toBe(1);
    expect(forge.jwksFetches - jwksFetches).toBe(1);
  });
});

describe('the Authorization header', () => {
  it('missing answers 401 with a Bearer challenge', async () => {
    const res = await call(desk);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="desk"');
  });

  for (const header of [
    'Bearer',
    'Bearer ',
    'Bearer a b',
    'Basic dXNlcjpwYXNz',
    'Bearer tok"en',
    'Token abc',
  ]) {
    it(`"${header}" answers 401 invalid_request`, async () => {
      const res = await call(desk, header);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_request"');
    });
  }

  it('is the only place a token is read: one in the query string is ignored', async () => {
    forge.answer = await forge.jwt(claims(await agent()), { encryptTo: key.key });
    expect((await call(desk, undefined, `/resource-server/v1.0/teams/?access_token=${token()}`)).status).toBe(
      401,
    );
  });
});

describe('the introspection cache', () => {
  it('makes repeated calls cost one introspection, and honours a revocation once the TTL has passed', async () => {
    const d = await deskWith(forge.settings(key, { OIDC_RS_INTROSPECTION_CACHE_TTL: '1' }));
    const sub = await agent();
    forge.answer = await forge.jwt(claims(sub), { encryptTo: key.key });
    const t = token();
    const before = forge.calls;
    for (let i = 0; i < 5; i++) expect((await call(d, `Bearer ${t}`)).status).toBe(200);
    expect(forge.calls - before).toBe(1);
    forge.answer = await forge.jwt(claims(sub, { active: false }), { encryptTo: key.key });
    expect((await call(d, `Bearer ${t}`)).status).toBe(200);
    // Served from the cache until the TTL (1 s) has passed, then asked again: the revocation shows.
    await expect
      .poll(async () => (await call(d, `Bearer ${t}`)).status, { timeout: 10_000, interval: 100 })
      .toBe(401);
    expect(forge.calls - before).toBe(2);
  });

  it('never outlives the token: a token expiring sooner than the TTL is asked again', async () => {
    const d = await deskWith(forge.settings(key, { OIDC_RS_INTROSPECTION_CACHE_TTL: '600' }));
    const sub = await agent();
    forge.answer = await forge.jwt(claims(sub, { exp: Math.floor(Date.now() / 1000) + 1 }), {
      encryptTo: key.key,
    });
    const t = token();
    expect((await call(d, `Bearer ${t}`)).status).toBe(200);
    const before = forge.calls;
    // Asked again once the token's exp (1 s) has passed, 600 s before the TTL would.
    await expect
      .poll(
        async () => {
          await call(d, `Bearer ${t}`);
          return forge.calls - before;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(1);
  });
});

describe('without resource-server settings', () => {
  it('answers 401 "improperly configured" and Desk serves everything else', async () => {
    const d = await deskWith({});
    const res = await call(d, `Bearer ${token()}`);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: 'Resource Server is improperly configured' });
    expect((await d.browser().get('/api/v1.0/jwks')).status).toBe(404);
    expect((await d.browser().get('/__lbheartbeat__')).status).toBe(200);
  });
});
