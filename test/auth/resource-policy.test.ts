// One policy per resource: the caller, the feature flag, caching, cookies and ids hold for every route under it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resources, SessionStore } from '../../src/auth/index.ts';
import { configFrom } from '../../src/platform/config.ts';
import { createHttpServer } from '../../src/platform/http.ts';
import { idParams } from '../../src/platform/input.ts';
import { MemoryStore } from '../../src/platform/kv.ts';
import { useDesk } from '../support/desk.ts';

const t = useDesk();
const hidden = useDesk({ FEATURE_TEAMS_DISPLAY: 'false', FEATURE_CONTACTS_DISPLAY: 'false' });
const NOT_A_UUID = [
  '------------------------------------',
  'ffffffff-ffff-ffff-ffff-fffffffffff-',
  'x',
  '%00',
];

describe('a resource turned off by its feature flag', () => {
  it.each([
    ['GET', '/api/v1.0/teams/'],
    ['GET', `/api/v1.0/teams/${crypto.randomUUID()}/`],
    ['GET', `/api/v1.0/teams/${crypto.randomUUID()}/accesses/`],
    ['GET', `/api/v1.0/teams/${crypto.randomUUID()}/invitations/`],
    ['POST', `/api/v1.0/teams/${crypto.randomUUID()}/invitations/`],
    ['DELETE', `/api/v1.0/teams/${crypto.randomUUID()}/invitations/${crypto.randomUUID()}/`],
    ['GET', '/api/v1.0/contacts/'],
  ])('answers 404 to %s %s, invitations included', async (method, path) => {
    const browser = await hidden.browserFor(await hidden.createUser());
    const res = await browser.request(method, path, method === 'GET' ? {} : { json: { email: 'a@b.fr' } });
    expect(res.status).toBe(404);
  });
});

describe('a resource for signed-in users', () => {
  it('answers 401 before looking at the body', async () => {
    const browser = t.browser();
    await browser.primeCsrf();
    const res = await browser.post('/api/v1.0/teams/', { name: 42, unknown: true });
    expect(res.status).toBe(401);
  });

  it('answers no-store, so no cache keeps a user page', async () => {
    const browser = await t.browserFor(await t.createUser());
    const res = await browser.get('/api/v1.0/users/me/');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each(NOT_A_UUID)('answers 404 to the id %s, as an unknown id', async (id) => {
    const browser = await t.browserFor(await t.createUser());
    for (const path of [
      `/api/v1.0/contacts/${id}/`,
      `/api/v1.0/documents/${id}/`,
      `/api/v1.0/teams/${id}/`,
    ]) {
      const res = await browser.get(path);
      expect([path, res.status, res.json]).toEqual([path, 404, { detail: 'Not found.' }]);
    }
  });

  it('refuses unknown fields when changing a role, as everywhere else', async () => {
    const user = await t.createUser();
    const browser = await t.browserFor(user);
    const team = (await browser.post('/api/v1.0/teams/', { name: 'Strict' })).json as { id: string };
    const other = await t.createUser();
    const access = (await browser.post(`/api/v1.0/teams/${team.id}/accesses/`, { user: other.id })).json as {
      id: string;
    };
    const res = await browser.patch(`/api/v1.0/teams/${team.id}/accesses/${access.id}/`, {
      role: 'administrator',
      is_owner: true,
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ is_owner: ['Unknown field.'] });
  });

  it('answers 404 past the last page, as DRF does, instead of an empty page with count 0', async () => {
    const browser = await t.browserFor(await t.createUser());
    const team = (await browser.post('/api/v1.0/teams/', { name: 'Paged' })).json as { id: string };
    const first = await browser.get(`/api/v1.0/teams/${team.id}/accesses/`);
    expect(first.json).toMatchObject({ count: 1 });
    const past = await browser.get(`/api/v1.0/teams/${team.id}/accesses/?page=5`);
    expect(past.status).toBe(404);
    expect(past.json).toEqual({ detail: 'Invalid page.' });
  });
});

describe('answers for machines and caches', () => {
  it.each([
    '/api/v1.0/jwks',
    '/resource-server/v1.0/jwks',
    '/__heartbeat__',
    '/__lbheartbeat__',
    '/resource-server/v1.0/teams/',
  ])('set no cookie on %s', async (path) => {
    const res = await t.browser().get(path);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('still give a browser its csrftoken on API answers', async () => {
    const res = await t.browser().get('/api/v1.0/config/');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('csrftoken='))).toBe(true);
  });
});

describe('declaring a resource', () => {
  const parts = async () => {
    const config = configFrom({ LOG_LEVEL: 'silent' });
    const app = await createHttpServer(config);
    const kv = new MemoryStore();
    const sessions = new SessionStore(kv, { absoluteMs: 60_000, idleMs: 60_000 });
    const database = {} as Parameters<typeof resources>[1]['database'];
    return { app, resource: resources(app, { config, database, kv, sessions }) };
  };

  it('refuses at start a path parameter that is not declared as a UUID', async () => {
    const { app, resource } = await parts();
    resource('/things/', { caller: 'machine' }, (scope) => {
      scope.get('/things/:id/', { schema: { params: z.object({ id: z.string() }) } }, async () => ({}));
    });
    await expect(app.ready()).rejects.toThrow(/:id must be declared with uuid\(\)/);
  });

  it('refuses at start a route outside its resource prefix', async () => {
    const { app, resource } = await parts();
    resource('/things/', { caller: 'machine' }, (scope) => {
      scope.get('/elsewhere/:id/', { schema: { params: idParams('id') } }, async () => ({}));
    });
    await expect(app.ready()).rejects.toThrow(/registered under the resource \/things\//);
  });
});
