// DESIGN.md §5 "Isolation": a deactivated organization's members are signed out everywhere at once, and their
// sessions stop working, as a disabled user's do; a merge into a deactivated organization does the same.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { organizations } from '../../src/organizations/index.ts';
import type { User } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import { PASSWORD, startDeskOn, useDesk } from '../support/desk.ts';
import { sameStore } from '../support/parts.ts';

const t = useDesk();

async function organization(): Promise<string> {
  const [row] = await t.testDb.database.db
    .insert(organizations)
    .values({ name: `Org ${crypto.randomUUID().slice(0, 8)}` })
    .returning();
  return row!.id;
}

async function staff(): Promise<Browser> {
  return t.browserFor(await t.createUser({ isStaff: true }));
}

const deactivate = async (admin: Browser, id: string) =>
  admin.patch(`/api/v1.0/admin/organizations/${id}/`, { is_active: false });

const me = (browser: Browser) => browser.get('/api/v1.0/users/me/');

describe('deactivating an organization', () => {
  it('ends its members’ sessions on every pod at once; other organizations keep theirs', async () => {
    const org = await organization();
    const [here, there] = [
      await t.createUser({ organizationId: org }),
      await t.createUser({ organizationId: org }),
    ];
    const outsider = await t.browserFor(await t.createUser({ organizationId: await organization() }));
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
    const org = await organization();
    const member = await t.createUser({ organizationId: org });
    await deactivate(await staff(), org);
    // A sign-in that raced the deactivation: its session exists, and still opens nothing.
    const late = await t.browserFor(member);
    expect((await late.post('/api/v1.0/teams/', { name: 'Trop tard' })).status).toBe(401);
    expect(await t.desk.sessions.get(late.cookies.get(t.desk.config.SESSION_COOKIE_NAME) ?? '')).toBeNull();
  });

  it('refuses the password login of a staff member of that organization, as for a disabled account', async () => {
    const org = await organization();
    const { user, browser } = await t.loginAsStaff({ organizationId: org });
    await deactivate(await staff(), org);
    expect((await me(browser)).status).toBe(401);
    const again = t.browser();
    await again.primeCsrf();
    const login = await again.post('/api/v1.0/login/', { email: user.email, password: PASSWORD });
    expect(login.status).toBe(400);
    expect(login.json).toEqual({ detail: 'Invalid email or password.' });
  });

  it('lets its members work again once reactivated', async () => {
    const org = await organization();
    const member = await t.createUser({ organizationId: org });
    const admin = await staff();
    await deactivate(admin, org);
    expect((await admin.patch(`/api/v1.0/admin/organizations/${org}/`, { is_active: true })).status).toBe(
      200,
    );
    expect((await me(await t.browserFor(member))).status).toBe(200);
  });

  it('signs out the users a merge moves into a deactivated organization', async () => {
    const [from, into] = [await organization(), await organization()];
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
