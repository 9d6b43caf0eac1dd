// SCIM clients in the staff API (DESIGN.md §9 "Clients", §8): the token shown once and kept as a digest, lists and
// details without it, revocation at once, authentication of SCIM requests, audit events, and organization merges.
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/audit/index.ts';
import type { Database } from '../../src/platform/database.ts';
import { ScimClientService, scimClients, scimUsers } from '../../src/scim/index.ts';
import { teamAccesses, teams } from '../../src/teams/index.ts';
import type { User } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import { useDesk } from '../support/desk.ts';

const t = useDesk();

interface Created {
  id: string;
  name: string;
  token: string;
  created_at: string;
}
interface Summary {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  users_count: number;
  groups_count: number;
}
interface Detail extends Summary {
  users: { id: string; email: string | null; name: string; user_name: string; is_active: boolean }[];
  groups: { id: string; name: string; members_count: number }[];
}

const clientsPath = (organizationId: string) =>
  `/api/v1.0/admin/organizations/${organizationId}/scim-clients/`;
const tag = () => crypto.randomUUID().slice(0, 8);

async function staff(): Promise<{ browser: Browser; user: User }> {
  const user = await t.createUser({ isStaff: true, name: 'Staff Member' });
  return { browser: await t.browserFor(user), user };
}

async function newClient(
  browser: Browser,
  organizationId: string,
  name = `Entra ${tag()}`,
): Promise<Created> {
  const res = await browser.post(clientsPath(organizationId), { name });
  expect(res.status).toBe(201);
  return res.json as Created;
}

/** A service on the test database with a clock the test moves. */
function serviceAt(clock: { now: number }) {
  return new ScimClientService(t.testDb.database, () => clock.now);
}

/** A user provisioned by `clientId` in `organizationId`, as the SCIM routes would store it. */
async function provisioned(
  organizationId: string,
  clientId: string,
  userName: string,
  name = `Agent ${tag()}`,
) {
  const user = await t.createUser({ organizationId, name });
  await t.testDb.database.db
    .insert(scimUsers)
    .values({ userId: user.id, organizationId, clientId, userName });
  return user;
}

async function managedTeam(organizationId: string, clientId: string, name: string, members: User[]) {
  const [team] = await t.testDb.database.db
    .insert(teams)
    .values({ name, organizationId, scimClientId: clientId })
    .returning();
  if (members.length)
    await t.testDb.database.db
      .insert(teamAccesses)
      .values(members.map((m) => ({ teamId: team!.id, userId: m.id, role: 'member' as const })));
  return team!;
}

async function events(event: string, targetId: string) {
  return t.testDb.database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.event, event), eq(auditEvents.targetId, targetId)));
}

describe('creating a SCIM client', () => {
  it('answers 201 with the token, which no later answer shows again', async () => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    const created = await newClient(browser, organizationId, '  Entra ID  ');
    expect(created).toEqual({
      id: expect.any(String),
      name: 'Entra ID',
      token: expect.stringMatching(/^desk_scim_[A-Za-z0-9_-]{43}$/),
      created_at: expect.any(String),
    });
    const list = await browser.get(clientsPath(organizationId));
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(created.token);
    expect((list.json as Summary[]).map((c) => [c.id, Object.keys(c).sort()])).toEqual([
      [created.id, ['created_at', 'groups_count', 'id', 'last_used_at', 'name', 'revoked_at', 'users_count']],
    ]);
    const detail = await browser.get(`${clientsPath(organizationId)}${created.id}/`);
    expect(detail.status).toBe(200);
    expect(detail.text).not.toContain(created.token);
  });

  it('keeps only the SHA-256 digest of the token in the database', async () => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    const created = await newClient(browser, organizationId);
    const [row] = await t.testDb.database.db.select().from(scimClients).where(eq(scimClients.id, created.id));
    expect(row?.tokenHash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.token.slice('desk_scim_'.length));
  });

  it('gives each client its own token', async () => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    const [a, b] = [await newClient(browser, organizationId), await newClient(browser, organizationId)];
    expect(a.token).not.toBe(b.token);
  });

  it.each([
    ['a blank name', { name: '   ' }],
    ['a name of 101 characters', { name: 'x'.repeat(101) }],
    ['no name', {}],
  ])('refuses %s with 400 {"name": [...]}', async (_, body) => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    const res = await browser.post(clientsPath(organizationId), body);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ name: [expect.any(String)] });
  });

  it('answers 404 for an unknown organization', async () => {
    const { browser } = await staff();
    const unknown = crypto.randomUUID();
    expect((await browser.post(clientsPath(unknown), { name: 'Okta' })).status).toBe(404);
    expect((await browser.get(clientsPath(unknown))).status).toBe(404);
  });

  it('writes scim_client.created with the staff member as actor, and never the token', async () => {
    const { browser, user } = await staff();
    const organizationId = await t.createOrganization();
    const created = await newClient(browser, organizationId, 'Okta');
    const [event] = await events('scim_client.created', created.id);
    expect(event).toMatchObject({
      actorType: 'user',
      actorId: user.id,
      targetType: 'scim_client',
      targetLabel: 'Okta',
      details: { organization_id: organizationId },
    });
    expect(event?.requestId).toBeTruthy();
    expect(JSON.stringify(event)).not.toContain(created.token.slice('desk_scim_'.length));
  });
});

describe('the staff routes of SCIM clients', () => {
  it('are absent (404) to anonymous visitors and agents', async () => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    const created = await newClient(browser, organizationId);
    const anonymous = t.browser();
    await anonymous.primeCsrf();
    const agent = await t.browserFor(await t.createUser({ organizationId }));
    for (const other of [anonymous, agent]) {
      expect((await other.post(clientsPath(organizationId), { name: 'x' })).status).toBe(404);
      expect((await other.get(clientsPath(organizationId))).status).toBe(404);
      expect((await other.get(`${clientsPath(organizationId)}${created.id}/`)).status).toBe(404);
      expect((await other.request('DELETE', `${clientsPath(organizationId)}${created.id}/`)).status).toBe(
        404,
      );
    }
    expect((await serviceAt({ now: Date.now() }).authenticate(created.token))?.id).toBe(created.id);
  });

  it('answer 404 for a client of another organization named in the URL, and leave it alone', async () => {
    const { browser } = await staff();
    const [mine, theirs] = [await t.createOrganization(), await t.createOrganization()];
    const created = await newClient(browser, theirs);
    expect((await browser.get(`${clientsPath(mine)}${created.id}/`)).status).toBe(404);
    expect((await browser.request('DELETE', `${clientsPath(mine)}${created.id}/`)).status).toBe(404);
    expect((await browser.get(clientsPath(mine))).json).toEqual([]);
    expect((await serviceAt({ now: Date.now() }).authenticate(created.token))?.id).toBe(created.id);
  });

  it('list each client with the numbers of users and groups it manages, and the detail names them', async () => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    const [entra, okta] = [
      await newClient(browser, organizationId),
      await newClient(browser, organizationId),
    ];
    const bob = await provisioned(organizationId, entra.id, `bob-${tag()}@example.gouv.fr`, 'Bob');
    const alice = await provisioned(organizationId, entra.id, `alice-${tag()}@example.gouv.fr`, 'Alice');
    await provisioned(organizationId, okta.id, `carol-${tag()}@example.gouv.fr`, 'Carol');
    await managedTeam(organizationId, entra.id, 'Zeta', [alice]);
    await managedTeam(organizationId, entra.id, 'Alpha', [alice, bob]);
    await t.testDb.database.db.insert(teams).values({ name: 'Not managed', organizationId });

    const list = (await browser.get(clientsPath(organizationId))).json as Summary[];
    expect(list.map((c) => [c.id, c.users_count, c.groups_count])).toEqual([
      [entra.id, 2, 2],
      [okta.id, 1, 0],
    ]);
    const detail = (await browser.get(`${clientsPath(organizationId)}${entra.id}/`)).json as Detail;
    expect(detail).toMatchObject({ id: entra.id, users_count: 2, groups_count: 2, last_used_at: null });
    expect(detail.users.map((u) => [u.name, u.is_active])).toEqual([
      ['Alice', true],
      ['Bob', true],
    ]);
    expect(detail.users[0]?.user_name).toMatch(/^alice-/);
    expect(detail.groups.map((g) => [g.name, g.members_count])).toEqual([
      ['Alpha', 2],
      ['Zeta', 1],
    ]);
  });
});

describe("the organization's page in the back office", () => {
  it('reads one organization for staff, 404 for an unknown one', async () => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    const res = await browser.get(`/api/v1.0/admin/organizations/${organizationId}/`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: organizationId, is_active: true });
    expect((await browser.get(`/api/v1.0/admin/organizations/${crypto.randomUUID()}/`)).status).toBe(404);
  });
});

describe('revoking a SCIM client', () => {
  it('answers 204 and its token stops working at once; the client stays listed as revoked', async () => {
    const { browser, user } = await staff();
    const organizationId = await t.createOrganization();
    const created = await newClient(browser, organizationId);
    const service = serviceAt({ now: Date.now() });
    expect(await service.authenticate(created.token)).not.toBeNull();
    const res = await browser.request('DELETE', `${clientsPath(organizationId)}${created.id}/`);
    expect(res.status).toBe(204);
    expect(await service.authenticate(created.token)).toBeNull();
    const [listed] = (await browser.get(clientsPath(organizationId))).json as Summary[];
    expect(listed?.revoked_at).toEqual(expect.any(String));
    const [event] = await events('scim_client.revoked', created.id);
    expect(event).toMatchObject({ actorType: 'user', actorId: user.id, targetType: 'scim_client' });
  });

  it('twice in parallel answers 204 to both and writes one audit event', async () => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    const created = await newClient(browser, organizationId);
    const path = `${clientsPath(organizationId)}${created.id}/`;
    const answers = await Promise.all([browser.request('DELETE', path), browser.request('DELETE', path)]);
    expect(answers.map((a) => a.status)).toEqual([204, 204]);
    expect((await browser.request('DELETE', path)).status).toBe(204);
    expect(await events('scim_client.revoked', created.id)).toHaveLength(1);
  });

  it('keeps the users and teams naming the client', async () => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    const created = await newClient(browser, organizationId);
    const user = await provisioned(organizationId, created.id, `dora-${tag()}`);
    await managedTeam(organizationId, created.id, `Team ${tag()}`, [user]);
    await browser.request('DELETE', `${clientsPath(organizationId)}${created.id}/`);
    const detail = (await browser.get(`${clientsPath(organizationId)}${created.id}/`)).json as Detail;
    expect([detail.users_count, detail.groups_count]).toEqual([1, 1]);
  });
});

describe('authenticating a SCIM request', () => {
  it('refuses the client of a deactivated organization, and accepts it again once reactivated', async () => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    const created = await newClient(browser, organizationId);
    const service = serviceAt({ now: Date.now() });
    const org = `/api/v1.0/admin/organizations/${organizationId}/`;
    expect((await browser.patch(org, { is_active: false })).status).toBe(200);
    expect(await service.authenticate(created.token)).toBeNull();
    expect((await browser.patch(org, { is_active: true })).status).toBe(200);
    expect((await service.authenticate(created.token))?.organizationId).toBe(organizationId);
  });

  it('lets staff create a client for a deactivated organization, which works once the organization is back', async () => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    await t.testDb.database.db.execute(
      sql`update organizations set is_active = false where id = ${organizationId}`,
    );
    const created = await newClient(browser, organizationId);
    const service = serviceAt({ now: Date.now() });
    expect(await service.authenticate(created.token)).toBeNull();
    await t.testDb.database.db.execute(
      sql`update organizations set is_active = true where id = ${organizationId}`,
    );
    expect(await service.authenticate(created.token)).not.toBeNull();
  });

  it.each([
    ['an empty token', ''],
    ['a token without the prefix', 'x'.repeat(53)],
    ['a token too short', 'desk_scim_abc'],
    ['a token with other characters', `desk_scim_${'a'.repeat(42)}=`],
    ['a very long token', `desk_scim_${'a'.repeat(10_000)}`],
  ])('refuses %s before any query', async (_, token) => {
    const untouchable = new Proxy(
      {},
      {
        get() {
          throw new Error('the database was asked');
        },
      },
    );
    const service = new ScimClientService(untouchable as Database);
    expect(await service.authenticate(token)).toBeNull();
  });

  it('refuses a well-formed token nobody was given', async () => {
    const token = `desk_scim_${Buffer.alloc(32, 7).toString('base64url')}`;
    expect(await serviceAt({ now: Date.now() }).authenticate(token)).toBeNull();
  });

  it('records the last use at most once a minute', async () => {
    const { browser } = await staff();
    const organizationId = await t.createOrganization();
    const created = await newClient(browser, organizationId);
    const clock = { now: Date.parse('2030-01-01T10:00:00Z') };
    const service = serviceAt(clock);
    const lastUsed = async () => {
      const [listed] = (await browser.get(clientsPath(organizationId))).json as Summary[];
      return listed?.last_used_at;
    };
    expect(await lastUsed()).toBeNull();
    await service.authenticate(created.token);
    expect(await lastUsed()).toBe('2030-01-01T10:00:00.000Z');
    clock.now += 59_000;
    await Promise.all([service.authenticate(created.token), service.authenticate(created.token)]);
    expect(await lastUsed()).toBe('2030-01-01T10:00:00.000Z');
    clock.now += 1_000;
    await service.authenticate(created.token);
    expect(await lastUsed()).toBe('2030-01-01T10:01:00.000Z');
  });
});

describe('merging organizations with SCIM clients', () => {
  const merge = (browser: Browser, from: string, into: string) =>
    browser.post(`/api/v1.0/admin/organizations/${from}/merge/`, { into });

  it('moves the clients and their provisioned users into the organization kept', async () => {
    const { browser } = await staff();
    const [from, into] = [await t.createOrganization(), await t.createOrganization()];
    const created = await newClient(browser, from);
    const user = await provisioned(from, created.id, `eve-${tag()}`);
    await managedTeam(from, created.id, `Team ${tag()}`, [user]);
    expect((await merge(browser, from, into)).status).toBe(200);
    const listed = (await browser.get(clientsPath(into))).json as Summary[];
    expect(listed.map((c) => [c.id, c.users_count, c.groups_count])).toEqual([[created.id, 1, 1]]);
    const [row] = await t.testDb.database.db.select().from(scimUsers).where(eq(scimUsers.userId, user.id));
    expect(row?.organizationId).toBe(into);
    expect((await serviceAt({ now: Date.now() }).authenticate(created.token))?.organizationId).toBe(into);
  });

  it('refuses with 400 naming the userNames both provision, and changes nothing', async () => {
    const { browser } = await staff();
    const [from, into] = [await t.createOrganization(), await t.createOrganization()];
    const [a, b] = [await newClient(browser, from), await newClient(browser, into)];
    const shared = `Frank-${tag()}@Example.gouv.fr`;
    const user = await provisioned(from, a.id, shared);
    await provisioned(into, b.id, shared.toLowerCase());
    await provisioned(from, a.id, `only-here-${tag()}`);
    const res = await merge(browser, from, into);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ into: [expect.stringContaining(shared.toLowerCase())] });
    expect(res.text).not.toContain('only-here');
    expect(((await browser.get(clientsPath(from))).json as Summary[]).map((c) => c.id)).toEqual([a.id]);
    const [row] = await t.testDb.database.db.select().from(scimUsers).where(eq(scimUsers.userId, user.id));
    expect(row?.organizationId).toBe(from);
    expect(await events('organization.merged', into)).toEqual([]);
  });
});
