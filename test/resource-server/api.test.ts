// The API for the suite's other apps: each service sees the teams linked to it (or visible to all), keys, and `desk keys`.
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { resolve } from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizations } from '../../src/organizations/index.ts';
import { teamAccesses, teams } from '../../src/teams/index.ts';
import { users } from '../../src/users/index.ts';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import {
  ecKey,
  type IntrospectionForge,
  rsaKey,
  startIntrospectionForge,
} from '../support/introspection-forge.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore, uniqueEmail } from '../support/parts.ts';
import { manageTeam, scimClientRow } from '../support/scim.ts';

let forge: IntrospectionForge;
let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;
const key = rsaKey();

beforeAll(async () => {
  forge = await startIntrospectionForge();
  testDb = await testDatabase();
  store = testStore();
  desk = await startDeskOn(testDb, store.kv, forge.settings(key, { OIDC_RS_INTROSPECTION_CACHE_TTL: '0' }));
  // Each bearer token is "tok-<sub>-<service>": the forge answers for that agent and that calling service.
  forge.answer = async (token) => {
    const [, sub, service] = /^tok-(.+)-(app-[ab])$/.exec(token) ?? [];
    const now = Math.floor(Date.now() / 1000);
    return forge.jwt(
      { active: true, sub, scope: 'groups', client_id: service, iat: now, exp: now + 600 },
      { encryptTo: key.key },
    );
  };
});

afterAll(async () => {
  await desk?.stop();
  await store?.kv.close();
  await forge?.close();
  await testDb?.drop();
});

async function agent() {
  const sub = `s${crypto.randomUUID().replaceAll('-', '')}`;
  const [user] = await testDb.database.db
    .insert(users)
    .values({ sub, email: uniqueEmail('agent'), name: 'Agent Smith' })
    .returning();
  return { sub, user: user! };
}

function as(sub: string, service: 'app-a' | 'app-b') {
  const headers = { authorization: `Bearer tok-${sub}-${service}` };
  const b = desk.browser();
  return {
    get: (path: string) => b.request('GET', `/resource-server/v1.0${path}`, { headers }),
    post: (path: string, json: unknown) =>
      b.request('POST', `/resource-server/v1.0${path}`, { headers, json }),
    patch: (path: string, json: unknown) =>
      b.request('PATCH', `/resource-server/v1.0${path}`, { headers, json }),
    delete: (path: string) => b.request('DELETE', `/resource-server/v1.0${path}`, { headers }),
  };
}

describe('teams through the resource server', () => {
  it('created by service A are invisible to service B, unless visible to all services', async () => {
    const { sub } = await agent();
    const team = (await as(sub, 'app-a').post('/teams/', { name: 'Linked to A' })).json as { id: string };
    expect(((await as(sub, 'app-a').get('/teams/')).json as { id: string }[]).map((t) => t.id)).toEqual([
      team.id,
    ]);
    expect((await as(sub, 'app-b').get('/teams/')).json).toEqual([]);
    expect((await as(sub, 'app-b').get(`/teams/${team.id}/`)).status).toBe(404);
    await testDb.database.db
      .update(teams)
      .set({ isVisibleAllServiceProviders: true })
      .where(eq(teams.id, team.id));
    expect(((await as(sub, 'app-b').get('/teams/')).json as { id: string }[]).map((t) => t.id)).toEqual([
      team.id,
    ]);
  });

  it('make their creator owner, can be renamed, and cannot be deleted (405)', async () => {
    const { sub } = await agent();
    const api = as(sub, 'app-a');
    const team = (await api.post('/teams/', { name: 'Before' })).json as {
      id: string;
      abilities: { delete: boolean };
    };
    expect(team.abilities.delete).toBe(true);
    expect((await api.patch(`/teams/${team.id}/`, { name: 'After' })).json).toMatchObject({ name: 'After' });
    expect((await api.delete(`/teams/${team.id}/`)).status).toBe(405);
  });

  it('take invitations only when linked to the calling service', async () => {
    const { sub } = await agent();
    const team = (await as(sub, 'app-a').post('/teams/', { name: 'Invites' })).json as { id: string };
    const invited = await as(sub, 'app-a').post(`/teams/${team.id}/invitations/`, {
      email: uniqueEmail('guest'),
      role: 'member',
    });
    expect(invited.status).toBe(201);
    expect(
      ((await as(sub, 'app-a').get(`/teams/${team.id}/invitations/`)).json as { count: number }).count,
    ).toBe(1);
    await testDb.database.db
      .update(teams)
      .set({ isVisibleAllServiceProviders: true })
      .where(eq(teams.id, team.id));
    const fromB = await as(sub, 'app-b').post(`/teams/${team.id}/invitations/`, {
      email: uniqueEmail('guest'),
      role: 'member',
    });
    expect(fromB.status).toBe(400);
    expect(fromB.json).toEqual({ detail: 'This team is not linked to the calling service.' });
  });

  it('refuse invitations to a team a SCIM client manages, and name the client in managed_by', async () => {
    const [org] = await testDb.database.db.insert(organizations).values({ name: 'Annuaire' }).returning();
    const { sub, user } = await agent();
    await testDb.database.db.update(users).set({ organizationId: org?.id }).where(eq(users.id, user.id));
    const team = (await as(sub, 'app-a').post('/teams/', { name: 'Gérée' })).json as { id: string };
    const client = await scimClientRow(testDb.database.db, org?.id ?? '', 'Entra ID');
    await manageTeam(testDb.database.db, team.id, client.id);
    expect((await as(sub, 'app-a').get(`/teams/${team.id}/`)).json).toMatchObject({
      managed_by: { id: client.id, name: 'Entra ID' },
      abilities: { manage_accesses: false },
    });
    const res = await as(sub, 'app-a').post(`/teams/${team.id}/invitations/`, {
      email: uniqueEmail('guest'),
      role: 'member',
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({
      detail: 'The members of this team are managed by the directory “Entra ID” (SCIM).',
    });
  });

  it("turn the address of another organization's user into an invitation, never an access", async () => {
    const [mine, theirs] = await testDb.database.db
      .insert(organizations)
      .values([{ name: 'Ici' }, { name: 'Ailleurs' }])
      .returning();
    const owner = await agent();
    const stranger = await agent();
    await testDb.database.db
      .update(users)
      .set({ organizationId: mine?.id })
      .where(eq(users.id, owner.user.id));
    await testDb.database.db
      .update(users)
      .set({ organizationId: theirs?.id })
      .where(eq(users.id, stranger.user.id));
    const team = (await as(owner.sub, 'app-a').post('/teams/', { name: 'Fermée' })).json as { id: string };
    const res = await as(owner.sub, 'app-a').post(`/teams/${team.id}/invitations/`, {
      email: stranger.user.email,
      role: 'member',
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ email: stranger.user.email });
    expect(res.text).not.toContain(stranger.user.id);
    expect((await as(stranger.sub, 'app-a').get(`/teams/${team.id}/`)).status).toBe(404);
  });

  it('apply the same roles: a member cannot invite', async () => {
    const owner = await agent();
    const member = await agent();
    const team = (await as(owner.sub, 'app-a').post('/teams/', { name: 'Roles' })).json as { id: string };
    const ownerBrowser = desk.browser();
    const session = await desk.desk.sessions.create(owner.user.id);
    ownerBrowser.cookies.set('desk_sessionid', session.id);
    ownerBrowser.cookies.set('csrftoken', 'csrf-rs');
    await ownerBrowser.post(`/api/v1.0/teams/${team.id}/accesses/`, { user: member.user.id, role: 'member' });
    expect(
      (await as(member.sub, 'app-a').post(`/teams/${team.id}/invitations/`, { email: uniqueEmail() })).status,
    ).toBe(403);
  });
});

describe('team trees through the resource server', () => {
  /** A root with two children, the first with a child: made through service A by one agent, `member` in the leaf. */
  async function tree() {
    const { sub } = await agent();
    const api = as(sub, 'app-a');
    const made = async (name: string, parentId?: string) => {
      const team = (await api.post('/teams/', { name })).json as { id: string };
      if (parentId) await testDb.database.db.update(teams).set({ parentId }).where(eq(teams.id, team.id));
      return team.id;
    };
    const root = await made('Root');
    const first = await made('First', root);
    const second = await made('Second', root);
    const leaf = await made('Leaf', first);
    const member = await agent();
    await testDb.database.db
      .insert(teamAccesses)
      .values({ teamId: leaf, userId: member.user.id, role: 'member' });
    return { root, first, second, leaf, member: as(member.sub, 'app-a'), memberSub: member.sub };
  }

  it('show an agent the ancestors of their team, read only, never their siblings', async () => {
    const { root, first, second, leaf, member } = await tree();
    const list = (await member.get('/teams/')).json as { id: string; via_sub_team: boolean; role: string }[];
    expect(list.map((x) => x.id).sort()).toEqual([root, first, leaf].sort());
    expect(list.find((x) => x.id === root)).toMatchObject({ via_sub_team: true, role: 'member' });
    expect((await member.get(`/teams/${first}/`)).json).toMatchObject({ id: first, via_sub_team: true });
    expect((await member.get(`/teams/${second}/`)).status).toBe(404);
    expect((await member.patch(`/teams/${root}/`, { name: 'Taken' })).status).toBe(403);
  });

  it('show an ancestor only if the calling service may see it', async () => {
    const { root, leaf, memberSub } = await tree();
    await testDb.database.db
      .update(teams)
      .set({ isVisibleAllServiceProviders: true })
      .where(eq(teams.id, leaf));
    const fromB = (await as(memberSub, 'app-b').get('/teams/')).json as { id: string }[];
    expect(fromB.map((x) => x.id)).toEqual([leaf]);
    expect((await as(memberSub, 'app-b').get(`/teams/${root}/`)).status).toBe(404);
    expect(((await as(memberSub, 'app-a').get('/teams/')).json as unknown[]).length).toBe(3);
  });

  it('list ancestors in SCIM Me as indirect groups', async () => {
    const { root, leaf, member } = await tree();
    const ids = await testDb.database.db
      .select({ id: teams.id, externalId: teams.externalId })
      .from(teams)
      .where(inArray(teams.id, [root, leaf]));
    const external = (id: string) => ids.find((x) => x.id === id)?.externalId;
    const groups = ((await member.get('/scim/Me/')).json as { groups: { value: string; type: string }[] })
      .groups;
    expect(groups).toContainEqual(expect.objectContaining({ value: external(leaf), type: 'direct' }));
    expect(groups).toContainEqual(expect.objectContaining({ value: external(root), type: 'indirect' }));
  });
});

describe('bearer tokens', () => {
  it('stop working for the members of an organization staff deactivate', async () => {
    const [org] = await testDb.database.db.insert(organizations).values({ name: 'Fermée' }).returning();
    const { sub, user } = await agent();
    await testDb.database.db.update(users).set({ organizationId: org?.id }).where(eq(users.id, user.id));
    expect((await as(sub, 'app-a').get('/teams/')).status).toBe(200);
    const [staff] = await testDb.database.db
      .insert(users)
      .values({ email: uniqueEmail('staff'), isStaff: true })
      .returning();
    const admin = desk.browser();
    admin.cookies.set('desk_sessionid', (await desk.desk.sessions.create(staff?.id ?? '')).id);
    admin.cookies.set('csrftoken', 'csrf-rs');
    const res = await admin.patch(`/api/v1.0/admin/organizations/${org?.id}/`, { is_active: false });
    expect(res.status).toBe(200);
    const refused = await as(sub, 'app-a').get('/teams/');
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ detail: expect.any(String) });
  });
});

describe('SCIM Me', () => {
  it('describes the agent (userName is their sub, as people) with the teams this service sees, by their external id', async () => {
    const { sub, user } = await agent();
    const team = (await as(sub, 'app-a').post('/teams/', { name: 'Groupe A' })).json as { id: string };
    const [stored] = await desk.desk.database.db.select().from(teams).where(eq(teams.id, team.id));
    expect(stored?.externalId).not.toBe(team.id);
    const me = await as(sub, 'app-a').get('/scim/Me/');
    expect(me.headers.get('content-type')).toContain('application/scim+json');
    expect(me.json).toMatchObject({
      id: user.id,
      userName: sub,
      displayName: 'Agent Smith',
      emails: [{ value: user.email, primary: true }],
      active: true,
      groups: [{ value: stored?.externalId, display: 'Groupe A', type: 'direct' }],
    });
    expect(((await as(sub, 'app-b').get('/scim/Me/')).json as { groups: unknown[] }).groups).toEqual([]);
  });

  it('answers errors as SCIM error bodies', async () => {
    const res = await desk.browser().get('/resource-server/v1.0/scim/Me/');
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
      detail: 'Authentication credentials were not provided.',
    });
  });
});

describe('encryption keys', () => {
  it('are read from PKCS#8 and SEC1 PEM blocks and published without private members', async () => {
    const other = await startDeskOn(testDb, store.kv, {
      ...forge.settings({ pem: `${ecKey('sec1').pem}\n${ecKey('pkcs8').pem}`, key: key.key }),
      OIDC_RS_ENCRYPTION_KEY_TYPE: 'EC',
    });
    try {
      const res = await other.browser().get('/resource-server/v1.0/jwks');
      expect(res.headers.get('cache-control')).toContain('max-age');
      const keys = (res.json as { keys: Record<string, string>[] }).keys;
      expect(keys.map((k) => [k.kty, k.use, k.alg])).toEqual([
        ['EC', 'enc', 'ECDH-ES'],
        ['EC', 'enc', 'ECDH-ES'],
      ]);
      for (const k of keys) {
        expect(k.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k).not.toHaveProperty(member);
      }
    } finally {
      await other.stop();
    }
  });

  it.each([
    [
      'an EC key while OIDC_RS_ENCRYPTION_KEY_TYPE is RSA (the default)',
      () => `${rsaKey().pem}\n${ecKey().pem}`,
      {},
    ],
    [
      'an RSA key while OIDC_RS_ENCRYPTION_KEY_TYPE is EC',
      () => rsaKey().pem,
      { OIDC_RS_ENCRYPTION_KEY_TYPE: 'EC' },
    ],
  ])('stop the start when one is %s, naming the setting', async (_, pem, extra) => {
    const start = startDeskOn(testDb, store.kv, {
      ...forge.settings({ pem: pem(), key: key.key }),
      ...extra,
    });
    await expect(start).rejects.toThrow(
      /OIDC_RS_ENCRYPTION_KEY_TYPE.*the type of every key in OIDC_RS_PRIVATE_KEY_STR/,
    );
  });

  it('stop the start of a deployment upgraded with EC keys and no OIDC_RS_ENCRYPTION_KEY_TYPE, naming the fix', async () => {
    const start = startDeskOn(testDb, store.kv, forge.settings({ pem: ecKey().pem, key: key.key }));
    await expect(start).rejects.toThrow(/set OIDC_RS_ENCRYPTION_KEY_TYPE=EC/);
  });

  it('can be made with `desk keys generate`, and Desk accepts them', async () => {
    const bin = resolve(import.meta.dirname, '../../bin/desk.js');
    const ec = spawnSync(process.execPath, [bin, 'keys', 'generate', '--type', 'ec'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(ec.status).toBe(0);
    expect(ec.stdout).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const other = await startDeskOn(testDb, store.kv, {
      ...forge.settings({ pem: ec.stdout, key: key.key }),
      OIDC_RS_ENCRYPTION_KEY_TYPE: 'EC',
    });
    try {
      expect(
        ((await other.browser().get('/api/v1.0/jwks')).json as { keys: { crv: string }[] }).keys[0]?.crv,
      ).toBe('P-256');
    } finally {
      await other.stop();
    }
  });

  it.each([
    ['RSA', undefined, 'rsa'],
    ['EC', 'EC', 'ec'],
  ])(
    'are made by `desk keys generate` of the type OIDC_RS_ENCRYPTION_KEY_TYPE names (%s)',
    (_, setting, type) => {
      const bin = resolve(import.meta.dirname, '../../bin/desk.js');
      const made = spawnSync(process.execPath, [bin, 'keys', 'generate'], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { PATH: process.env.PATH, ...(setting ? { OIDC_RS_ENCRYPTION_KEY_TYPE: setting } : {}) },
      });
      expect(made.status).toBe(0);
      expect(createPrivateKey(made.stdout).asymmetricKeyType).toBe(type);
    },
  );

  it("are made by `desk keys generate` in a production shell without Desk's other settings", () => {
    const bin = resolve(import.meta.dirname, '../../bin/desk.js');
    const made = spawnSync(process.execPath, [bin, 'keys', 'generate'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    });
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    expect(createPrivateKey(made.stdout).asymmetricKeyType).toBe('rsa');
  });
});
