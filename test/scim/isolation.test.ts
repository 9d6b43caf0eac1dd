// SCIM isolation (DESIGN.md §5, §9): a client sees and touches only its own organization's users and groups; another
// organization's ids answer exactly as unknown ones do, and can never become members of its groups.
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/audit/index.ts';
import { organizations } from '../../src/organizations/index.ts';
import { organizationDomains } from '../../src/organizations/schema.ts';
import { ScimClientService, scimUsers } from '../../src/scim/index.ts';
import { teamAccesses, teams } from '../../src/teams/index.ts';
import { users } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';
import { type ScimAnswer, scimClientOf, type TestScimClient } from '../support/scim.ts';

const t = useDesk();

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const tag = () => crypto.randomUUID().slice(0, 8);

async function provision(client: TestScimClient, email = uniqueEmail('scim'), userName = email) {
  const res = await client.call('POST', '/Users', {
    schemas: [USER],
    userName,
    name: { givenName: 'Ann', familyName: 'Lee' },
    emails: [{ value: email, type: 'work', primary: true }],
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; userName: string };
}

async function group(client: TestScimClient, members: string[] = []) {
  const res = await client.call('POST', '/Groups', {
    schemas: [GROUP],
    displayName: `Group ${tag()}`,
    members: members.map((value) => ({ value })),
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; displayName: string };
}

/** Two organizations, each with a client; the first has a user in a group. */
async function twoOrganizations() {
  const first = await scimClientOf(t);
  const second = await scimClientOf(t);
  const user = await provision(first);
  const team = await group(first, [user.id]);
  return { first, second, user, team };
}

/** What the database holds of a user and a team, to show a refused request wrote nothing. */
async function stateOf(userId: string, teamId?: string) {
  const db = t.testDb.database.db;
  return {
    user: await db.select().from(users).where(eq(users.id, userId)),
    scim: await db.select().from(scimUsers).where(eq(scimUsers.userId, userId)),
    team: teamId ? await db.select().from(teams).where(eq(teams.id, teamId)) : [],
    accesses: await db
      .select({ teamId: teamAccesses.teamId, userId: teamAccesses.userId, role: teamAccesses.role })
      .from(teamAccesses)
      .where(teamId ? eq(teamAccesses.teamId, teamId) : eq(teamAccesses.userId, userId))
      .orderBy(teamAccesses.userId),
  };
}

/** A 404 with the id it names replaced, so two 404s compare as documents. */
function shapeOf(res: ScimAnswer, id: string) {
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: JSON.parse(JSON.stringify(res.body).replaceAll(id, '<id>')),
  };
}

async function listed(client: TestScimClient, resource: 'Users' | 'Groups', filter: string) {
  const res = await client.call('GET', `/${resource}?filter=${encodeURIComponent(filter)}`);
  expect(res.status).toBe(200);
  return res.body as { totalResults: number; Resources: { id: string }[] };
}

describe('another organization’s resources are as unknown as random ids', () => {
  it('GET of another organization’s user answers the same 404 as a random id', async () => {
    const { second, user } = await twoOrganizations();
    const random = crypto.randomUUID();
    const theirs = await second.call('GET', `/Users/${user.id}`);
    const unknown = await second.call('GET', `/Users/${random}`);
    expect(theirs.status).toBe(404);
    expect(shapeOf(theirs, user.id)).toEqual(shapeOf(unknown, random));
  });

  it('GET of another organization’s group answers the same 404 as a random id', async () => {
    const { second, team } = await twoOrganizations();
    const random = crypto.randomUUID();
    const theirs = await second.call('GET', `/Groups/${team.id}`);
    const unknown = await second.call('GET', `/Groups/${random}`);
    expect(theirs.status).toBe(404);
    expect(shapeOf(theirs, team.id)).toEqual(shapeOf(unknown, random));
  });

  it('lists and filters never return another organization’s users', async () => {
    const { first, second, user } = await twoOrganizations();
    await provision(second);
    const own = await first.call('GET', `/Users/${user.id}`);
    const email = own.body.emails[0].value as string;
    for (const filter of [
      `userName eq "${user.userName}"`,
      `id eq "${user.id}"`,
      `emails.value eq "${email}"`,
      `emails[value eq "${email}"]`,
      `userName co "${user.userName.slice(0, 12)}"`,
    ])
      expect(await listed(second, 'Users', filter), filter).toMatchObject({ totalResults: 0, Resources: [] });
    const all = await second.call('GET', '/Users?count=1000');
    expect(all.body.totalResults).toBe(1);
    expect(all.body.Resources.map((r: { id: string }) => r.id)).not.toContain(user.id);
    const searched = await second.call('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: `id eq "${user.id}"`,
    });
    expect(searched.body.totalResults).toBe(0);
  });

  it('lists and filters never return another organization’s groups', async () => {
    const { second, team } = await twoOrganizations();
    await group(second);
    for (const filter of [`displayName eq "${team.displayName}"`, `id eq "${team.id}"`])
      expect(await listed(second, 'Groups', filter), filter).toMatchObject({
        totalResults: 0,
        Resources: [],
      });
    const all = await second.call('GET', '/Groups');
    expect(all.body.totalResults).toBe(1);
  });

  it('PUT, PATCH and DELETE of another organization’s user answer 404 and change nothing', async () => {
    const { second, user } = await twoOrganizations();
    const before = await stateOf(user.id);
    const answers = [
      await second.call('PUT', `/Users/${user.id}`, { schemas: [USER], userName: 'taken', active: false }),
      await second.call('PATCH', `/Users/${user.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      }),
      await second.call('DELETE', `/Users/${user.id}`),
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404]);
    expect(await stateOf(user.id)).toEqual(before);
  });

  it('PUT, PATCH and DELETE of another organization’s group answer 404 and change nothing', async () => {
    const { second, team, user } = await twoOrganizations();
    const before = await stateOf(user.id, team.id);
    const answers = [
      await second.call('PUT', `/Groups/${team.id}`, { schemas: [GROUP], displayName: 'Taken', members: [] }),
      await second.call('PATCH', `/Groups/${team.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'remove', path: 'members' }],
      }),
      await second.call('DELETE', `/Groups/${team.id}`),
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404]);
    expect(await stateOf(user.id, team.id)).toEqual(before);
  });
});

describe('members come from the client’s own organization only', () => {
  /** Ids that are not users of the second organization: theirs, an organization-less user, unknown, malformed. */
  async function strangers() {
    const { first, second, user } = await twoOrganizations();
    const loner = await t.createUser();
    return {
      first,
      second,
      ids: {
        otherOrganization: user.id,
        noOrganization: loner.id,
        random: crypto.randomUUID(),
        text: 'not-a-uuid',
      },
    };
  }

  it('POST /Groups with a stranger as member is 400 invalidValue and creates no group', async () => {
    const { second, ids } = await strangers();
    for (const [kind, id] of Object.entries(ids)) {
      const displayName = `Refused ${tag()}`;
      const res = await second.call('POST', '/Groups', {
        schemas: [GROUP],
        displayName,
        members: [{ value: id }],
      });
      expect({ kind, status: res.status, scimType: res.body.scimType }).toEqual({
        kind,
        status: 400,
        scimType: 'invalidValue',
      });
      const made = await t.testDb.database.db.select().from(teams).where(eq(teams.name, displayName));
      expect(made).toEqual([]);
    }
  });

  it('PATCH add of a stranger is 400 invalidValue and adds no one', async () => {
    const { second, ids } = await strangers();
    const own = await provision(second);
    const team = await group(second, [own.id]);
    const before = await stateOf(own.id, team.id);
    for (const [kind, id] of Object.entries(ids)) {
      const res = await second.call('PATCH', `/Groups/${team.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
      });
      expect({ kind, status: res.status, scimType: res.body.scimType }).toEqual({
        kind,
        status: 400,
        scimType: 'invalidValue',
      });
    }
    expect(await stateOf(own.id, team.id)).toEqual(before);
  });

  it('PATCH adding an own user with a stranger adds neither', async () => {
    const { second, ids } = await strangers();
    const own = await provision(second);
    const team = await group(second);
    const res = await second.call('PATCH', `/Groups/${team.id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: own.id }, { value: ids.otherOrganization }] },
      ],
    });
    expect(res.status).toBe(400);
    expect(await stateOf(own.id, team.id)).toMatchObject({ accesses: [] });
  });

  it('PUT of a group listing a stranger is 400 invalidValue and changes nothing', async () => {
    const { second, ids } = await strangers();
    const own = await provision(second);
    const team = await group(second, [own.id]);
    const before = await stateOf(own.id, team.id);
    for (const [kind, id] of Object.entries(ids)) {
      const res = await second.call('PUT', `/Groups/${team.id}`, {
        schemas: [GROUP],
        displayName: `Renamed ${tag()}`,
        members: [{ value: id }],
      });
      expect({ kind, status: res.status, scimType: res.body.scimType }).toEqual({
        kind,
        status: 400,
        scimType: 'invalidValue',
      });
    }
    expect(await stateOf(own.id, team.id)).toEqual(before);
  });
});

describe('emails and userNames across organizations', () => {
  it('POST /Users with an address under another organization’s email domain is 400 invalidValue', async () => {
    const first = await scimClientOf(t);
    const second = await scimClientOf(t);
    const domain = `${tag()}.example.gouv.fr`;
    await t.testDb.database.db
      .insert(organizationDomains)
      .values({ domain, organizationId: first.organizationId });
    const email = `ann.${tag()}@${domain}`;
    const res = await second.call('POST', '/Users', {
      schemas: [USER],
      userName: email,
      emails: [{ value: email, primary: true }],
    });
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidValue');
    expect(await t.testDb.database.db.select().from(users).where(eq(users.email, email))).toEqual([]);
  });

  it('POST /Users with an address under its own email domain is accepted', async () => {
    const first = await scimClientOf(t);
    const domain = `${tag()}.example.gouv.fr`;
    await t.testDb.database.db
      .insert(organizationDomains)
      .values({ domain, organizationId: first.organizationId });
    await provision(first, `ann.${tag()}@${domain}`);
  });

  it('adopts a user of its own organization who signed in before, keeping their id', async () => {
    const client = await scimClientOf(t);
    const signedIn = await t.createUser({ organizationId: client.organizationId });
    const adopted = await provision(client, signedIn.email ?? '');
    expect(adopted.id).toBe(signedIn.id);
    expect(
      await t.testDb.database.db
        .select()
        .from(users)
        .where(eq(users.email, signedIn.email ?? '')),
    ).toHaveLength(1);
  });

  it('never adopts a user of another organization with that email: 409 uniqueness', async () => {
    const client = await scimClientOf(t);
    const elsewhere = await t.createUser({ organizationId: await t.createOrganization() });
    const before = await stateOf(elsewhere.id);
    const res = await client.call('POST', '/Users', {
      schemas: [USER],
      userName: `ann-${tag()}`,
      emails: [{ value: elsewhere.email, primary: true }],
    });
    expect(res.status).toBe(409);
    expect(res.body.scimType).toBe('uniqueness');
    expect(await stateOf(elsewhere.id)).toEqual(before);
  });

  it('never adopts a user of no organization with that email: 409 uniqueness', async () => {
    const client = await scimClientOf(t);
    const loner = await t.createUser();
    const res = await client.call('POST', '/Users', {
      schemas: [USER],
      userName: `ann-${tag()}`,
      emails: [{ value: loner.email, primary: true }],
    });
    expect(res.status).toBe(409);
    const [after] = await t.testDb.database.db.select().from(users).where(eq(users.id, loner.id));
    expect(after?.organizationId).toBeNull();
  });

  it('a userName is unique per organization: two organizations may each provision the same one', async () => {
    const first = await scimClientOf(t);
    const second = await scimClientOf(t);
    const userName = `ann.${tag()}@x.fr`;
    const a = await provision(first, uniqueEmail('a'), userName);
    const b = await provision(second, uniqueEmail('b'), userName);
    expect(a.id).not.toBe(b.id);
    const again = await first.call('POST', '/Users', {
      schemas: [USER],
      userName: userName.toUpperCase(),
      emails: [{ value: uniqueEmail('c') }],
    });
    expect(again.status).toBe(409);
    expect(again.body.scimType).toBe('uniqueness');
  });
});

describe('clients that may no longer call', () => {
  it('a revoked client is refused with 401 at once', async () => {
    const client = await scimClientOf(t);
    expect((await client.call('GET', '/Users')).status).toBe(200);
    await new ScimClientService(t.desk.database).revoke(client.organizationId, client.id, { actor: SYSTEM });
    const res = await client.call('GET', '/Users');
    expect(res.status).toBe(401);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  it('a revoked client cannot change what it provisioned', async () => {
    const client = await scimClientOf(t);
    const user = await provision(client);
    await new ScimClientService(t.desk.database).revoke(client.organizationId, client.id, { actor: SYSTEM });
    const before = await stateOf(user.id);
    const res = await client.call('DELETE', `/Users/${user.id}`);
    expect(res.status).toBe(401);
    expect(await stateOf(user.id)).toEqual(before);
  });

  it('the client of a deactivated organization is refused with 401', async () => {
    const client = await scimClientOf(t);
    expect((await client.call('GET', '/Groups')).status).toBe(200);
    await t.testDb.database.db
      .update(organizations)
      .set({ isActive: false })
      .where(inArray(organizations.id, [client.organizationId]));
    const res = await client.call('GET', '/Groups');
    expect(res.status).toBe(401);
    expect(res.body.status).toBe('401');
  });
});
