// Invitations by email: who may invite, one per email and team, expiry, and conversion into accesses at sign-in.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamAccesses } from '../../src/teams/index.ts';
import { type User, users } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import { loginThroughForge, newSub } from '../support/forge-login.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore, uniqueEmail } from '../support/parts.ts';
import { type Forge, startForge } from '../support/token-forge.ts';

let forge: Forge;
let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;
let clock = Date.now();
const DAY = 86_400_000;

beforeAll(async () => {
  forge = await startForge();
  testDb = await testDatabase();
  store = testStore(() => clock);
  desk = await startDeskOn(testDb, store.kv, forge.settings, () => clock);
});

afterAll(async () => {
  await desk?.stop();
  await store?.kv.close();
  await forge?.close();
  await testDb?.drop();
});

async function createUser(values: Partial<typeof users.$inferInsert> = {}): Promise<User> {
  const [user] = await testDb.database.db
    .insert(users)
    .values({ email: uniqueEmail(), name: 'Someone', sub: newSub(), ...values })
    .returning();
  return user!;
}

async function browserFor(user: User): Promise<Browser> {
  const session = await desk.desk.sessions.create(user.id);
  const browser = desk.browser();
  browser.cookies.set('desk_sessionid', session.id);
  browser.cookies.set('csrftoken', 'csrf-token-for-tests');
  return browser;
}

async function teamWith(role: 'owner' | 'administrator' | 'member' = 'owner') {
  const owner = await createUser();
  const ownerBrowser = await browserFor(owner);
  const team = (await ownerBrowser.post('/api/v1.0/teams/', { name: 'Invitations team' })).json as {
    id: string;
  };
  if (role === 'owner') return { teamId: team.id, browser: ownerBrowser, user: owner };
  const user = await createUser();
  await ownerBrowser.post(`/api/v1.0/teams/${team.id}/accesses/`, { user: user.id, role });
  return { teamId: team.id, browser: await browserFor(user), user };
}

async function membersOf(teamId: string): Promise<string[]> {
  const rows = await testDb.database.db.select().from(teamAccesses).where(eq(teamAccesses.teamId, teamId));
  return rows.map((r) => r.userId);
}

describe('creating an invitation', () => {
  it('by an administrator answers 201 with the invitation', async () => {
    const { teamId, browser, user } = await teamWith('administrator');
    const email = uniqueEmail('invitee');
    const res = await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email, role: 'member' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      email,
      role: 'member',
      team: teamId,
      issuer: user.id,
      is_expired: false,
    });
  });

  it('is refused to a member (403) and to someone outside the team (404)', async () => {
    const { teamId, browser } = await teamWith('member');
    expect(
      (await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email: uniqueEmail() })).status,
    ).toBe(403);
    const outsider = await browserFor(await createUser());
    expect(
      (await outsider.post(`/api/v1.0/teams/${teamId}/invitations/`, { email: uniqueEmail() })).status,
    ).toBe(404);
  });

  it('with role owner is refused to an administrator and allowed to an owner', async () => {
    const admin = await teamWith('administrator');
    expect(
      (
        await admin.browser.post(`/api/v1.0/teams/${admin.teamId}/invitations/`, {
          email: uniqueEmail(),
          role: 'owner',
        })
      ).status,
    ).toBe(403);
    const owner = await teamWith('owner');
    expect(
      (
        await owner.browser.post(`/api/v1.0/teams/${owner.teamId}/invitations/`, {
          email: uniqueEmail(),
          role: 'owner',
        })
      ).status,
    ).toBe(201);
  });

  it('twice for the same email in another case is refused with 400', async () => {
    const { teamId, browser } = await teamWith();
    const email = uniqueEmail('dup');
    expect((await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email })).status).toBe(201);
    const again = await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, {
      email: email.toUpperCase(),
    });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ email: ['This email is already invited to this team.'] });
  });

  it('with a malformed email names the field', async () => {
    const { teamId, browser } = await teamWith();
    const res = await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email: 'not-an-email' });
    expect(res.status).toBe(400);
    expect(res.json).toHaveProperty('email');
  });

  it('for the email of an existing user adds them at once and says so', async () => {
    const { teamId, browser } = await teamWith();
    const existing = await createUser();
    const res = await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, {
      email: existing.email?.toUpperCase(),
      role: 'administrator',
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      detail: 'This email belongs to an existing user: they were added to the team at once.',
      access: { role: 'administrator', user: { id: existing.id } },
    });
    expect(await membersOf(teamId)).toContain(existing.id);
    const pending = await browser.get(`/api/v1.0/teams/${teamId}/invitations/`);
    expect(pending.json).toMatchObject({ count: 0 });
  });
});

describe('an invitation', () => {
  it('cannot be updated (405)', async () => {
    const { teamId, browser } = await teamWith();
    const inv = (await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email: uniqueEmail() }))
      .json as { id: string };
    expect(
      (await browser.patch(`/api/v1.0/teams/${teamId}/invitations/${inv.id}/`, { role: 'owner' })).status,
    ).toBe(405);
    expect(
      (await browser.put(`/api/v1.0/teams/${teamId}/invitations/${inv.id}/`, { role: 'owner' })).status,
    ).toBe(405);
  });

  it('is listed to members and cancelled by administrators only', async () => {
    const owner = await teamWith();
    const inv = (
      await owner.browser.post(`/api/v1.0/teams/${owner.teamId}/invitations/`, { email: uniqueEmail() })
    ).json as { id: string };
    const member = await createUser();
    await owner.browser.post(`/api/v1.0/teams/${owner.teamId}/accesses/`, {
      user: member.id,
      role: 'member',
    });
    const asMember = await browserFor(member);
    expect((await asMember.get(`/api/v1.0/teams/${owner.teamId}/invitations/`)).json).toMatchObject({
      count: 1,
    });
    expect((await asMember.delete(`/api/v1.0/teams/${owner.teamId}/invitations/${inv.id}/`)).status).toBe(
      403,
    );
    expect(
      (await owner.browser.delete(`/api/v1.0/teams/${owner.teamId}/invitations/${inv.id}/`)).status,
    ).toBe(204);
  });

  it('expires after INVITATION_VALIDITY_DURATION', async () => {
    const { teamId, user } = await teamWith();
    const browser = await browserFor(user);
    const inv = (await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email: uniqueEmail() }))
      .json as { id: string };
    clock += 7 * DAY + 1_000;
    try {
      const later = await browserFor(user);
      expect((await later.get(`/api/v1.0/teams/${teamId}/invitations/${inv.id}/`)).json).toMatchObject({
        is_expired: true,
      });
    } finally {
      clock -= 7 * DAY + 1_000;
    }
  });
});

describe('re-inviting', () => {
  it('after expiry replaces the expired invitation with a new one', async () => {
    const { teamId, user } = await teamWith();
    const email = uniqueEmail();
    const first = (await (await browserFor(user)).post(`/api/v1.0/teams/${teamId}/invitations/`, { email }))
      .json as { id: string };
    clock += 7 * DAY + 1_000;
    try {
      const later = await browserFor(user);
      const again = await later.post(`/api/v1.0/teams/${teamId}/invitations/`, {
        email: email.toUpperCase(),
      });
      expect(again.status).toBe(201);
      expect(again.json).toMatchObject({ is_expired: false });
      expect((again.json as { id: string }).id).not.toBe(first.id);
      expect((await later.get(`/api/v1.0/teams/${teamId}/invitations/${first.id}/`)).status).toBe(404);
    } finally {
      clock -= 7 * DAY + 1_000;
    }
  });

  it('while the invitation is valid is still refused', async () => {
    const { teamId, browser } = await teamWith();
    const email = uniqueEmail();
    await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email });
    expect((await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email })).status).toBe(400);
  });
});

describe('conversion into team accesses', () => {
  it('happens at first sign-in for every valid invitation of that email, whatever its case', async () => {
    const a = await teamWith();
    const b = await teamWith();
    const email = uniqueEmail('newcomer');
    await a.browser.post(`/api/v1.0/teams/${a.teamId}/invitations/`, { email, role: 'administrator' });
    await b.browser.post(`/api/v1.0/teams/${b.teamId}/invitations/`, {
      email: email.toUpperCase(),
      role: 'member',
    });
    const { browser } = await loginThroughForge(desk, forge, { userinfo: { email } });
    const teams = (await browser.get('/api/v1.0/teams/')).json as { id: string }[];
    expect(teams.map((t) => t.id).sort()).toEqual([a.teamId, b.teamId].sort());
    expect((await a.browser.get(`/api/v1.0/teams/${a.teamId}/invitations/`)).json).toMatchObject({
      count: 0,
    });
  });

  it('ignores expired invitations', async () => {
    const a = await teamWith();
    const email = uniqueEmail('late');
    await a.browser.post(`/api/v1.0/teams/${a.teamId}/invitations/`, { email });
    clock += 8 * DAY;
    try {
      const { browser } = await loginThroughForge(desk, forge, { userinfo: { email } });
      expect((await browser.get('/api/v1.0/teams/')).json).toEqual([]);
    } finally {
      clock -= 8 * DAY;
    }
  });

  it('happens when a user signs in with an email changed to the invited one', async () => {
    const sub = newSub();
    await loginThroughForge(desk, forge, { sub, userinfo: { email: uniqueEmail('before') } });
    const a = await teamWith();
    const newEmail = uniqueEmail('after');
    await a.browser.post(`/api/v1.0/teams/${a.teamId}/invitations/`, { email: newEmail });
    const { browser } = await loginThroughForge(desk, forge, { sub, userinfo: { email: newEmail } });
    expect(((await browser.get('/api/v1.0/teams/')).json as { id: string }[]).map((t) => t.id)).toEqual([
      a.teamId,
    ]);
  });
});
