// DESIGN.md §12 "Tree": teams nest under a parent their creator administers, move with their sub-teams, and an agent
// sees the true ancestors of their teams (read only), never those ancestors' other children, never across
// organizations; people's depth, numchild and path stay.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/audit/schema.ts';
import { teamAccesses, teams } from '../../src/teams/index.ts';
import type { User } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import { useDesk } from '../support/desk.ts';

const t = useDesk();

interface TeamBody {
  id: string;
  name: string;
  role: string;
  parent: string | null;
  path: string;
  depth: number;
  numchild: number;
  via_sub_team: boolean;
  abilities: { get: boolean; put: boolean; delete: boolean; manage_accesses: boolean };
}

const db = () => t.testDb.database.db;

async function create(browser: Browser, name: string, parent?: string | null) {
  const res = await browser.post('/api/v1.0/teams/', parent === undefined ? { name } : { name, parent });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as TeamBody;
}

async function join(team: { id: string }, user: User, role: 'member' | 'administrator' | 'owner' = 'member') {
  await db().insert(teamAccesses).values({ teamId: team.id, userId: user.id, role });
}

async function listOf(browser: Browser) {
  return (await browser.get('/api/v1.0/teams/')).json as TeamBody[];
}

async function pathOf(id: string) {
  const [row] = await db()
    .select({ path: teams.path, parentId: teams.parentId })
    .from(teams)
    .where(eq(teams.id, id));
  return row;
}

/**
 * A directorate (root) with two departments, the first with a bureau, all made by one owner in one organization;
 * `agent` is a member of the bureau only.
 */
async function directorate() {
  const organizationId = await t.createOrganization();
  const owner = await t.createUser({ organizationId });
  const agent = await t.createUser({ organizationId });
  const ownerBrowser = await t.browserFor(owner);
  const root = await create(ownerBrowser, 'Directorate');
  const first = await create(ownerBrowser, 'Department one', root.id);
  const second = await create(ownerBrowser, 'Department two', root.id);
  const bureau = await create(ownerBrowser, 'Bureau', first.id);
  await join(bureau, agent);
  return {
    organizationId,
    owner,
    ownerBrowser,
    agent,
    agentBrowser: await t.browserFor(agent),
    root,
    first,
    second,
    bureau,
  };
}

describe('a sub-team', () => {
  it('is created under a parent its creator administers, one level below, its path the parent’s and a step', async () => {
    const { root, first, bureau, ownerBrowser } = await directorate();
    expect(root).toMatchObject({ parent: null, depth: 1, numchild: 0 });
    expect(root.path).toMatch(/^[0-9A-Z]{5}$/);
    expect(first).toMatchObject({ parent: root.id, depth: 2 });
    expect(first.path).toMatch(new RegExp(`^${root.path}[0-9A-Z]{5}$`));
    expect(bureau).toMatchObject({ parent: first.id, depth: 3 });
    expect(bureau.path.startsWith(first.path)).toBe(true);
    const again = (await ownerBrowser.get(`/api/v1.0/teams/${root.id}/`)).json as TeamBody;
    expect(again.numchild).toBe(2);
  });

  it('is refused under a team its creator is only a member of, naming the parent field', async () => {
    const { agentBrowser, bureau } = await directorate();
    const res = await agentBrowser.post('/api/v1.0/teams/', { name: 'Mine', parent: bureau.id });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ parent: ['No team you administer has this id.'] });
  });

  it('is refused under a team its creator only sees as an ancestor, as under an unknown id', async () => {
    const { agentBrowser, root } = await directorate();
    const seen = await agentBrowser.post('/api/v1.0/teams/', { name: 'Mine', parent: root.id });
    const unknown = await agentBrowser.post('/api/v1.0/teams/', {
      name: 'Mine',
      parent: crypto.randomUUID(),
    });
    expect(seen.status).toBe(400);
    expect(seen.json).toEqual(unknown.json);
  });

  it('is refused under a team of another organization, even one its creator administers', async () => {
    const { root } = await directorate();
    const stranger = await t.createUser({ organizationId: await t.createOrganization() });
    await join(root, stranger, 'administrator');
    const res = await (await t.browserFor(stranger)).post('/api/v1.0/teams/', {
      name: 'Outside',
      parent: root.id,
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ parent: ['A sub-team belongs to the organization of its parent.'] });
  });

  it('is refused with a malformed parent id, naming the field', async () => {
    const owner = await t.createUser();
    const res = await (await t.browserFor(owner)).post('/api/v1.0/teams/', { name: 'X', parent: 'root' });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(['parent']);
  });
});

describe('an agent of a sub-team', () => {
  it('sees the true ancestors of their team, read only, as a member seeing it through a sub-team', async () => {
    const { agentBrowser, root, first, second, bureau } = await directorate();
    const list = await listOf(agentBrowser);
    expect(list.map((x) => x.id).sort()).toEqual([root.id, first.id, bureau.id].sort());
    expect(list.map((x) => x.id)).not.toContain(second.id);
    const ancestor = list.find((x) => x.id === root.id) as TeamBody;
    expect(ancestor).toMatchObject({ role: 'member', via_sub_team: true, depth: 1, numchild: 2 });
    expect(ancestor.abilities).toMatchObject({
      get: true,
      put: false,
      delete: false,
      manage_accesses: false,
    });
    expect(list.find((x) => x.id === bureau.id)).toMatchObject({ via_sub_team: false, role: 'member' });
  });

  it('opens an ancestor alone, but never a sibling of it', async () => {
    const { agentBrowser, first, second } = await directorate();
    const one = await agentBrowser.get(`/api/v1.0/teams/${first.id}/`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ id: first.id, via_sub_team: true });
    expect((await agentBrowser.get(`/api/v1.0/teams/${second.id}/`)).status).toBe(404);
  });

  it('lists neither the members nor the invitations of an ancestor, and cannot rename or delete it', async () => {
    const { agentBrowser, root } = await directorate();
    expect((await agentBrowser.get(`/api/v1.0/teams/${root.id}/accesses/`)).status).toBe(404);
    expect((await agentBrowser.get(`/api/v1.0/teams/${root.id}/invitations/`)).status).toBe(404);
    expect((await agentBrowser.patch(`/api/v1.0/teams/${root.id}/`, { name: 'Mine now' })).status).toBe(403);
    expect((await agentBrowser.delete(`/api/v1.0/teams/${root.id}/`)).status).toBe(403);
    const grant = await agentBrowser.post(`/api/v1.0/teams/${root.id}/accesses/`, {
      user: crypto.randomUUID(),
      role: 'member',
    });
    expect(grant.status).toBe(404);
  });

  it('never sees an ancestor that belongs to another organization', async () => {
    const { agentBrowser, root, first, bureau } = await directorate();
    await db()
      .update(teams)
      .set({ organizationId: await t.createOrganization() })
      .where(eq(teams.id, root.id));
    const ids = (await listOf(agentBrowser)).map((x) => x.id);
    expect(ids.sort()).toEqual([first.id, bureau.id].sort());
    expect((await agentBrowser.get(`/api/v1.0/teams/${root.id}/`)).status).toBe(404);
  });

  it('sees a team once when they are both in it and in one of its sub-teams, with their own role', async () => {
    const { agent, agentBrowser, root, bureau } = await directorate();
    await join(root, agent, 'administrator');
    const list = await listOf(agentBrowser);
    expect(list.filter((x) => x.id === root.id)).toHaveLength(1);
    expect(list.find((x) => x.id === root.id)).toMatchObject({ role: 'administrator', via_sub_team: false });
    expect(list.find((x) => x.id === bureau.id)).toBeDefined();
  });
});

describe('moving a team', () => {
  it('puts it under another team with its whole subtree: parent, paths and depths follow', async () => {
    const { ownerBrowser, first, second, bureau } = await directorate();
    const res = await ownerBrowser.post(`/api/v1.0/teams/${first.id}/move/`, { parent: second.id });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const moved = res.json as TeamBody;
    expect(moved).toMatchObject({ parent: second.id, depth: 3 });
    expect(moved.path.startsWith(second.path)).toBe(true);
    const below = (await ownerBrowser.get(`/api/v1.0/teams/${bureau.id}/`)).json as TeamBody;
    expect(below).toMatchObject({ parent: first.id, depth: 4 });
    expect(below.path).toBe(moved.path + bureau.path.slice(-5));
    expect(((await ownerBrowser.get(`/api/v1.0/teams/${second.id}/`)).json as TeamBody).numchild).toBe(1);
  });

  it('to null makes it a root, its own step its whole path', async () => {
    const { ownerBrowser, first, bureau } = await directorate();
    const moved = (await ownerBrowser.post(`/api/v1.0/teams/${first.id}/move/`, { parent: null }))
      .json as TeamBody;
    expect(moved).toMatchObject({ parent: null, depth: 1, path: first.path.slice(-5) });
    expect((await pathOf(bureau.id))?.path).toBe(moved.path + bureau.path.slice(-5));
  });

  it('under itself or one of its sub-teams is refused, and nothing moves', async () => {
    const { ownerBrowser, root, first, bureau } = await directorate();
    for (const parent of [first.id, bureau.id]) {
      const res = await ownerBrowser.post(`/api/v1.0/teams/${first.id}/move/`, { parent });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ parent: ['A team cannot be moved under itself or one of its sub-teams.'] });
    }
    expect(await pathOf(first.id)).toEqual({ path: first.path, parentId: root.id });
    expect((await pathOf(bureau.id))?.path).toBe(bureau.path);
  });

  it('needs its mover to administer the team: a member gets 403', async () => {
    const { agentBrowser, bureau, second } = await directorate();
    const res = await agentBrowser.post(`/api/v1.0/teams/${bureau.id}/move/`, { parent: second.id });
    expect(res.status).toBe(403);
  });

  it('needs its mover to administer the new parent too', async () => {
    const { agent, agentBrowser, bureau, second } = await directorate();
    await db().update(teamAccesses).set({ role: 'owner' }).where(eq(teamAccesses.userId, agent.id));
    await join(second, agent, 'member');
    const res = await agentBrowser.post(`/api/v1.0/teams/${bureau.id}/move/`, { parent: second.id });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ parent: ['No team you administer has this id.'] });
    expect((await pathOf(bureau.id))?.path).toBe(bureau.path);
  });

  it('of a team one only sees as an ancestor is 404, as for any team one is not in', async () => {
    const { agentBrowser, first, second } = await directorate();
    const res = await agentBrowser.post(`/api/v1.0/teams/${first.id}/move/`, { parent: second.id });
    expect(res.status).toBe(404);
  });

  it('is written to the audit log with where it came from and where it went', async () => {
    const { ownerBrowser, root, first, second } = await directorate();
    await ownerBrowser.post(`/api/v1.0/teams/${first.id}/move/`, { parent: second.id });
    const events = await db().select().from(auditEvents).where(eq(auditEvents.targetId, first.id));
    expect(events.find((e) => e.event === 'team.moved')?.details).toEqual({ from: root.id, to: second.id });
  });

  it('twice at once in opposite directions never makes a cycle: one is refused', async () => {
    const { ownerBrowser, first, second } = await directorate();
    const [a, b] = await Promise.all([
      ownerBrowser.post(`/api/v1.0/teams/${first.id}/move/`, { parent: second.id }),
      ownerBrowser.post(`/api/v1.0/teams/${second.id}/move/`, { parent: first.id }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    const one = await pathOf(first.id);
    const two = await pathOf(second.id);
    // Exactly one is under the other, and each path is its parent's and a step.
    expect([one?.parentId === second.id, two?.parentId === first.id].filter(Boolean)).toHaveLength(1);
    if (one?.parentId === second.id) expect(one.path.startsWith(two?.path ?? '?')).toBe(true);
    else expect(two?.path.startsWith(one?.path ?? '?')).toBe(true);
  });

  it('while a sub-team is created under it takes the new sub-team along', async () => {
    const { ownerBrowser, first, second, bureau } = await directorate();
    const [, made] = await Promise.all([
      ownerBrowser.post(`/api/v1.0/teams/${first.id}/move/`, { parent: second.id }),
      ownerBrowser.post('/api/v1.0/teams/', { name: 'Newcomer', parent: bureau.id }),
    ]);
    const newcomer = made.json as TeamBody;
    const parentPath = (await pathOf(bureau.id))?.path ?? '?';
    expect((await pathOf(newcomer.id))?.path).toBe(parentPath + newcomer.path.slice(-5));
  });
});

describe('a tree', () => {
  it('has at most 51 levels, as people’s 255-character paths: the 52nd is refused', async () => {
    const owner = await t.createUser();
    const browser = await t.browserFor(owner);
    let parent = await create(browser, 'Level 1');
    // 50 more levels straight into the database (the trigger writes their paths), then one through the API.
    let parentId = parent.id;
    for (let level = 2; level <= 51; level++) {
      const [row] = await db()
        .insert(teams)
        .values({ name: `Level ${level}`, parentId, organizationId: owner.organizationId })
        .returning({ id: teams.id, path: teams.path });
      parentId = row!.id;
      expect(row!.path).toHaveLength(level * 5);
    }
    await join({ id: parentId }, owner, 'owner');
    const res = await browser.post('/api/v1.0/teams/', { name: 'Level 52', parent: parentId });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ parent: ['A tree has at most 51 levels.'] });
    parent = (await browser.get(`/api/v1.0/teams/${parentId}/`)).json as TeamBody;
    expect(parent.depth).toBe(51);
  });

  it('loses no team when a parent is deleted: its sub-teams become roots with their subtrees', async () => {
    const { ownerBrowser, root, first, bureau } = await directorate();
    expect((await ownerBrowser.delete(`/api/v1.0/teams/${root.id}/`)).status).toBe(204);
    const moved = (await ownerBrowser.get(`/api/v1.0/teams/${first.id}/`)).json as TeamBody;
    expect(moved).toMatchObject({ parent: null, depth: 1, path: first.path.slice(-5) });
    expect((await pathOf(bureau.id))?.path).toBe(moved.path + bureau.path.slice(-5));
  });
});
