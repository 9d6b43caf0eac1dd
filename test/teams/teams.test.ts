// Teams through the API: every role × action cell of DESIGN.md §4, and the last-owner rules.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/audit/index.ts';
import type { Role } from '../../src/teams/index.ts';
import type { User } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import { useDesk } from '../support/desk.ts';

const t = useDesk();

type Who = 'anonymous' | 'unrelated' | Role;
const EVERYONE: Who[] = ['anonymous', 'unrelated', 'member', 'administrator', 'owner'];

interface TeamFixture {
  id: string;
  users: Record<Role, User>;
  accessIds: Record<Role, string>;
}

/** A team with one owner, one administrator and one member. */
async function makeTeam(): Promise<TeamFixture> {
  const owner = await t.createUser({ name: 'Olivia Owner' });
  const browser = await t.browserFor(owner);
  const created = await browser.post('/api/v1.0/teams/', { name: `Team ${crypto.randomUUID().slice(0, 8)}` });
  expect(created.status).toBe(201);
  const id = (created.json as { id: string }).id;
  const users = { owner } as Record<Role, User>;
  const accessIds = {} as Record<Role, string>;
  for (const role of ['administrator', 'member'] as const) {
    const user = await t.createUser({ name: `${role} person` });
    const res = await browser.post(`/api/v1.0/teams/${id}/accesses/`, { user: user.id, role });
    expect(res.status).toBe(201);
    users[role] = user;
    accessIds[role] = (res.json as { id: string }).id;
  }
  const list = await browser.get(`/api/v1.0/teams/${id}/accesses/`);
  const mine = (list.json as { results: { id: string; user: { id: string } }[] }).results.find(
    (a) => a.user.id === owner.id,
  );
  accessIds.owner = mine?.id ?? '';
  return { id, users, accessIds };
}

async function as(who: Who, team: TeamFixture): Promise<Browser> {
  if (who === 'anonymous') {
    const b = t.browser();
    await b.primeCsrf();
    return b;
  }
  if (who === 'unrelated') return t.browserFor(await t.createUser());
  return t.browserFor(team.users[who]);
}

describe('team abilities', () => {
  const expected: Record<string, Record<Who, number>> = {
    retrieve: { anonymous: 401, unrelated: 404, member: 200, administrator: 200, owner: 200 },
    rename: { anonymous: 401, unrelated: 404, member: 403, administrator: 200, owner: 200 },
    delete: { anonymous: 401, unrelated: 404, member: 403, administrator: 403, owner: 204 },
    'list accesses': { anonymous: 401, unrelated: 404, member: 200, administrator: 200, owner: 200 },
    'add a member': { anonymous: 401, unrelated: 404, member: 403, administrator: 201, owner: 201 },
    'add an administrator': { anonymous: 401, unrelated: 404, member: 403, administrator: 201, owner: 201 },
    'add an owner': { anonymous: 401, unrelated: 404, member: 403, administrator: 403, owner: 201 },
  };
  const act: Record<string, (b: Browser, team: TeamFixture) => ReturnType<Browser['get']>> = {
    retrieve: (b, team) => b.get(`/api/v1.0/teams/${team.id}/`),
    rename: (b, team) => b.patch(`/api/v1.0/teams/${team.id}/`, { name: 'Renamed' }),
    delete: (b, team) => b.delete(`/api/v1.0/teams/${team.id}/`),
    'list accesses': (b, team) => b.get(`/api/v1.0/teams/${team.id}/accesses/`),
    'add a member': async (b, team) =>
      b.post(`/api/v1.0/teams/${team.id}/accesses/`, { user: (await t.createUser()).id, role: 'member' }),
    'add an administrator': async (b, team) =>
      b.post(`/api/v1.0/teams/${team.id}/accesses/`, {
        user: (await t.createUser()).id,
        role: 'administrator',
      }),
    'add an owner': async (b, team) =>
      b.post(`/api/v1.0/teams/${team.id}/accesses/`, { user: (await t.createUser()).id, role: 'owner' }),
  };
  for (const [action, byWho] of Object.entries(expected)) {
    for (const who of EVERYONE) {
      it(`${action}: ${who} gets ${byWho[who]}`, async () => {
        const team = await makeTeam();
        const res = await act[action]!(await as(who, team), team);
        expect(res.status).toBe(byWho[who]);
      });
    }
  }

  it('reports the abilities of each role on the team', async () => {
    const team = await makeTeam();
    const abilities = async (who: Role) =>
      ((await (await as(who, team)).get(`/api/v1.0/teams/${team.id}/`)).json as { abilities: unknown })
        .abilities;
    expect(await abilities('member')).toEqual({
      get: true,
      put: false,
      patch: false,
      delete: false,
      manage_accesses: false,
      grant_roles: [],
    });
    expect(await abilities('administrator')).toEqual({
      get: true,
      put: true,
      patch: true,
      delete: false,
      manage_accesses: true,
      grant_roles: ['member', 'administrator'],
    });
    expect(await abilities('owner')).toEqual({
      get: true,
      put: true,
      patch: true,
      delete: true,
      manage_accesses: true,
      grant_roles: ['member', 'administrator', 'owner'],
    });
  });
});

describe('access abilities', () => {
  // requester → target → [PATCH to member/administrator status, DELETE status]
  const cells: [Role, Role | 'self', Role, number][] = [
    ['member', 'administrator', 'member', 403],
    ['member', 'member', 'administrator', 403],
    ['administrator', 'member', 'administrator', 200],
    ['administrator', 'member', 'owner', 403],
    ['administrator', 'owner', 'member', 403],
    ['administrator', 'self', 'member', 200],
    ['owner', 'member', 'owner', 200],
    ['owner', 'administrator', 'member', 200],
  ];
  for (const [requester, target, newRole, status] of cells) {
    it(`${requester} setting ${target === 'self' ? 'their own access' : `the ${target}`} to ${newRole} gets ${status}`, async () => {
      const team = await makeTeam();
      const accessId = team.accessIds[target === 'self' ? requester : target];
      const res = await (await as(requester, team)).patch(
        `/api/v1.0/teams/${team.id}/accesses/${accessId}/`,
        { role: newRole },
      );
      expect(res.status).toBe(status);
      if (status === 200) expect(res.json).toMatchObject({ role: newRole });
    });
  }

  const removals: [Who, Role, number][] = [
    ['anonymous', 'member', 401],
    ['unrelated', 'member', 404],
    ['member', 'administrator', 403],
    ['member', 'member', 403],
    ['administrator', 'member', 204],
    ['administrator', 'administrator', 204],
    ['administrator', 'owner', 403],
    ['owner', 'member', 204],
    ['owner', 'administrator', 204],
  ];
  for (const [requester, target, status] of removals) {
    it(`${requester} removing the ${target} gets ${status}`, async () => {
      const team = await makeTeam();
      const res = await (await as(requester, team)).delete(
        `/api/v1.0/teams/${team.id}/accesses/${team.accessIds[target]}/`,
      );
      expect(res.status).toBe(status);
    });
  }

  it('lists set_role_to per row as the requester may change it', async () => {
    const team = await makeTeam();
    const res = await (await as('administrator', team)).get(
      `/api/v1.0/teams/${team.id}/accesses/?ordering=-role`,
    );
    const rows = (
      res.json as { results: { role: Role; abilities: { set_role_to: Role[]; delete: boolean } }[] }
    ).results;
    expect(rows.map((r) => [r.role, r.abilities.set_role_to, r.abilities.delete])).toEqual([
      ['owner', [], false],
      ['administrator', ['member'], true],
      ['member', ['administrator'], true],
    ]);
  });
});

describe('the last owner', () => {
  it('cannot demote themselves: 400 with a message', async () => {
    const team = await makeTeam();
    const res = await (await as('owner', team)).patch(
      `/api/v1.0/teams/${team.id}/accesses/${team.accessIds.owner}/`,
      { role: 'member' },
    );
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      detail: 'A team must keep at least one owner: make another member owner first.',
    });
  });

  it('cannot remove themselves: 400 with a message', async () => {
    const team = await makeTeam();
    const res = await (await as('owner', team)).delete(
      `/api/v1.0/teams/${team.id}/accesses/${team.accessIds.owner}/`,
    );
    expect(res.status).toBe(400);
  });

  it('may step down once another owner exists, but nobody touches another owner', async () => {
    const team = await makeTeam();
    const owner = await as('owner', team);
    await owner.patch(`/api/v1.0/teams/${team.id}/accesses/${team.accessIds.administrator}/`, {
      role: 'owner',
    });
    const other = await t.browserFor(team.users.administrator);
    expect((await other.delete(`/api/v1.0/teams/${team.id}/accesses/${team.accessIds.owner}/`)).status).toBe(
      403,
    );
    expect(
      (await other.patch(`/api/v1.0/teams/${team.id}/accesses/${team.accessIds.owner}/`, { role: 'member' }))
        .status,
    ).toBe(403);
    expect(
      (await owner.patch(`/api/v1.0/teams/${team.id}/accesses/${team.accessIds.owner}/`, { role: 'member' }))
        .status,
    ).toBe(200);
  });
});

describe("the owner's own row", () => {
  async function ownRow(browser: Browser, team: TeamFixture) {
    const res = await browser.get(`/api/v1.0/teams/${team.id}/accesses/${team.accessIds.owner}/`);
    return res.json as { role: Role; abilities: { set_role_to: Role[]; delete: boolean } };
  }

  it('offers no lower role to the only owner, and refuses the demotion with a 400 and a message', async () => {
    const team = await makeTeam();
    const owner = await as('owner', team);
    expect((await ownRow(owner, team)).abilities).toMatchObject({ set_role_to: [], delete: false });
    const res = await owner.patch(`/api/v1.0/teams/${team.id}/accesses/${team.accessIds.owner}/`, {
      role: 'administrator',
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      detail: 'A team must keep at least one owner: make another member owner first.',
    });
    expect((await ownRow(owner, team)).role).toBe('owner');
  });

  it('offers the lower roles once a second owner exists, and the demotion works', async () => {
    const team = await makeTeam();
    const owner = await as('owner', team);
    await owner.patch(`/api/v1.0/teams/${team.id}/accesses/${team.accessIds.administrator}/`, {
      role: 'owner',
    });
    expect((await ownRow(owner, team)).abilities).toMatchObject({
      set_role_to: ['administrator', 'member'],
      delete: true,
    });
    const res = await owner.patch(`/api/v1.0/teams/${team.id}/accesses/${team.accessIds.owner}/`, {
      role: 'administrator',
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ role: 'administrator' });
  });
});

describe('two owners stepping down at the same moment', () => {
  it.each(['demote', 'remove'] as const)(
    'leave the team with one owner (both %s themselves at once)',
    async (how) => {
      for (let round = 0; round < 5; round++) {
        const team = await makeTeam();
        const first = await as('owner', team);
        await first.patch(`/api/v1.0/teams/${team.id}/accesses/${team.accessIds.administrator}/`, {
          role: 'owner',
        });
        const second = await t.browserFor(team.users.administrator);
        const stepDown = (browser: Browser, accessId: string) =>
          how === 'demote'
            ? browser.patch(`/api/v1.0/teams/${team.id}/accesses/${accessId}/`, { role: 'member' })
            : browser.delete(`/api/v1.0/teams/${team.id}/accesses/${accessId}/`);
        const answers = await Promise.all([
          stepDown(first, team.accessIds.owner),
          stepDown(second, team.accessIds.administrator),
        ]);
        expect(answers.map((a) => a.status).sort()).toEqual([how === 'demote' ? 200 : 204, 400]);
        const list = await (await as('member', team)).get(`/api/v1.0/teams/${team.id}/accesses/`);
        const owners = (list.json as { results: { role: string }[] }).results.filter(
          (a) => a.role === 'owner',
        );
        expect(owners).toHaveLength(1);
      }
    },
  );
});

describe('teams', () => {
  let owner: User;
  let browser: Browser;
  beforeAll(async () => {
    owner = await t.createUser();
    browser = await t.browserFor(owner);
  });

  it('lists only my teams, ordered as asked', async () => {
    for (const name of ['Bravo', 'Alpha', 'Charlie']) await browser.post('/api/v1.0/teams/', { name });
    const someoneElse = await t.browserFor(await t.createUser());
    await someoneElse.post('/api/v1.0/teams/', { name: 'Delta' });
    const names = async (ordering: string) =>
      ((await browser.get(`/api/v1.0/teams/?ordering=${ordering}`)).json as { name: string }[]).map(
        (x) => x.name,
      );
    expect(await names('name')).toEqual(['Alpha', 'Bravo', 'Charlie']);
    expect(await names('-name')).toEqual(['Charlie', 'Bravo', 'Alpha']);
    expect(await names('created_at')).toEqual(['Bravo', 'Alpha', 'Charlie']);
  });

  it('refuses a blank name with a field error', async () => {
    const res = await browser.post('/api/v1.0/teams/', { name: '  ' });
    expect(res.status).toBe(400);
    expect(res.json).toHaveProperty('name');
  });

  it('refuses adding the same user twice', async () => {
    const team = await makeTeam();
    const res = await (await as('owner', team)).post(`/api/v1.0/teams/${team.id}/accesses/`, {
      user: team.users.member.id,
      role: 'member',
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ user: ['This user is already a member of the team.'] });
  });

  it('searches accesses by name or email without accents or case, and pages them', async () => {
    const team = await makeTeam();
    const owner = await as('owner', team);
    const helene = await t.createUser({ name: 'Hélène Dupré' });
    await owner.post(`/api/v1.0/teams/${team.id}/accesses/`, { user: helene.id, role: 'member' });
    const found = await owner.get(`/api/v1.0/teams/${team.id}/accesses/?q=HELENE`);
    expect((found.json as { results: { user: { id: string } }[] }).results.map((r) => r.user.id)).toEqual([
      helene.id,
    ]);
    const page = await owner.get(`/api/v1.0/teams/${team.id}/accesses/?page_size=2&ordering=user__name`);
    expect(page.json).toMatchObject({ count: 4, previous: null });
    expect((page.json as { next: string }).next).toContain('page=2');
  });
});

describe('ids written in capitals', () => {
  it('add and remove a member as lower-case ids do, and the audit names them in lower case', async () => {
    const team = await makeTeam();
    const owner = await as('owner', team);
    const newcomer = await t.createUser({ name: 'Capital Letters' });
    const TEAM = team.id.toUpperCase();
    const added = await owner.post(`/api/v1.0/teams/${TEAM}/accesses/`, {
      user: newcomer.id.toUpperCase(),
      role: 'member',
    });
    expect(added.status).toBe(201);
    const access = added.json as { id: string; user: { id: string } };
    expect(access.user.id).toBe(newcomer.id);
    const shown = await owner.get(`/api/v1.0/teams/${TEAM}/accesses/${access.id.toUpperCase()}/`);
    expect(shown.json).toMatchObject({ id: access.id, role: 'member' });
    expect((await owner.delete(`/api/v1.0/teams/${TEAM}/accesses/${access.id.toUpperCase()}/`)).status).toBe(
      204,
    );
    const audited = await t.testDb.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, newcomer.id));
    expect(audited.map((r) => [r.event, r.details]).sort()).toEqual([
      ['access.created', { team: team.id, access: access.id, role: 'member' }],
      ['access.removed', { team: team.id, access: access.id, role: 'member' }],
    ]);
  });
});
