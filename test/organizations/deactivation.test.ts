// DESIGN.md §5 "Isolation": a deactivated organization's members are signed out everywhere at once, and their
// sessions stop working, as a disabled user's do; a merge into a deactivated organization does the same.
import { and, eq, inArray, ne } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/audit/index.ts';
import { organizations } from '../../src/organizations/index.ts';
import { type User, users } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import { PASSWORD, startDeskOn, useDesk } from '../support/desk.ts';
import { sameStore } from '../support/parts.ts';

const t = useDesk();

async function staff(): Promise<Browser> {
  return t.browserFor(await t.createUser({ isStaff: true }));
}

async function superuser(): Promise<Browser> {
  return t.browserFor(await t.createUser({ isStaff: true, isSuperuser: true }));
}

const deactivate = async (admin: Browser, id: string) =>
  admin.patch(`/api/v1.0/admin/organizations/${id}/`, { is_active: false });

const me = (browser: Browser) => browser.get('/api/v1.0/users/me/');

describe('deactivating an organization', () => {
  it('ends its members’ sessions on every pod at once; other organizations keep theirs', async () => {
    const org = await t.createOrganization();
    const [here, there] = [
      await t.createUser({ organizationId: org }),
      await t.createUser({ organizationId: org }),
    ];
    const outsider = await t.browserFor(await t.createUser({ organizationId: await t.createOrganization() }));
    // Another pod: a second Desk on the same database and the same shared store.
    const kv = sameStore(t.store);
    const otherPod = await startDeskOn(t.testDb, kv);
    try {
      const hereBrowser = await t.browserFor(here as User);
      const thereSession = await otherPod.desk.sessions.create((there as User).id);
      const thereBrowser = otherPod.browser();
      thereBrowser.cookies.set(t.desk.config.SESSION_COOKIE_NAME, thereSession.id);
      thereBrowser.cookies.set('csrftoken', 'csrf-other-pod');
      expect((await me(hereBrowser)).status).toBe(200);
      expect((await me(thereBrowser)).status).toBe(200);

      const res = await deactivate(await staff(), org);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id: org, is_active: false });

      // Ended in the shared store by the PATCH itself, before anyone asks again.
      expect(await otherPod.desk.sessions.get(thereSession.id)).toBeNull();
      const hereSession = hereBrowser.cookies.get(t.desk.config.SESSION_COOKIE_NAME) ?? '';
      expect(await t.desk.sessions.get(hereSession)).toBeNull();
      for (const browser of [hereBrowser, thereBrowser]) {
        expect((await me(browser)).status).toBe(401);
        expect((await browser.post('/api/v1.0/teams/', { name: 'Après la fermeture' })).status).toBe(401);
      }
      expect((await me(outsider)).status).toBe(200);
    } finally {
      await otherPod.stop();
      if (kv !== t.store.kv) await kv.close();
    }
  });

  it('refuses any session of a member opened after it, at the first request, and ends it', async () => {
    const org = await t.createOrganization();
    const member = await t.createUser({ organizationId: org });
    await deactivate(await staff(), org);
    // A sign-in that raced the deactivation: its session exists, and still opens nothing.
    const late = await t.browserFor(member);
    expect((await late.post('/api/v1.0/teams/', { name: 'Trop tard' })).status).toBe(401);
    expect(await t.desk.sessions.get(late.cookies.get(t.desk.config.SESSION_COOKIE_NAME) ?? '')).toBeNull();
  });

  it('refuses the password login of a staff member of that organization, as for a disabled account', async () => {
    const org = await t.createOrganization();
    const { user, browser } = await t.loginAsStaff({ organizationId: org });
    // Only a superuser may shut staff out (DESIGN.md §8).
    expect((await deactivate(await superuser(), org)).status).toBe(200);
    expect((await me(browser)).status).toBe(401);
    const again = t.browser();
    await again.primeCsrf();
    const login = await again.post('/api/v1.0/login/', { email: user.email, password: PASSWORD });
    expect(login.status).toBe(400);
    expect(login.json).toEqual({ detail: 'Invalid email or password.' });
  });

  it('lets its members work again once reactivated', async () => {
    const org = await t.createOrganization();
    const member = await t.createUser({ organizationId: org });
    const admin = await staff();
    await deactivate(admin, org);
    expect((await admin.patch(`/api/v1.0/admin/organizations/${org}/`, { is_active: true })).status).toBe(
      200,
    );
    expect((await me(await t.browserFor(member))).status).toBe(200);
  });

  it('signs out the users a merge moves into a deactivated organization', async () => {
    const [from, into] = [await t.createOrganization(), await t.createOrganization()];
    const admin = await staff();
    await deactivate(admin, into);
    const moved = await t.browserFor(await t.createUser({ organizationId: from }));
    expect((await me(moved)).status).toBe(200);
    const res = await admin.post(`/api/v1.0/admin/organizations/${from}/merge/`, { into });
    expect(res.json).toMatchObject({ users: 1, organization: { id: into, is_active: false } });
    expect(await t.desk.sessions.get(moved.cookies.get(t.desk.config.SESSION_COOKIE_NAME) ?? '')).toBeNull();
    expect((await me(moved)).status).toBe(401);
    expect(await t.testDb.database.db.select().from(organizations).where(eq(organizations.id, from))).toEqual(
      [],
    );
  });
});

describe('who may shut staff out through an organization (DESIGN.md §8)', () => {
  type Actor = 'staff' | 'superuser';
  type Member = 'agent' | 'staff' | 'superuser';
  type Action = 'deactivate it' | 'merge it into a deactivated one';
  const MEMBERS: Record<Member, { isStaff: boolean; isSuperuser: boolean }> = {
    agent: { isStaff: false, isSuperuser: false },
    staff: { isStaff: true, isSuperuser: false },
    superuser: { isStaff: true, isSuperuser: true },
  };
  // Staff shut out agents; only superusers shut out staff and superusers, as through /admin/users/.
  const EXPECTED: Record<Actor, Record<Member, number>> = {
    superuser: { agent: 200, staff: 200, superuser: 200 },
    staff: { agent: 200, staff: 403, superuser: 403 },
  };
  const ACTIONS: Record<Action, (admin: Browser, org: string) => Promise<{ status: number; json: unknown }>> =
    {
      'deactivate it': (admin, org) => deactivate(admin, org),
      'merge it into a deactivated one': async (admin, org) => {
        const into = await t.createOrganization();
        await t.testDb.database.db
          .update(organizations)
          .set({ isActive: false })
          .where(eq(organizations.id, into));
        return admin.post(`/api/v1.0/admin/organizations/${org}/merge/`, { into });
      },
    };

  for (const [actor, byMember] of Object.entries(EXPECTED) as [Actor, Record<Member, number>][])
    for (const [member, status] of Object.entries(byMember) as [Member, number][])
      for (const [action, act] of Object.entries(ACTIONS) as [Action, (typeof ACTIONS)[Action]][])
        it(`${actor} who tries to ${action}, with a ${member} in it, gets ${status}`, async () => {
          const actorUser = await t.createUser({ isStaff: true, isSuperuser: actor === 'superuser' });
          const admin = await t.browserFor(actorUser);
          const org = await t.createOrganization();
          const inside = await t.browserFor(await t.createUser({ ...MEMBERS[member], organizationId: org }));
          const res = await act(admin, org);
          expect(res.status).toBe(status);
          if (status === 200) {
            expect((await me(inside)).status).toBe(401);
            return;
          }
          expect(res.json).toEqual({ detail: expect.stringMatching(/^Only superusers /) });
          expect(
            await t.testDb.database.db.select().from(organizations).where(eq(organizations.id, org)),
          ).toEqual([expect.objectContaining({ isActive: true })]);
          expect((await me(inside)).status).toBe(200);
          const audited = await t.testDb.database.db
            .select()
            .from(auditEvents)
            .where(eq(auditEvents.actorId, actorUser.id));
          expect(audited).toEqual([]);
        });
});

describe('the last superuser who can act', () => {
  /** The one superuser able to act, in an organization of their own (createsuperuser keeps an agent's). */
  async function onlySuperuser() {
    const org = await t.createOrganization();
    const user = await t.createUser({ isStaff: true, isSuperuser: true, organizationId: org });
    // Every other superuser gone from this file's database, but one in a deactivated organization, who cannot act.
    const shutOut = await t.createOrganization();
    await t.testDb.database.db
      .update(organizations)
      .set({ isActive: false })
      .where(eq(organizations.id, shutOut));
    await t.testDb.database.db
      .update(users)
      .set({ isSuperuser: false })
      .where(and(eq(users.isSuperuser, true), ne(users.id, user.id)));
    await t.createUser({ isStaff: true, isSuperuser: true, organizationId: shutOut });
    return { org, browser: await t.browserFor(user) };
  }

  it('keeps their organization active: deactivating it is refused, for them too', async () => {
    const { org, browser } = await onlySuperuser();
    const res = await deactivate(browser, org);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ is_active: [expect.stringMatching(/no active superuser/)] });
    expect(await t.testDb.database.db.select().from(organizations).where(eq(organizations.id, org))).toEqual([
      expect.objectContaining({ isActive: true }),
    ]);
    expect((await me(browser)).status).toBe(200);
  });

  it('is not merged into a deactivated organization', async () => {
    const { org, browser } = await onlySuperuser();
    const into = await t.createOrganization();
    await t.testDb.database.db
      .update(organizations)
      .set({ isActive: false })
      .where(eq(organizations.id, into));
    const res = await browser.post(`/api/v1.0/admin/organizations/${org}/merge/`, { into });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ into: [expect.stringMatching(/no active superuser/)] });
    expect((await me(browser)).status).toBe(200);
    expect(
      await t.testDb.database.db.select().from(organizations).where(eq(organizations.id, org)),
    ).toHaveLength(1);
  });

  it('of two, each deactivating the other’s organization at the same moment, one is refused', async () => {
    for (let round = 0; round < 5; round++) {
      const first = await onlySuperuser();
      const secondOrg = await t.createOrganization();
      const second = await t.browserFor(
        await t.createUser({ isStaff: true, isSuperuser: true, organizationId: secondOrg }),
      );
      const answers = await Promise.all([
        deactivate(first.browser, secondOrg),
        deactivate(second, first.org),
      ]);
      // The one refused either raced in (400) or came after, already shut out (404, as to any non-staff).
      const [won, lost] = answers.map((a) => a.status).sort();
      expect([won, [400, 404].includes(lost ?? 0)]).toEqual([200, true]);
      const active = await t.testDb.database.db
        .select()
        .from(organizations)
        .where(and(eq(organizations.isActive, true), inArray(organizations.id, [first.org, secondOrg])));
      expect(active).toHaveLength(1);
    }
  });
});
