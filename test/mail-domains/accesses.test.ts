// Who may do what with a mail domain's accesses (DESIGN.md §11, people's mail_domain_accesses API tests): viewers
// read, administrators manage viewers and administrators, only owners touch owners, and a domain never loses its last
// owner, even to two owners demoting or removing each other at the same time.
import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { mailDomainAccesses } from '../../src/mail-domains/schema.ts';
import type { User } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import { useDesk } from '../support/desk.ts';
import { startFakeDimail } from '../support/fake-dimail.ts';

const dimail = await startFakeDimail();
afterAll(() => dimail.close());
const t = useDesk({
  MAIL_PROVISIONING_API_URL: dimail.url,
  MAIL_PROVISIONING_API_CREDENTIALS: dimail.credentials,
  MAIL_PROVISIONING_API_TIMEOUT: '2',
});

const api = '/api/v1.0/mail-domains';
const ROLES = ['viewer', 'administrator', 'owner'] as const;
type Role = (typeof ROLES)[number];
const ONLY_OWNERS = { detail: 'Only owners of a domain can assign other users as owners.' };
const LAST_OWNER_ROLE = { role: 'Cannot change the role to a non-owner role for the last owner access.' };
const LAST_OWNER_DELETE = { detail: 'Cannot delete the last owner access for the domain.' };

interface Access {
  id: string;
  user: { id: string; name: string; email: string | null };
  role: Role;
  can_set_role_to: Role[];
}

interface Team {
  organizationId: string;
  slug: string;
  domainId: string;
  /** The first owner, who created the domain. */
  owner: User;
  /** A user of the organization per role, each with their access id. */
  members: Record<Role, { user: User; access: string }>;
  colleague: (values?: Partial<User>) => Promise<User>;
  as: (user: User) => Promise<Browser>;
}

/** A domain of a new organization, with an owner, an administrator and a viewer. */
async function domainWithRoles(): Promise<Team> {
  const organizationId = await t.createOrganization();
  const colleague = (values: Partial<User> = {}) => t.createUser({ organizationId, ...values });
  const owner = await colleague();
  const name = `d${crypto.randomUUID().slice(0, 8)}.example.fr`;
  const res = await (await t.browserFor(owner)).post(`${api}/`, { name, support_email: `support@${name}` });
  expect(res.status, res.text).toBe(201);
  const { slug, id: domainId } = res.json as { slug: string; id: string };
  const accessOf = async (user: User, role: Role) => {
    const [row] = await t.testDb.database.db
      .insert(mailDomainAccesses)
      .values({ domainId, userId: user.id, role })
      .onConflictDoNothing()
      .returning();
    if (row) return row.id;
    const [mine] = await t.testDb.database.db
      .select()
      .from(mailDomainAccesses)
      .where(and(eq(mailDomainAccesses.domainId, domainId), eq(mailDomainAccesses.userId, user.id)));
    return mine!.id;
  };
  const administrator = await colleague();
  const viewer = await colleague();
  return {
    organizationId,
    slug,
    domainId,
    owner,
    members: {
      owner: { user: owner, access: await accessOf(owner, 'owner') },
      administrator: { user: administrator, access: await accessOf(administrator, 'administrator') },
      viewer: { user: viewer, access: await accessOf(viewer, 'viewer') },
    },
    colleague,
    as: (user) => t.browserFor(user),
  };
}

async function addAccess(team: Team, role: Role): Promise<{ user: User; access: string }> {
  const user = await team.colleague();
  const [row] = await t.testDb.database.db
    .insert(mailDomainAccesses)
    .values({ domainId: team.domainId, userId: user.id, role })
    .returning();
  return { user, access: row!.id };
}

async function rolesOf(team: Team): Promise<Role[]> {
  const rows = await t.testDb.database.db
    .select({ role: mailDomainAccesses.role })
    .from(mailDomainAccesses)
    .where(eq(mailDomainAccesses.domainId, team.domainId));
  return rows.map((r) => r.role).sort();
}

describe('reading accesses', () => {
  it.each(ROLES)('a %s lists them and reads one', async (role) => {
    const team = await domainWithRoles();
    const b = await team.as(team.members[role].user);
    const list = await b.get(`${api}/${team.slug}/accesses/`);
    expect(list.status, list.text).toBe(200);
    const page = list.json as { count: number; results: Access[] };
    expect(page.count).toBe(3);
    expect(page.results.map((a) => a.role).sort()).toEqual([...ROLES].sort());
    const { viewer } = team.members;
    const one = await b.get(`${api}/${team.slug}/accesses/${viewer.access}/`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({
      id: viewer.access,
      role: 'viewer',
      user: { id: viewer.user.id, name: viewer.user.name, email: viewer.user.email },
    });
  });

  it('someone without a role gets 404 on the list and on an access', async () => {
    const team = await domainWithRoles();
    const b = await team.as(await team.colleague());
    const list = await b.get(`${api}/${team.slug}/accesses/`);
    expect(list.status).toBe(404);
    expect(list.json).toEqual({ detail: 'No MailDomain matches the given query.' });
    expect((await b.get(`${api}/${team.slug}/accesses/${team.members.viewer.access}/`)).status).toBe(404);
  });

  it('an access of another domain is 404 through mine', async () => {
    const team = await domainWithRoles();
    const other = await domainWithRoles();
    const b = await team.as(team.owner);
    expect((await b.get(`${api}/${team.slug}/accesses/${other.members.viewer.access}/`)).status).toBe(404);
  });
});

describe('the roles I may give (can_set_role_to)', () => {
  const expected: Record<Role, Record<Role, Role[]>> = {
    viewer: { viewer: [], administrator: [], owner: [] },
    administrator: { viewer: ['administrator'], administrator: ['viewer'], owner: [] },
    owner: {
      viewer: ['administrator', 'owner'],
      administrator: ['owner', 'viewer'],
      owner: ['administrator', 'viewer'],
    },
  };

  it.each(ROLES)('as %s, on each access', async (mine) => {
    const team = await domainWithRoles();
    // Another owner, so an owner sees what they may do to an owner who is not themselves.
    await addAccess(team, 'owner');
    const me = team.members[mine];
    const { results } = (await (await team.as(me.user)).get(`${api}/${team.slug}/accesses/`)).json as {
      results: Access[];
    };
    for (const access of results)
      expect([...access.can_set_role_to].sort(), `${mine} on ${access.role}`).toEqual(
        expected[mine][access.role],
      );
    const one = await (await team.as(me.user)).get(
      `${api}/${team.slug}/accesses/${team.members.viewer.access}/`,
    );
    expect([...(one.json as Access).can_set_role_to].sort()).toEqual(expected[mine].viewer);
  });
});

describe('giving an access', () => {
  it('a viewer may not (403)', async () => {
    const team = await domainWithRoles();
    const newcomer = await team.colleague();
    const res = await (await team.as(team.members.viewer.user)).post(`${api}/${team.slug}/accesses/`, {
      user: newcomer.id,
      role: 'viewer',
    });
    expect(res.status).toBe(403);
    expect(await rolesOf(team)).toEqual(['administrator', 'owner', 'viewer']);
  });

  it.each(['viewer', 'administrator'] as const)(
    'an administrator gives a colleague the %s role',
    async (role) => {
      const team = await domainWithRoles();
      const newcomer = await team.colleague();
      const res = await (await team.as(team.members.administrator.user)).post(
        `${api}/${team.slug}/accesses/`,
        {
          user: newcomer.id,
          role,
        },
      );
      expect(res.status, res.text).toBe(201);
      expect(res.json).toMatchObject({ user: { id: newcomer.id }, role });
    },
  );

  it('an administrator may not make an owner', async () => {
    const team = await domainWithRoles();
    const newcomer = await team.colleague();
    const res = await (await team.as(team.members.administrator.user)).post(`${api}/${team.slug}/accesses/`, {
      user: newcomer.id,
      role: 'owner',
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual(ONLY_OWNERS);
    expect(await rolesOf(team)).toEqual(['administrator', 'owner', 'viewer']);
  });

  it('an owner makes an owner', async () => {
    const team = await domainWithRoles();
    const newcomer = await team.colleague();
    const res = await (await team.as(team.owner)).post(`${api}/${team.slug}/accesses/`, {
      user: newcomer.id,
      role: 'owner',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ role: 'owner', can_set_role_to: ['administrator', 'viewer'] });
  });

  it('a user of another organization and an unknown id get the same 400', async () => {
    const team = await domainWithRoles();
    const stranger = await t.createUser({ organizationId: await t.createOrganization() });
    const unknown = crypto.randomUUID();
    const b = await team.as(team.owner);
    for (const id of [stranger.id, unknown]) {
      const res = await b.post(`${api}/${team.slug}/accesses/`, { user: id, role: 'viewer' });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ user: [`Invalid pk "${id}" - object does not exist.`] });
    }
    expect(await rolesOf(team)).toEqual(['administrator', 'owner', 'viewer']);
  });

  it('a colleague who already has an access gets 400', async () => {
    const team = await domainWithRoles();
    const res = await (await team.as(team.owner)).post(`${api}/${team.slug}/accesses/`, {
      user: team.members.viewer.user.id,
      role: 'administrator',
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(['user']);
    expect(await rolesOf(team)).toEqual(['administrator', 'owner', 'viewer']);
  });
});

describe('changing a role', () => {
  it('a viewer may not (403)', async () => {
    const team = await domainWithRoles();
    const other = await addAccess(team, 'viewer');
    const res = await (await team.as(team.members.viewer.user)).patch(
      `${api}/${team.slug}/accesses/${other.access}/`,
      { role: 'administrator' },
    );
    expect(res.status).toBe(403);
  });

  it('an administrator promotes a viewer to administrator and demotes an administrator to viewer', async () => {
    const team = await domainWithRoles();
    const b = await team.as(team.members.administrator.user);
    const other = await addAccess(team, 'administrator');
    const up = await b.patch(`${api}/${team.slug}/accesses/${team.members.viewer.access}/`, {
      role: 'administrator',
    });
    expect(up.status, up.text).toBe(200);
    expect(up.json).toMatchObject({ role: 'administrator' });
    const down = await b.put(`${api}/${team.slug}/accesses/${other.access}/`, { role: 'viewer' });
    expect(down.status, down.text).toBe(200);
    expect(down.json).toMatchObject({ role: 'viewer' });
  });

  it("an administrator may neither make an owner nor change an owner's role (403)", async () => {
    const team = await domainWithRoles();
    // Two owners: the last-owner rule alone would not refuse the demotion.
    await addAccess(team, 'owner');
    const b = await team.as(team.members.administrator.user);
    const up = await b.patch(`${api}/${team.slug}/accesses/${team.members.viewer.access}/`, {
      role: 'owner',
    });
    expect(up.status).toBe(403);
    const down = await b.patch(`${api}/${team.slug}/accesses/${team.members.owner.access}/`, {
      role: 'viewer',
    });
    expect(down.status).toBe(403);
    expect(await rolesOf(team)).toEqual(['administrator', 'owner', 'owner', 'viewer']);
  });

  it('an owner sets any role on another access, another owner included', async () => {
    const team = await domainWithRoles();
    const second = await addAccess(team, 'owner');
    const b = await team.as(team.owner);
    for (const [access, role] of [
      [team.members.viewer.access, 'owner'],
      [team.members.administrator.access, 'viewer'],
      [second.access, 'administrator'],
    ] as const) {
      const res = await b.patch(`${api}/${team.slug}/accesses/${access}/`, { role });
      expect(res.status, res.text).toBe(200);
      expect(res.json).toMatchObject({ role });
    }
  });

  it('the last owner cannot be demoted, not even by themselves', async () => {
    const team = await domainWithRoles();
    const res = await (await team.as(team.owner)).patch(
      `${api}/${team.slug}/accesses/${team.members.owner.access}/`,
      { role: 'administrator' },
    );
    expect(res.status).toBe(403);
    expect(res.json).toEqual(LAST_OWNER_ROLE);
    expect(await rolesOf(team)).toEqual(['administrator', 'owner', 'viewer']);
  });

  it('an owner steps down while another owner stays', async () => {
    const team = await domainWithRoles();
    await addAccess(team, 'owner');
    const res = await (await team.as(team.owner)).patch(
      `${api}/${team.slug}/accesses/${team.members.owner.access}/`,
      { role: 'viewer' },
    );
    expect(res.status, res.text).toBe(200);
    expect(await rolesOf(team)).toEqual(['administrator', 'owner', 'viewer', 'viewer']);
  });

  it('two owners demoting each other at the same time: one wins, the domain keeps an owner', async () => {
    for (let round = 0; round < 3; round += 1) {
      const team = await domainWithRoles();
      const second = await addAccess(team, 'owner');
      const [a, b] = [await team.as(team.owner), await team.as(second.user)];
      const answers = await Promise.all([
        a.patch(`${api}/${team.slug}/accesses/${second.access}/`, { role: 'viewer' }),
        b.patch(`${api}/${team.slug}/accesses/${team.members.owner.access}/`, { role: 'viewer' }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 403]);
      expect((await rolesOf(team)).filter((r) => r === 'owner')).toEqual(['owner']);
    }
  });
});

describe('removing an access', () => {
  it('a viewer may not (403)', async () => {
    const team = await domainWithRoles();
    const other = await addAccess(team, 'viewer');
    const res = await (await team.as(team.members.viewer.user)).delete(
      `${api}/${team.slug}/accesses/${other.access}/`,
    );
    expect(res.status).toBe(403);
  });

  it('an administrator removes a viewer and an administrator', async () => {
    const team = await domainWithRoles();
    const other = await addAccess(team, 'administrator');
    const b = await team.as(team.members.administrator.user);
    expect((await b.delete(`${api}/${team.slug}/accesses/${team.members.viewer.access}/`)).status).toBe(204);
    expect((await b.delete(`${api}/${team.slug}/accesses/${other.access}/`)).status).toBe(204);
    expect(await rolesOf(team)).toEqual(['administrator', 'owner']);
  });

  it('an administrator may not remove an owner (403)', async () => {
    const team = await domainWithRoles();
    await addAccess(team, 'owner');
    const res = await (await team.as(team.members.administrator.user)).delete(
      `${api}/${team.slug}/accesses/${team.members.owner.access}/`,
    );
    expect(res.status).toBe(403);
    expect(await rolesOf(team)).toEqual(['administrator', 'owner', 'owner', 'viewer']);
  });

  it('the last owner cannot be removed', async () => {
    const team = await domainWithRoles();
    const res = await (await team.as(team.owner)).delete(
      `${api}/${team.slug}/accesses/${team.members.owner.access}/`,
    );
    expect(res.status).toBe(403);
    expect(res.json).toEqual(LAST_OWNER_DELETE);
    expect(await rolesOf(team)).toEqual(['administrator', 'owner', 'viewer']);
  });

  it('an owner removes another owner', async () => {
    const team = await domainWithRoles();
    const second = await addAccess(team, 'owner');
    const res = await (await team.as(team.owner)).delete(`${api}/${team.slug}/accesses/${second.access}/`);
    expect(res.status).toBe(204);
    expect(await rolesOf(team)).toEqual(['administrator', 'owner', 'viewer']);
  });

  it('two owners leaving at the same time: one leaves, the other stays the last owner', async () => {
    for (let round = 0; round < 3; round += 1) {
      const team = await domainWithRoles();
      const second = await addAccess(team, 'owner');
      const [a, b] = [await team.as(team.owner), await team.as(second.user)];
      const answers = await Promise.all([
        a.delete(`${api}/${team.slug}/accesses/${team.members.owner.access}/`),
        b.delete(`${api}/${team.slug}/accesses/${second.access}/`),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([204, 403]);
      expect(answers.find((r) => r.status === 403)?.json).toEqual(LAST_OWNER_DELETE);
      expect((await rolesOf(team)).filter((r) => r === 'owner')).toEqual(['owner']);
    }
  });

  it('two owners removing each other at the same time: one is removed, the domain keeps an owner', async () => {
    for (let round = 0; round < 3; round += 1) {
      const team = await domainWithRoles();
      const second = await addAccess(team, 'owner');
      const [a, b] = [await team.as(team.owner), await team.as(second.user)];
      const answers = await Promise.all([
        a.delete(`${api}/${team.slug}/accesses/${second.access}/`),
        b.delete(`${api}/${team.slug}/accesses/${team.members.owner.access}/`),
      ]);
      // The loser has either lost their own access already (404) or finds the other the last owner (403).
      expect(answers.filter((r) => r.status === 204)).toHaveLength(1);
      expect((await rolesOf(team)).filter((r) => r === 'owner')).toEqual(['owner']);
    }
  });
});

describe('colleagues who may be given an access (accesses/users/)', () => {
  it('are not shown to a viewer (403)', async () => {
    const team = await domainWithRoles();
    const res = await (await team.as(team.members.viewer.user)).get(`${api}/${team.slug}/accesses/users/`);
    expect(res.status).toBe(403);
  });

  it('are 404 to someone without a role', async () => {
    const team = await domainWithRoles();
    const res = await (await team.as(await team.colleague())).get(`${api}/${team.slug}/accesses/users/`);
    expect(res.status).toBe(404);
  });

  it.each(['administrator', 'owner'] as const)(
    'are, for an %s, the active colleagues of my organization without an access',
    async (role) => {
      const team = await domainWithRoles();
      const free = await team.colleague();
      await team.colleague({ isActive: false });
      await t.createUser({ organizationId: await t.createOrganization() });
      await t.createUser();
      const res = await (await team.as(team.members[role].user)).get(`${api}/${team.slug}/accesses/users/`);
      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual([{ id: free.id, name: free.name, email: free.email }]);
    },
  );

  it('are searched with ?q= in names, accents aside, and in emails', async () => {
    const team = await domainWithRoles();
    const helene = await team.colleague({ name: 'Hélène Martin' });
    const byEmail = await team.colleague({
      name: 'Paul Durand',
      email: `zorglub-${crypto.randomUUID()}@example.fr`,
    });
    await team.colleague({ name: 'Marc Petit' });
    const b = await team.as(team.owner);
    const ids = async (q: string) =>
      (
        (await b.get(`${api}/${team.slug}/accesses/users/?q=${encodeURIComponent(q)}`)).json as {
          id: string;
        }[]
      ).map((u) => u.id);
    expect(await ids('helene')).toEqual([helene.id]);
    expect(await ids('HÉLÈNE')).toEqual([helene.id]);
    expect(await ids('zorglub')).toEqual([byEmail.id]);
  });
});
