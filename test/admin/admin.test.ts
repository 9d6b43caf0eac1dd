// The staff API: absent (404) to everyone but staff; users, teams, invitations, service providers and jobs; each
// change audited; disabling ends the user's sessions everywhere.
import { and, eq, ne, notInArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { AdminService } from '../../src/admin/index.ts';
import { auditEvents, userParty } from '../../src/audit/index.ts';
import { organizations } from '../../src/organizations/index.ts';
import { enqueueJob } from '../../src/platform/jobs.ts';
import { jobs } from '../../src/platform/schema.ts';
import { serviceProviders } from '../../src/teams/index.ts';
import { users } from '../../src/users/index.ts';
import { startDeskOn, useDesk } from '../support/desk.ts';
import { sameStore } from '../support/parts.ts';

const t = useDesk();

const ROUTES = [
  ['GET', '/api/v1.0/admin/users/'],
  ['GET', `/api/v1.0/admin/users/${crypto.randomUUID()}/`],
  ['PATCH', `/api/v1.0/admin/users/${crypto.randomUUID()}/`],
  ['GET', '/api/v1.0/admin/teams/'],
  ['GET', `/api/v1.0/admin/teams/${crypto.randomUUID()}/`],
  ['GET', '/api/v1.0/admin/invitations/'],
  ['DELETE', `/api/v1.0/admin/invitations/${crypto.randomUUID()}/`],
  ['GET', '/api/v1.0/admin/service-providers/'],
  ['PATCH', `/api/v1.0/admin/service-providers/${crypto.randomUUID()}/`],
  ['GET', '/api/v1.0/admin/jobs/'],
  ['POST', `/api/v1.0/admin/jobs/${crypto.randomUUID()}/retry/`],
  ['GET', '/api/v1.0/admin/organizations/'],
  ['GET', `/api/v1.0/admin/organizations/${crypto.randomUUID()}/`],
  ['GET', `/api/v1.0/admin/organizations/${crypto.randomUUID()}/scim-clients/`],
] as const;

async function staff(superuser = false) {
  return t.browserFor(await t.createUser({ isStaff: true, isSuperuser: superuser, name: 'Staff Member' }));
}

async function auditRows(event: string, targetId: string) {
  return t.testDb.database.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.targetId, targetId))
    .then((rows) => rows.filter((r) => r.event === event));
}

describe('the staff API', () => {
  it.each(ROUTES)('answers 404 to %s %s for anonymous visitors and agents', async (method, path) => {
    const anonymous = t.browser();
    await anonymous.primeCsrf();
    const agent = await t.browserFor(await t.createUser());
    for (const browser of [anonymous, agent]) {
      const res = await browser.request(method, path, method === 'GET' ? {} : { json: {} });
      expect([path, res.status]).toEqual([path, 404]);
    }
  });

  it('finds users by email, name or sub, and filters staff and active ones', async () => {
    const browser = await staff();
    const tag = crypto.randomUUID().slice(0, 8);
    const target = await t.createUser({ name: `Needle ${tag}`, sub: `sub-needle-${tag}` });
    await t.createUser({ name: `Needle ${tag} inactive`, isActive: false });
    const byName = (await browser.get(`/api/v1.0/admin/users/?q=needle ${tag}&is_active=true`)).json as {
      results: { id: string }[];
    };
    expect(byName.results.map((r) => r.id)).toEqual([target.id]);
    const bySub = (await browser.get(`/api/v1.0/admin/users/?q=sub-needle-${tag}`)).json as { count: number };
    expect(bySub.count).toBe(1);
  });

  it("shows a user's teams and roles", async () => {
    const browser = await staff();
    const user = await t.createUser();
    const team = (await (await t.browserFor(user)).post('/api/v1.0/teams/', { name: 'Vue par le staff' }))
      .json as {
      id: string;
    };
    const detail = await browser.get(`/api/v1.0/admin/users/${user.id}/`);
    expect(detail.json).toMatchObject({ id: user.id, teams: [{ id: team.id, role: 'owner' }] });
  });

  it('disables a user: their sessions end on every pod at once, and the change is audited', async () => {
    const browser = await staff();
    const user = await t.createUser();
    // Another pod: a second Desk on the same database and the same shared store.
    const kv = sameStore(t.store);
    const otherPod = await startDeskOn(t.testDb, kv);
    try {
      const session = await otherPod.desk.sessions.create(user.id);
      const agent = otherPod.browser();
      agent.cookies.set('desk_sessionid', session.id);
      expect((await agent.get('/api/v1.0/users/me/')).status).toBe(200);
      const res = await browser.patch(`/api/v1.0/admin/users/${user.id}/`, { is_active: false });
      expect(res.json).toMatchObject({ is_active: false });
      expect(await otherPod.desk.sessions.get(session.id)).toBeNull();
      expect((await agent.get('/api/v1.0/users/me/')).status).toBe(401);
      expect(await auditRows('user.disabled', user.id)).toHaveLength(1);
    } finally {
      await otherPod.stop();
      if (kv !== t.store.kv) await kv.close();
    }
  });

  it('refuses to disable oneself and the last active superuser, leaving no audit row', async () => {
    const superuser = await t.createUser({ isStaff: true, isSuperuser: true });
    const browser = await t.browserFor(superuser);
    const self = await browser.patch(`/api/v1.0/admin/users/${superuser.id}/`, { is_active: false });
    expect(self.status).toBe(400);
    expect(await auditRows('user.disabled', superuser.id)).toEqual([]);
  });

  it('lets only superusers grant staff rights', async () => {
    const user = await t.createUser();
    const plainStaff = await staff();
    expect((await plainStaff.patch(`/api/v1.0/admin/users/${user.id}/`, { is_staff: true })).status).toBe(
      403,
    );
    const superuser = await staff(true);
    expect(
      (await superuser.patch(`/api/v1.0/admin/users/${user.id}/`, { is_staff: true })).json,
    ).toMatchObject({
      is_staff: true,
    });
    expect(await auditRows('user.staff_granted', user.id)).toHaveLength(1);
  });

  it('lists every team with its members, and every invitation, which it can cancel', async () => {
    const browser = await staff();
    const owner = await t.browserFor(await t.createUser());
    const tag = crypto.randomUUID().slice(0, 8);
    const team = (await owner.post('/api/v1.0/teams/', { name: `Équipe ${tag}` })).json as { id: string };
    const email = `invitee.${tag}@example.gouv.fr`;
    await owner.post(`/api/v1.0/teams/${team.id}/invitations/`, { email });
    const teams = (await browser.get(`/api/v1.0/admin/teams/?q=${tag}`)).json as {
      results: { id: string }[];
    };
    expect(teams.results.map((r) => r.id)).toEqual([team.id]);
    expect((await browser.get(`/api/v1.0/admin/teams/${team.id}/`)).json).toMatchObject({
      members: [{ role: 'owner' }],
      service_providers: [],
    });
    const found = (await browser.get(`/api/v1.0/admin/invitations/?q=${tag}`)).json as {
      results: { id: string; email: string; is_expired: boolean }[];
    };
    expect(found.results).toMatchObject([{ email, is_expired: false }]);
    const id = found.results[0]?.id ?? '';
    expect((await browser.delete(`/api/v1.0/admin/invitations/${id}/`)).status).toBe(204);
    expect(await auditRows('invitation.cancelled', id)).toHaveLength(1);
  });

  it('retries a failed job, and renames a service provider (audited)', async () => {
    const browser = await staff();
    await enqueueJob(t.testDb.database.db, 'mail', { to: 'x@example.gouv.fr' });
    const [job] = await t.testDb.database.db
      .update(jobs)
      .set({ status: 'failed', attempts: 8, lastError: 'SMTP refused' })
      .where(eq(jobs.kind, 'mail'))
      .returning();
    const failed = (await browser.get('/api/v1.0/admin/jobs/?status=failed')).json as {
      results: { id: string }[];
    };
    expect(failed.results.map((r) => r.id)).toContain(job?.id);
    const retried = await browser.post(`/api/v1.0/admin/jobs/${job?.id}/retry/`);
    expect(retried.json).toMatchObject({ status: 'pending', attempts: 0, last_error: null });
    const [provider] = await t.testDb.database.db
      .insert(serviceProviders)
      .values({ audienceId: `app-${crypto.randomUUID()}`, name: 'app' })
      .returning();
    const renamed = await browser.patch(`/api/v1.0/admin/service-providers/${provider?.id}/`, {
      name: 'Agenda',
    });
    expect(renamed.json).toMatchObject({ id: provider?.id, name: 'Agenda', team_count: 0 });
    const listed = (await browser.get('/api/v1.0/admin/service-providers/')).json as {
      id: string;
      name: string;
    }[];
    expect(listed.find((p) => p.id === provider?.id)?.name).toBe('Agenda');
    expect(await auditRows('service_provider.renamed', provider?.id ?? '')).toHaveLength(1);
  });
});

describe('powers are ordered (DESIGN.md §8)', () => {
  type Actor = 'staff' | 'superuser';
  type Target = 'agent' | 'staff' | 'superuser';
  type Action = 'disable' | 'enable' | 'grant staff' | 'revoke staff';
  const ACTIONS: Record<Action, { before: { isActive: boolean }; body: Record<string, boolean> }> = {
    disable: { before: { isActive: true }, body: { is_active: false } },
    enable: { before: { isActive: false }, body: { is_active: true } },
    'grant staff': { before: { isActive: true }, body: { is_staff: true } },
    'revoke staff': { before: { isActive: true }, body: { is_staff: false } },
  };
  const TARGETS: Record<Target, { isStaff: boolean; isSuperuser: boolean }> = {
    agent: { isStaff: false, isSuperuser: false },
    staff: { isStaff: true, isSuperuser: false },
    superuser: { isStaff: true, isSuperuser: true },
  };
  // Staff disable and enable agents (revoking staff an agent does not have changes nothing); only superusers touch
  // staff and superuser accounts or grant and revoke staff.
  const EXPECTED: Record<Actor, Record<Target, Record<Action, number>>> = {
    superuser: {
      agent: { disable: 200, enable: 200, 'grant staff': 200, 'revoke staff': 200 },
      staff: { disable: 200, enable: 200, 'grant staff': 200, 'revoke staff': 200 },
      superuser: { disable: 200, enable: 200, 'grant staff': 200, 'revoke staff': 200 },
    },
    staff: {
      agent: { disable: 200, enable: 200, 'grant staff': 403, 'revoke staff': 200 },
      staff: { disable: 403, enable: 403, 'grant staff': 403, 'revoke staff': 403 },
      superuser: { disable: 403, enable: 403, 'grant staff': 403, 'revoke staff': 403 },
    },
  };
  const flags = async (id: string) => {
    const [row] = await t.testDb.database.db.select().from(users).where(eq(users.id, id));
    return { isActive: row?.isActive, isStaff: row?.isStaff, isSuperuser: row?.isSuperuser };
  };

  for (const [actor, byTarget] of Object.entries(EXPECTED) as [
    Actor,
    Record<Target, Record<Action, number>>,
  ][])
    for (const [target, byAction] of Object.entries(byTarget) as [Target, Record<Action, number>][])
      for (const [action, status] of Object.entries(byAction) as [Action, number][])
        it(`${actor} who tries to ${action} a ${target} gets ${status}`, async () => {
          const browser = await staff(actor === 'superuser');
          const { before, body } = ACTIONS[action];
          const user = await t.createUser({ ...TARGETS[target], ...before });
          const was = await flags(user.id);
          const res = await browser.patch(`/api/v1.0/admin/users/${user.id}/`, body);
          expect(res.status).toBe(status);
          if (status === 200) {
            const changed = 'is_active' in body ? { isActive: body.is_active } : { isStaff: body.is_staff };
            expect(await flags(user.id)).toEqual({ ...was, ...changed });
            return;
          }
          expect(res.json).toEqual({ detail: expect.stringMatching(/^Only superusers /) });
          expect(await flags(user.id)).toEqual(was);
          const audited = await t.testDb.database.db
            .select()
            .from(auditEvents)
            .where(eq(auditEvents.targetId, user.id));
          expect(audited).toEqual([]);
        });

  // The back office offers what the PATCH allows (src/users/powers.ts): the list and the detail answer it per user.
  for (const actor of ['staff', 'superuser'] as const)
    for (const target of Object.keys(TARGETS) as Target[])
      it(`answers a ${actor} the abilities the PATCH grants on a ${target}, in the list and the detail`, async () => {
        const browser = await staff(actor === 'superuser');
        const name = `Abilities ${crypto.randomUUID().slice(0, 8)}`;
        const user = await t.createUser({ ...TARGETS[target], name });
        const expected = {
          set_active: EXPECTED[actor][target].disable === 200,
          set_staff: EXPECTED[actor][target]['grant staff'] === 200,
        };
        const list = (await browser.get(`/api/v1.0/admin/users/?q=${encodeURIComponent(name)}`)).json as {
          results: { id: string; abilities: unknown }[];
        };
        expect(list.results).toEqual([expect.objectContaining({ id: user.id, abilities: expected })]);
        const detail = (await browser.get(`/api/v1.0/admin/users/${user.id}/`)).json as {
          abilities: unknown;
        };
        expect(detail.abilities).toEqual(expected);
      });

  it("offers nothing on one's own account", async () => {
    const superuser = await t.createUser({ isStaff: true, isSuperuser: true });
    const detail = (await (await t.browserFor(superuser)).get(`/api/v1.0/admin/users/${superuser.id}/`))
      .json as {
      abilities: unknown;
    };
    expect(detail.abilities).toEqual({ set_active: false, set_staff: false });
  });
});

describe('an id written in capitals', () => {
  it('is still oneself: the only superuser cannot disable their own account that way either', async () => {
    const superuser = await t.createUser({ isStaff: true, isSuperuser: true });
    await t.testDb.database.db
      .update(users)
      .set({ isSuperuser: false })
      .where(and(eq(users.isSuperuser, true), ne(users.id, superuser.id)));
    const browser = await t.browserFor(superuser);
    for (const id of [superuser.id, superuser.id.toUpperCase()]) {
      const res = await browser.patch(`/api/v1.0/admin/users/${id}/`, { is_active: false });
      expect([id, res.status, res.json]).toEqual([
        id,
        400,
        { is_active: ['You cannot disable your own account.'] },
      ]);
    }
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(200);
    expect(await auditRows('user.disabled', superuser.id)).toEqual([]);
  });
});

describe('the last superuser able to act', () => {
  it('cannot be disabled by a superuser let in just before their own organization was deactivated', async () => {
    const [org] = await t.testDb.database.db
      .insert(organizations)
      .values({ name: 'Closing soon' })
      .returning();
    const stale = await t.createUser({ isStaff: true, isSuperuser: true, organizationId: org!.id });
    const last = await t.createUser({ isStaff: true, isSuperuser: true });
    await t.testDb.database.db
      .update(users)
      .set({ isSuperuser: false })
      .where(and(eq(users.isSuperuser, true), notInArray(users.id, [stale.id, last.id])));
    // `last` shuts `stale`'s organization: `last` remains the one superuser able to act.
    const closed = await (await t.browserFor(last)).patch(`/api/v1.0/admin/organizations/${org!.id}/`, {
      is_active: false,
    });
    expect(closed.status).toBe(200);
    // A request of `stale` authenticated before that committed reaches the service with its user as it was then.
    const admin = new AdminService(t.testDb.database, t.desk.sessions);
    await expect(
      admin.updateUser(stale, last.id, { is_active: false }, { actor: userParty(stale) }),
    ).rejects.toMatchObject({ statusCode: 400 });
    expect((await t.testDb.database.db.select().from(users).where(eq(users.id, last.id)))[0]?.isActive).toBe(
      true,
    );
  });
});
