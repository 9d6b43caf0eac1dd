// What Okta's SCIM 2.0 provisioning sends, per its SCIM 2.0 reference: create after a paged userName lookup, updates by
// PUT of the whole user, deactivation and reactivation by path-less replace, Push Groups, import by pages, and delete.
import { describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';
import { deskUserOf, scimClientOf, scimPatch, type TestScimClient, teamNamesOf } from '../support/scim.ts';

const t = useDesk();

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const q = (filter: string) => encodeURIComponent(filter);

/** Okta's create body: its profile, a generated password and an empty groups list. */
function oktaUser(userName = `${crypto.randomUUID()}@okta.example`) {
  return {
    schemas: [USER],
    userName,
    name: { givenName: 'Grace', familyName: 'Hopper' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Grace Hopper',
    locale: 'en-US',
    externalId: `00u${crypto.randomUUID().replaceAll('-', '').slice(0, 17)}`,
    groups: [],
    password: 'xk3lQ9pz',
    active: true,
  };
}

/** Okta's create: GET filter userName eq with startIndex and count, nothing found, then POST. */
async function provision(client: TestScimClient, body = oktaUser()) {
  const found = await client.call(
    'GET',
    `/Users?filter=${q(`userName eq "${body.userName}"`)}&startIndex=1&count=100`,
  );
  expect(found.status).toBe(200);
  expect(found.body.totalResults).toBe(0);
  const created = await client.call('POST', '/Users', body);
  expect(created.status).toBe(201);
  return created.body as { id: string; userName: string; externalId: string };
}

const memberIds = (body: { members?: { value: string }[] }) =>
  (body.members ?? []).map((m) => m.value).sort();

describe('Okta provisioning', () => {
  it('creates the agent after a paged lookup, never storing the password', async () => {
    const client = await scimClientOf(t, undefined, 'Okta');
    const body = oktaUser();
    const created = await provision(client, body);
    expect(created).toMatchObject({
      userName: body.userName,
      externalId: body.externalId,
      displayName: 'Grace Hopper',
      active: true,
    });
    expect(created).not.toHaveProperty('password');
    const user = await deskUserOf(t, created.id);
    expect(user).toMatchObject({ email: body.userName, name: 'Grace Hopper', isActive: true });
    expect(user.password ?? '').toBe('');
    const again = await client.call(
      'GET',
      `/Users?filter=${q(`userName eq "${body.userName}"`)}&startIndex=1&count=100`,
    );
    expect(again.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
  });

  it('updates the agent with PUT, replacing the whole profile', async () => {
    const client = await scimClientOf(t, undefined, 'Okta');
    const body = oktaUser();
    const created = await provision(client, body);
    const email = `${crypto.randomUUID()}@okta.example`;
    const res = await client.call('PUT', `/Users/${created.id}`, {
      ...body,
      id: created.id,
      name: { givenName: 'Grace', familyName: 'Murray' },
      emails: [{ primary: true, value: email, type: 'work' }],
      displayName: undefined,
    });
    expect(res.status).toBe(200);
    expect(res.body.name).toEqual({ givenName: 'Grace', familyName: 'Murray' });
    expect(res.body.emails).toEqual([{ primary: true, value: email, type: 'work' }]);
    // PUT replaces: the displayName left out is gone.
    expect(res.body).not.toHaveProperty('displayName');
    expect(await deskUserOf(t, created.id)).toMatchObject({ email, name: 'Grace Murray' });
  });

  it('deactivates the agent with a path-less replace of active', async () => {
    const client = await scimClientOf(t, undefined, 'Okta');
    const created = await provision(client);
    const browser = await t.browserFor(await deskUserOf(t, created.id));
    const res = await scimPatch(client, `/Users/${created.id}`, { op: 'replace', value: { active: false } });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect((await deskUserOf(t, created.id)).isActive).toBe(false);
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(401);
  });

  it('reactivates a deactivated agent', async () => {
    const client = await scimClientOf(t, undefined, 'Okta');
    const created = await provision(client, { ...oktaUser(), active: false });
    expect((await deskUserOf(t, created.id)).isActive).toBe(false);
    const res = await scimPatch(client, `/Users/${created.id}`, { op: 'replace', value: { active: true } });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(true);
    expect((await deskUserOf(t, created.id)).isActive).toBe(true);
  });

  it('pushes a group with its members as a team they see', async () => {
    const client = await scimClientOf(t, undefined, 'Okta');
    const member = await provision(client);
    const displayName = `Push ${crypto.randomUUID().slice(0, 8)}`;
    const res = await client.call('POST', '/Groups', {
      schemas: [GROUP],
      displayName,
      members: [{ value: member.id, display: member.userName }],
    });
    expect(res.status).toBe(201);
    expect(memberIds(res.body)).toEqual([member.id]);
    expect(await teamNamesOf(t, await deskUserOf(t, member.id))).toEqual([displayName]);
  });

  it('adds members to a pushed group with a members add', async () => {
    const client = await scimClientOf(t, undefined, 'Okta');
    const [first, second] = [await provision(client), await provision(client)];
    const group = await client.call('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Push add',
      members: [],
    });
    const res = await scimPatch(client, `/Groups/${group.body.id}`, {
      op: 'add',
      path: 'members',
      value: [
        { value: first.id, display: first.userName },
        { value: second.id, display: second.userName },
      ],
    });
    expect(res.status).toBe(200);
    expect(memberIds(res.body)).toEqual([first.id, second.id].sort());
  });

  it('removes a member with a members[value eq …] path', async () => {
    const client = await scimClientOf(t, undefined, 'Okta');
    const [stays, leaves] = [await provision(client), await provision(client)];
    const group = await client.call('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Push remove',
      members: [{ value: stays.id }, { value: leaves.id }],
    });
    const res = await scimPatch(client, `/Groups/${group.body.id}`, {
      op: 'remove',
      path: `members[value eq "${leaves.id}"]`,
    });
    expect(res.status).toBe(200);
    expect(memberIds(res.body)).toEqual([stays.id]);
    expect(await teamNamesOf(t, await deskUserOf(t, leaves.id))).toEqual([]);
  });

  it('renames a pushed group with a path-less replace that repeats its id', async () => {
    const client = await scimClientOf(t, undefined, 'Okta');
    const group = await client.call('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Push old',
      members: [],
    });
    const name = `Push new ${crypto.randomUUID().slice(0, 8)}`;
    const res = await scimPatch(client, `/Groups/${group.body.id}`, {
      op: 'replace',
      value: { id: group.body.id, displayName: name },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: group.body.id, displayName: name });
  });

  it('imports users page by page: integers, a stable order, each user once', async () => {
    const client = await scimClientOf(t, undefined, 'Okta');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await provision(client)).id);
    const seen: string[] = [];
    for (let startIndex = 1; startIndex <= 5; startIndex += 2) {
      const res = await client.call('GET', `/Users?startIndex=${startIndex}&count=2`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ totalResults: 5, startIndex, itemsPerPage: startIndex === 5 ? 1 : 2 });
      expect(Number.isInteger(res.body.totalResults)).toBe(true);
      seen.push(...res.body.Resources.map((r: { id: string }) => r.id));
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(ids));
    const again = await client.call('GET', '/Users?startIndex=1&count=5');
    expect(again.body.Resources.map((r: { id: string }) => r.id)).toEqual(seen);
  });

  it('deletes a pushed group: 204, and its members no longer see the team', async () => {
    const client = await scimClientOf(t, undefined, 'Okta');
    const member = await provision(client);
    const group = await client.call('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Push gone',
      members: [{ value: member.id }],
    });
    const res = await client.call('DELETE', `/Groups/${group.body.id}`);
    expect(res.status).toBe(204);
    expect((await client.call('GET', `/Groups/${group.body.id}`)).status).toBe(404);
    expect(await teamNamesOf(t, await deskUserOf(t, member.id))).toEqual([]);
  });
});
