// users/me and the profile update: self only, language and timezone validated, nothing else writable.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { organizationRegistrationIds } from '../../src/organizations/schema.ts';
import { users } from '../../src/users/index.ts';
import { startDeskOn, useDesk } from '../support/desk.ts';
import { testStore } from '../support/parts.ts';

const t = useDesk();

describe('users/me', () => {
  it('answers 401 without a session', async () => {
    const res = await t.browser().get('/api/v1.0/users/me/');
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it('describes the signed-in user and what the features let them do', async () => {
    const user = await t.createUser({ name: 'Jeanne Martin', isStaff: false });
    const me = await (await t.browserFor(user)).get('/api/v1.0/users/me/');
    expect(me.json).toEqual({
      id: user.id,
      email: user.email,
      name: 'Jeanne Martin',
      language: 'en-us',
      timezone: 'UTC',
      is_staff: false,
      is_superuser: false,
      organization: null,
      abilities: {
        teams: { can_view: true, can_create: true },
        contacts: { can_view: true, can_create: true },
        mailboxes: { can_view: false, can_create: false },
      },
    });
  });

  it("names the agent's organization and its registration ids", async () => {
    const organizationId = await t.createOrganization();
    const siret = String(Math.floor(Math.random() * 1e14)).padStart(14, '0');
    await t.testDb.database.db
      .insert(organizationRegistrationIds)
      .values({ registrationId: siret, organizationId });
    const user = await t.createUser({ organizationId });
    const me = await (await t.browserFor(user)).get('/api/v1.0/users/me/');
    expect(me.json).toMatchObject({
      organization: {
        id: organizationId,
        name: expect.stringMatching(/^Org /),
        registration_id_list: [siret],
      },
    });
  });

  it('reports the features turned off', async () => {
    const { kv } = testStore();
    const other = await startDeskOn(t.testDb, kv, {
      FEATURE_TEAMS_CREATE: 'false',
      FEATURE_CONTACTS_DISPLAY: 'false',
    });
    try {
      const user = await t.createUser();
      const session = await other.desk.sessions.create(user.id);
      const browser = other.browser();
      browser.cookies.set('desk_sessionid', session.id);
      expect((await browser.get('/api/v1.0/users/me/')).json).toMatchObject({
        abilities: {
          teams: { can_view: true, can_create: false },
          contacts: { can_view: false, can_create: false },
        },
      });
    } finally {
      await other.stop();
      await kv.close();
    }
  });

  it('stops answering for a user disabled after login', async () => {
    const user = await t.createUser();
    const browser = await t.browserFor(user);
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(200);
    await t.testDb.database.db.update(users).set({ isActive: false }).where(eq(users.id, user.id));
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(401);
  });
});

describe('updating my profile', () => {
  it('changes language and timezone, and keeps them', async () => {
    const user = await t.createUser();
    const browser = await t.browserFor(user);
    const res = await browser.patch(`/api/v1.0/users/${user.id}/`, {
      language: 'fr-fr',
      timezone: 'Europe/Paris',
    });
    expect(res.status).toBe(200);
    expect((await browser.get('/api/v1.0/users/me/')).json).toMatchObject({
      language: 'fr-fr',
      timezone: 'Europe/Paris',
    });
  });

  it('answers with the organization, as users/me does', async () => {
    const organizationId = await t.createOrganization();
    const user = await t.createUser({ organizationId });
    const browser = await t.browserFor(user);
    const res = await browser.patch(`/api/v1.0/users/${user.id}/`, { timezone: 'Europe/Paris' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual((await browser.get('/api/v1.0/users/me/')).json);
    expect(res.json).toMatchObject({ organization: { id: organizationId } });
  });

  it('works with PUT as with PATCH', async () => {
    const user = await t.createUser();
    const res = await (await t.browserFor(user)).put(`/api/v1.0/users/${user.id}/`, {
      timezone: 'America/Cayenne',
    });
    expect(res.json).toMatchObject({ timezone: 'America/Cayenne' });
  });

  it('refuses an unknown language, naming the field', async () => {
    const user = await t.createUser();
    const res = await (await t.browserFor(user)).patch(`/api/v1.0/users/${user.id}/`, {
      language: 'klingon',
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ language: ['Must be one of: en-us, fr-fr.'] });
  });

  it('refuses a timezone outside the IANA list', async () => {
    const user = await t.createUser();
    const res = await (await t.browserFor(user)).patch(`/api/v1.0/users/${user.id}/`, {
      timezone: 'Mars/Olympus',
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ timezone: ['Must be an IANA time zone, e.g. Europe/Paris.'] });
  });

  it('refuses any other field, naming it', async () => {
    const user = await t.createUser();
    const res = await (await t.browserFor(user)).patch(`/api/v1.0/users/${user.id}/`, { is_staff: true });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ is_staff: ['Unknown field.'] });
  });

  it("is refused on someone else's account", async () => {
    const me = await t.createUser();
    const other = await t.createUser();
    const res = await (await t.browserFor(me)).patch(`/api/v1.0/users/${other.id}/`, { language: 'fr-fr' });
    expect(res.status).toBe(403);
  });

  it('answers 404 for an id that is not a UUID', async () => {
    const me = await t.createUser();
    expect((await (await t.browserFor(me)).patch('/api/v1.0/users/42/', { language: 'fr-fr' })).status).toBe(
      404,
    );
  });
});
