// What Microsoft Entra ID's provisioning service sends, in its order and shapes (its SCIM tutorial's request
// examples): test connection, match-or-create, PATCH updates with "Replace" and value paths, soft delete with
// "False" as a string, groups fetched without members, member add and remove, rename, and hard deletes.
import { describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';
import { deskUserOf, scimClientOf, scimPatch, type TestScimClient, teamNamesOf } from '../support/scim.ts';

const t = useDesk();

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const q = (filter: string) => encodeURIComponent(filter);

/** Entra's default user mapping, with the attributes Desk does not declare that it sends anyway. */
function entraUser(userName = `${crypto.randomUUID()}@entra.example`) {
  return {
    schemas: [USER, ENTERPRISE],
    externalId: crypto.randomUUID(),
    userName,
    active: true,
    displayName: 'Ada Lovelace',
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada' },
    title: 'Analyst',
    preferredLanguage: 'fr-FR',
    addresses: [
      { type: 'work', formatted: '1 rue de la Paix', streetAddress: '1 rue de la Paix', primary: true },
    ],
    phoneNumbers: [{ type: 'work', value: '+33 1 23 45 67 89' }],
    roles: [],
    [ENTERPRISE]: { employeeNumber: '42', department: 'Engines', manager: { value: crypto.randomUUID() } },
  };
}

/** Entra's create: GET filter userName eq, nothing found, then POST. */
async function provision(client: TestScimClient, body = entraUser()) {
  const found = await client.call('GET', `/Users?filter=${q(`userName eq "${body.userName}"`)}`);
  expect(found.body.totalResults).toBe(0);
  const created = await client.call('POST', '/Users', body);
  expect(created.status).toBe(201);
  return created.body as { id: string; userName: string };
}

async function entraGroup(client: TestScimClient, displayName = `Group ${crypto.randomUUID().slice(0, 8)}`) {
  const found = await client.call(
    'GET',
    `/Groups?excludedAttributes=members&filter=${q(`displayName eq "${displayName}"`)}`,
  );
  expect(found.body.totalResults).toBe(0);
  const created = await client.call('POST', '/Groups', {
    schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
    externalId: crypto.randomUUID(),
    displayName,
    meta: { resourceType: 'Group' },
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; displayName: string };
}

describe('Entra ID provisioning', () => {
  it('passes Test Connection: an unknown userName gives an empty list', async () => {
    const client = await scimClientOf(t);
    const res = await client.call('GET', `/Users?filter=${q(`userName eq "${crypto.randomUUID()}"`)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      Resources: [],
    });
  });

  it('creates the agent, keeping what Desk stores and ignoring the rest of the mapping', async () => {
    const client = await scimClientOf(t);
    const body = entraUser();
    const created = await provision(client, body);
    const res = await client.call('GET', `/Users/${created.id}`);
    expect(res.body).toMatchObject({
      id: created.id,
      externalId: body.externalId,
      userName: body.userName,
      active: true,
      displayName: 'Ada Lovelace',
      name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada' },
      emails: [{ primary: true, type: 'work', value: body.userName }],
    });
    for (const ignored of ['title', 'preferredLanguage', 'addresses', 'phoneNumbers', ENTERPRISE])
      expect(res.body).not.toHaveProperty(ignored);
    const user = await deskUserOf(t, created.id);
    expect(user).toMatchObject({ email: body.userName, name: 'Ada Lovelace', isActive: true });
    expect(user.organizationId).toBe(client.organizationId);
  });

  it('matches an agent it provisioned before by userName', async () => {
    const client = await scimClientOf(t);
    const created = await provision(client);
    const res = await client.call('GET', `/Users?filter=${q(`userName eq "${created.userName}"`)}`);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(created.id);
  });

  it("matches with Entra's unquoted value and mixed-case attribute and operator", async () => {
    const client = await scimClientOf(t);
    const created = await provision(client);
    const res = await client.call('GET', `/Users?filter=${q(`UserName EQ ${created.userName}`)}`);
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(created.id);
  });

  it('matches an agent by work email, written as Entra filters it', async () => {
    const client = await scimClientOf(t);
    const created = await provision(client);
    const res = await client.call(
      'GET',
      `/Users?filter=${q(`emails[type eq "work"].value eq "${created.userName.toUpperCase()}"`)}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual([created.id]);
  });

  it('gives a work email to an agent who had none, with Add through a value filter', async () => {
    const client = await scimClientOf(t);
    const created = await provision(client, { ...entraUser(), emails: [] });
    const email = `${crypto.randomUUID()}@entra.example`;
    const res = await scimPatch(client, `/Users/${created.id}`, {
      op: 'Add',
      path: 'emails[type eq "work"].value',
      value: email,
    });
    expect(res.status).toBe(200);
    expect(res.body.emails).toEqual([{ type: 'work', value: email }]);
    expect((await deskUserOf(t, created.id)).email).toBe(email);
  });

  it('deactivates the agent with a path-less Replace of active "False"', async () => {
    const client = await scimClientOf(t);
    const created = await provision(client);
    const res = await scimPatch(client, `/Users/${created.id}`, {
      op: 'Replace',
      value: { active: 'False' },
    });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect((await deskUserOf(t, created.id)).isActive).toBe(false);
  });

  it('updates the work email and family name with Replace operations', async () => {
    const client = await scimClientOf(t);
    const created = await provision(client);
    const email = `${crypto.randomUUID()}@entra.example`;
    const res = await scimPatch(
      client,
      `/Users/${created.id}`,
      { op: 'Replace', path: 'emails[type eq "work"].value', value: email },
      { op: 'Replace', path: 'name.familyName', value: 'Byron' },
    );
    expect(res.status).toBe(200);
    expect(res.body.emails).toEqual([{ primary: true, type: 'work', value: email }]);
    expect(res.body.name.familyName).toBe('Byron');
    expect((await deskUserOf(t, created.id)).email).toBe(email);
  });

  it('updates the name with a path-less Replace of dotted keys', async () => {
    const client = await scimClientOf(t);
    const created = await provision(client);
    const res = await scimPatch(client, `/Users/${created.id}`, {
      op: 'Replace',
      value: { 'name.givenName': 'Augusta', displayName: 'Augusta King' },
    });
    expect(res.status).toBe(200);
    expect(res.body.name.givenName).toBe('Augusta');
    expect(res.body.displayName).toBe('Augusta King');
    expect((await deskUserOf(t, created.id)).name).toBe('Augusta King');
  });

  it('ignores Replace operations on attributes Desk does not declare', async () => {
    const client = await scimClientOf(t);
    const created = await provision(client);
    const res = await scimPatch(
      client,
      `/Users/${created.id}`,
      { op: 'Replace', path: 'title', value: 'Engineer' },
      { op: 'Add', path: `${ENTERPRISE}:manager`, value: crypto.randomUUID() },
      { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Looms' },
    );
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('title');
  });

  it('deactivates the agent with "False" as a string, ending their session', async () => {
    const client = await scimClientOf(t);
    const created = await provision(client);
    const browser = await t.browserFor(await deskUserOf(t, created.id));
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(200);
    const res = await scimPatch(client, `/Users/${created.id}`, {
      op: 'Replace',
      path: 'active',
      value: 'False',
    });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect((await deskUserOf(t, created.id)).isActive).toBe(false);
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(401);
  });

  it('creates a group as a team after looking it up without members', async () => {
    const client = await scimClientOf(t);
    const group = await entraGroup(client);
    const res = await client.call(
      'GET',
      `/Groups?excludedAttributes=members&filter=${q(`displayName eq "${group.displayName}"`)}`,
    );
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0]).toMatchObject({ id: group.id, displayName: group.displayName });
    expect(res.body.Resources[0]).not.toHaveProperty('members');
  });

  it('adds a member, who then sees the team', async () => {
    const client = await scimClientOf(t);
    const member = await provision(client);
    const group = await entraGroup(client);
    const res = await scimPatch(client, `/Groups/${group.id}`, {
      name: 'addMember',
      op: 'Add',
      path: 'members',
      value: [{ $ref: null, value: member.id }],
    });
    expect(res.status).toBe(200);
    const read = await client.call('GET', `/Groups/${group.id}`);
    expect(read.body.members.map((m: { value: string }) => m.value)).toEqual([member.id]);
    expect(await teamNamesOf(t, await deskUserOf(t, member.id))).toEqual([group.displayName]);
  });

  it('removes a member by value list, who no longer sees the team', async () => {
    const client = await scimClientOf(t);
    const [stays, leaves] = [await provision(client), await provision(client)];
    const group = await entraGroup(client);
    await scimPatch(client, `/Groups/${group.id}`, {
      op: 'Add',
      path: 'members',
      value: [{ value: stays.id }, { value: leaves.id }],
    });
    const res = await scimPatch(client, `/Groups/${group.id}`, {
      name: 'removeMember',
      op: 'Remove',
      path: 'members',
      value: [{ $ref: null, value: leaves.id }],
    });
    expect(res.status).toBe(200);
    const read = await client.call('GET', `/Groups/${group.id}`);
    expect(read.body.members.map((m: { value: string }) => m.value)).toEqual([stays.id]);
    expect(await teamNamesOf(t, await deskUserOf(t, leaves.id))).toEqual([]);
  });

  it('renames the group, and members see the new team name', async () => {
    const client = await scimClientOf(t);
    const member = await provision(client);
    const group = await entraGroup(client);
    await scimPatch(client, `/Groups/${group.id}`, {
      op: 'Add',
      path: 'members',
      value: [{ value: member.id }],
    });
    const name = `Renamed ${crypto.randomUUID().slice(0, 8)}`;
    const res = await scimPatch(client, `/Groups/${group.id}`, {
      op: 'Replace',
      path: 'displayName',
      value: name,
    });
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe(name);
    expect(await teamNamesOf(t, await deskUserOf(t, member.id))).toEqual([name]);
  });

  it('answers a membership check by filter without listing members', async () => {
    const client = await scimClientOf(t);
    const [member, outsider] = [await provision(client), await provision(client)];
    const group = await entraGroup(client);
    await scimPatch(client, `/Groups/${group.id}`, {
      op: 'Add',
      path: 'members',
      value: [{ value: member.id }],
    });
    const check = (userId: string) =>
      client.call(
        'GET',
        `/Groups?excludedAttributes=members&filter=${q(`id eq "${group.id}" and members.value eq "${userId}"`)}`,
      );
    const yes = await check(member.id);
    expect(yes.body.totalResults).toBe(1);
    expect(yes.body.Resources[0]).not.toHaveProperty('members');
    expect((await check(outsider.id)).body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('reads a group by id without its members when asked', async () => {
    const client = await scimClientOf(t);
    const member = await provision(client);
    const group = await entraGroup(client);
    await scimPatch(client, `/Groups/${group.id}`, {
      op: 'Add',
      path: 'members',
      value: [{ value: member.id }],
    });
    const res = await client.call('GET', `/Groups/${group.id}?excludedAttributes=members`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: group.id, displayName: group.displayName });
    expect(res.body).not.toHaveProperty('members');
  });

  it('deletes the agent: 204, then 404, and they left their teams', async () => {
    const client = await scimClientOf(t);
    const member = await provision(client);
    const group = await entraGroup(client);
    await scimPatch(client, `/Groups/${group.id}`, {
      op: 'Add',
      path: 'members',
      value: [{ value: member.id }],
    });
    const res = await client.call('DELETE', `/Users/${member.id}`);
    expect(res.status).toBe(204);
    const after = await client.call('GET', `/Users/${member.id}`);
    expect(after.status).toBe(404);
    expect(after.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '404',
    });
    expect((await client.call('GET', `/Groups/${group.id}`)).body.members ?? []).toEqual([]);
    expect((await deskUserOf(t, member.id)).isActive).toBe(false);
  });

  it('deletes the group: 204, and the team is gone for its former member', async () => {
    const client = await scimClientOf(t);
    const member = await provision(client);
    const group = await entraGroup(client);
    await scimPatch(client, `/Groups/${group.id}`, {
      op: 'Add',
      path: 'members',
      value: [{ value: member.id }],
    });
    const user = await deskUserOf(t, member.id);
    expect(await teamNamesOf(t, user)).toEqual([group.displayName]);
    const res = await client.call('DELETE', `/Groups/${group.id}`);
    expect(res.status).toBe(204);
    expect((await client.call('GET', `/Groups/${group.id}`)).status).toBe(404);
    expect(await teamNamesOf(t, user)).toEqual([]);
  });

  it('re-hires a user it deleted: the same Desk account, active again', async () => {
    const client = await scimClientOf(t);
    const body = entraUser();
    const first = await provision(client, body);
    expect((await client.call('DELETE', `/Users/${first.id}`)).status).toBe(204);

    const again = await provision(client, body);

    expect(again.id).toBe(first.id);
    expect((await deskUserOf(t, first.id)).isActive).toBe(true);
  });
});
