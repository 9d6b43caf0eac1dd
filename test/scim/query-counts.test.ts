// How many SQL statements SCIM requests send: bounded, and independent of how many users or members there are.
import { beforeAll, describe, expect, it } from 'vitest';
import { scimUsers } from '../../src/scim/index.ts';
import { teamAccesses, teams } from '../../src/teams/index.ts';
import { users } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';
import { scimClientOf, type TestScimClient } from '../support/scim.ts';

const t = useDesk();

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const tag = () => crypto.randomUUID().slice(0, 8);

/**
 * The statements a request sends, read from the database's query logger. The background job queue's own statements
 * (claims on `jobs`, which a stopped queue may still send for a job it had scheduled) are not the request's.
 */
async function statementsOf(call: () => Promise<{ status: number }>, status = 200): Promise<number> {
  const counter = t.testDb.database.queries;
  const seen: string[] = [];
  const count = counter.logQuery;
  // QueryCounter declares logQuery() without parameters; drizzle passes the statement first.
  counter.logQuery = (...args: unknown[]) => {
    seen.push(String(args[0]));
    count.call(counter);
  };
  try {
    const res = await call();
    expect(res.status).toBe(status);
  } finally {
    counter.logQuery = count;
  }
  return seen.filter(
    (query) => !/^\s*(update|select .* from|insert into|delete from) "?jobs"?\b/is.test(query),
  ).length;
}

/** A client whose last use is already recorded, so its authentication is one statement (no last_used_at write). */
async function warmClient(): Promise<TestScimClient> {
  const client = await scimClientOf(t);
  expect((await client.call('GET', '/ServiceProviderConfig')).status).toBe(200);
  return client;
}

/** `count` provisioned users of the client's organization, written directly (fast); their ids. */
async function provisioned(client: TestScimClient, count: number): Promise<string[]> {
  const db = t.testDb.database.db;
  const made = await db
    .insert(users)
    .values(
      Array.from({ length: count }, (_, i) => ({
        email: uniqueEmail(`qc${i}`),
        name: `Agent ${i}`,
        organizationId: client.organizationId,
      })),
    )
    .returning({ id: users.id });
  for (let i = 0; i < made.length; i += 1000)
    await db.insert(scimUsers).values(
      made.slice(i, i + 1000).map((u, j) => ({
        userId: u.id,
        organizationId: client.organizationId,
        clientId: client.id,
        userName: `agent-${i + j}.${tag()}`,
      })),
    );
  return made.map((u) => u.id);
}

async function managedGroups(
  client: TestScimClient,
  count: number,
  members: string[] = [],
): Promise<string[]> {
  const db = t.testDb.database.db;
  const made = await db
    .insert(teams)
    .values(
      Array.from({ length: count }, (_, i) => ({
        name: `Group ${i} ${tag()}`,
        organizationId: client.organizationId,
        scimClientId: client.id,
      })),
    )
    .returning({ id: teams.id });
  for (const team of made)
    for (let i = 0; i < members.length; i += 1000)
      await db
        .insert(teamAccesses)
        .values(
          members.slice(i, i + 1000).map((userId) => ({ teamId: team.id, userId, role: 'member' as const })),
        );
  return made.map((g) => g.id);
}

describe('statements per SCIM request', () => {
  // Only the requests' statements are counted: the background job queue stops polling.
  beforeAll(async () => {
    await t.desk.jobs.stop();
  });

  it('GET /Users?filter=userName eq … sends 2: the token lookup and one list statement (rows and total)', async () => {
    const client = await warmClient();
    await provisioned(client, 20);
    const filter = encodeURIComponent('userName eq "agent-7"');
    expect(await statementsOf(() => client.call('GET', `/Users?filter=${filter}`))).toBe(2);
  });

  it('GET /Users sends as many statements for 1,000 users as for 3', async () => {
    const small = await warmClient();
    const large = await warmClient();
    await provisioned(small, 3);
    await provisioned(large, 1000);
    const few = await statementsOf(() => small.call('GET', '/Users?count=1000'));
    const many = await statementsOf(() => large.call('GET', '/Users?count=1000'));
    expect({ few, many }).toEqual({ few: 2, many: 2 });
  });

  it('GET /Groups?excludedAttributes=members sends 2 for 1 or 50 groups: team_accesses is never read', async () => {
    const one = await warmClient();
    const fifty = await warmClient();
    const people = await provisioned(fifty, 5);
    await managedGroups(one, 1, (await provisioned(one, 5)).slice(0, 5));
    await managedGroups(fifty, 50, people);
    const few = await statementsOf(() => one.call('GET', '/Groups?excludedAttributes=members'));
    const many = await statementsOf(() => fifty.call('GET', '/Groups?excludedAttributes=members&count=100'));
    expect({ few, many }).toEqual({ few: 2, many: 2 });
  });

  it('GET /Groups with members sends 3 for 1 or 50 groups: one more statement for every group’s members', async () => {
    const one = await warmClient();
    const fifty = await warmClient();
    await managedGroups(one, 1, await provisioned(one, 3));
    await managedGroups(fifty, 50, await provisioned(fifty, 3));
    const few = await statementsOf(() => one.call('GET', '/Groups'));
    const many = await statementsOf(() => fifty.call('GET', '/Groups?count=100'));
    expect({ few, many }).toEqual({ few: 3, many: 3 });
  });

  it('PATCH adding one member sends 6 statements to a 2,000-member group as to a 2-member group (token, locked group, member check, insert, change of the team, audit)', async () => {
    const small = await warmClient();
    const large = await warmClient();
    const smallPeople = await provisioned(small, 3);
    const largePeople = await provisioned(large, 2001);
    const [smallGroup] = await managedGroups(small, 1, smallPeople.slice(0, 2));
    const [largeGroup] = await managedGroups(large, 1, largePeople.slice(0, 2000));
    const add = (client: TestScimClient, groupId: string, userId: string) => () =>
      client.call('PATCH', `/Groups/${groupId}?excludedAttributes=members`, {
        schemas: [PATCH],
        Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
      });
    const few = await statementsOf(add(small, smallGroup ?? '', smallPeople[2] ?? ''));
    const many = await statementsOf(add(large, largeGroup ?? '', largePeople[2000] ?? ''));
    expect({ few, many }).toEqual({ few: 6, many: 6 });
  });

  it('PATCH renaming a user sends 5 statements (token, the locked user with its Desk fields, the Desk user, its SCIM attributes, audit)', async () => {
    const client = await warmClient();
    const [id] = await provisioned(client, 1);
    const rename = () =>
      client.call('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'displayName', value: `Renamed ${tag()}` }],
      });
    expect(await statementsOf(rename)).toBe(5);
  });
});
