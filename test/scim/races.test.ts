// SCIM under concurrency: every read-modify-write of shared state (userNames, emails, memberships, deletions, client
// revocation) is atomic, so parallel requests end as some serial order would, with 409/404 for the losers and no 500.
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, SYSTEM } from '../../src/audit/index.ts';
import { ScimClientService, scimUsers } from '../../src/scim/index.ts';
import { teamAccesses } from '../../src/teams/index.ts';
import { users } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';
import { scimClientOf, type TestScimClient } from '../support/scim.ts';

const t = useDesk();

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const tag = () => crypto.randomUUID().slice(0, 8);

function postUser(client: TestScimClient, userName: string, email = uniqueEmail('race')) {
  return client.call('POST', '/Users', {
    schemas: [USER],
    userName,
    emails: [{ value: email, primary: true }],
  });
}

async function provision(client: TestScimClient) {
  const res = await postUser(client, `agent.${tag()}`);
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
  return res.body as { id: string };
}

const patchMembers = (client: TestScimClient, groupId: string, op: 'add' | 'remove', userId: string) =>
  client.call(
    'PATCH',
    `/Groups/${groupId}`,
    op === 'add'
      ? { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] }
      : { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${userId}"]` }] },
  );

async function memberIds(teamId: string): Promise<string[]> {
  const rows = await t.testDb.database.db
    .select({ userId: teamAccesses.userId })
    .from(teamAccesses)
    .where(eq(teamAccesses.teamId, teamId));
  return rows.map((r) => r.userId).sort();
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

describe('parallel provisioning', () => {
  it('10 POSTs of one userName: one 201, nine 409 uniqueness, one Desk user', async () => {
    const client = await scimClientOf(t);
    const userName = `ann.${tag()}`;
    const emails = Array.from({ length: 10 }, () => uniqueEmail('same-name'));
    const answers = await Promise.all(emails.map((email) => postUser(client, userName, email)));
    expect(sorted(answers.map((a) => a.status))).toEqual([201, ...Array(9).fill(409)]);
    for (const a of answers.filter((a) => a.status === 409)) expect(a.body.scimType).toBe('uniqueness');
    const made = await t.testDb.database.db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.organizationId, client.organizationId));
    expect(made).toHaveLength(1);
  });

  it('10 POSTs of one email under different userNames: one 201, nine 409, one Desk user with it', async () => {
    const client = await scimClientOf(t);
    const email = uniqueEmail('same-email');
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => postUser(client, `u${i}.${tag()}`, email)),
    );
    expect(sorted(answers.map((a) => a.status))).toEqual([201, ...Array(9).fill(409)]);
    const holders = await t.testDb.database.db
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.email}) = lower(${email})`);
    expect(holders).toHaveLength(1);
  });

  it('two PATCHes renaming two users to one userName: one 200, one 409 uniqueness', async () => {
    const client = await scimClientOf(t);
    const [a, b] = [await provision(client), await provision(client)];
    const userName = `taken.${tag()}`;
    const rename = (id: string) =>
      client.call('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'userName', value: userName }],
      });
    const answers = await Promise.all([rename(a.id), rename(b.id)]);
    expect(sorted(answers.map((r) => r.status))).toEqual([200, 409]);
    expect(answers.find((r) => r.status === 409)?.body.scimType).toBe('uniqueness');
    const holders = await t.testDb.database.db
      .select({ id: scimUsers.userId })
      .from(scimUsers)
      .where(and(eq(scimUsers.organizationId, client.organizationId), eq(scimUsers.userName, userName)));
    expect(holders).toHaveLength(1);
  });
});

describe('parallel membership changes', () => {
  it('20 PATCHes each adding another member: all 20 are members', async () => {
    const client = await scimClientOf(t);
    const people = await Promise.all(Array.from({ length: 20 }, () => provision(client)));
    const team = await group(client);
    const answers = await Promise.all(people.map((p) => patchMembers(client, team.id, 'add', p.id)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(await memberIds(team.id)).toEqual(people.map((p) => p.id).sort());
    const listed = await client.call('GET', `/Groups/${team.id}`);
    expect(listed.body.members).toHaveLength(20);
  });

  it('a remove and an add of one member at once end as one of the two orders would', async () => {
    const client = await scimClientOf(t);
    const person = await provision(client);
    for (let round = 0; round < 5; round++) {
      const team = await group(client);
      const answers = await Promise.all([
        patchMembers(client, team.id, 'remove', person.id),
        patchMembers(client, team.id, 'add', person.id),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      // Starting without the member: remove-then-add leaves them in and removes nothing; add-then-remove logs a
      // removal and leaves them out. Any other end (two rows, a removal logged but a member left) is a torn write.
      const removals = await t.testDb.database.db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(and(eq(auditEvents.event, 'access.removed'), eq(auditEvents.targetId, team.id)));
      const members = await memberIds(team.id);
      expect({ members, removals: removals.length }).toEqual(
        removals.length ? { members: [], removals: 1 } : { members: [person.id], removals: 0 },
      );
    }
  });
});

describe('parallel deletion', () => {
  it('5 DELETEs of one user: one 204, four 404, no 500', async () => {
    const client = await scimClientOf(t);
    const person = await provision(client);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => client.call('DELETE', `/Users/${person.id}`)),
    );
    expect(sorted(answers.map((a) => a.status))).toEqual([204, 404, 404, 404, 404]);
    const deleted = await t.testDb.database.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(and(eq(auditEvents.event, 'scim.user_deleted'), eq(auditEvents.targetId, person.id)));
    expect(deleted).toHaveLength(1);
  });

  it('5 DELETEs of one group: one 204, four 404', async () => {
    const client = await scimClientOf(t);
    const team = await group(client, [(await provision(client)).id]);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => client.call('DELETE', `/Groups/${team.id}`)),
    );
    expect(sorted(answers.map((a) => a.status))).toEqual([204, 404, 404, 404, 404]);
  });
});

describe('revocation during traffic', () => {
  it('once the revoke returns, every request with the token is 401; none failed with a 500 meanwhile', async () => {
    const client = await scimClientOf(t);
    let revoked = false;
    const during: number[] = [];
    const traffic = (async () => {
      while (!revoked) during.push((await client.call('GET', '/Users?count=1')).status);
    })();
    const parallel = Promise.all(Array.from({ length: 10 }, () => client.call('GET', '/Groups')));
    await new ScimClientService(t.desk.database).revoke(client.organizationId, client.id, { actor: SYSTEM });
    revoked = true;
    const after = await Promise.all(Array.from({ length: 10 }, () => client.call('GET', '/Users')));
    await traffic;
    const raced = (await parallel).map((a) => a.status);
    expect(after.map((a) => a.status)).toEqual(Array(10).fill(401));
    expect([...during, ...raced].every((s) => s === 200 || s === 401)).toBe(true);
  });
});
