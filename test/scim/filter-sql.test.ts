// SCIM filters compiled to SQL, run against a real database: which provisioned users and groups each filter finds.
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizations } from '../../src/organizations/schema.ts';
import { rowsOf } from '../../src/platform/database.ts';
import { InvalidFilter } from '../../src/scim/errors.ts';
import { parseFilter } from '../../src/scim/filter.ts';
import { groupFilterSql, userFilterSql } from '../../src/scim/filter-sql.ts';
import { type ScimEmail, scimClients, scimUsers } from '../../src/scim/schema.ts';
import { teamAccesses, teams } from '../../src/teams/schema.ts';
import { users } from '../../src/users/schema.ts';
import { DATABASE_URL, type TestDatabase, testDatabase, uniqueEmail } from '../support/parts.ts';

let testDb: TestDatabase;
let organizationId: string;
let otherOrganizationId: string;
const userIds = new Map<string, string>();
const teamIds = new Map<string, string>();

async function organization(): Promise<{ organizationId: string; clientId: string }> {
  const { db } = testDb.database;
  const [org] = await db
    .insert(organizations)
    .values({ name: `Org ${randomUUID()}` })
    .returning({ id: organizations.id });
  const organizationId = org?.id as string;
  const [client] = await db
    .insert(scimClients)
    .values({ organizationId, name: 'Entra ID', tokenHash: randomBytes(32).toString('hex') })
    .returning({ id: scimClients.id });
  return { organizationId, clientId: client?.id as string };
}

interface Provisioned {
  userName: string;
  externalId?: string | null;
  displayName?: string | null;
  givenName?: string | null;
  formatted?: string | null;
  emails?: ScimEmail[];
  active?: boolean;
  createdAt?: Date;
}

async function provision(
  org: { organizationId: string; clientId: string },
  values: Provisioned,
): Promise<string> {
  const { db } = testDb.database;
  const [user] = await db
    .insert(users)
    .values({ email: uniqueEmail(), isActive: values.active ?? true, organizationId: org.organizationId })
    .returning({ id: users.id });
  const userId = user?.id as string;
  await db.insert(scimUsers).values({
    userId,
    organizationId: org.organizationId,
    clientId: org.clientId,
    userName: values.userName,
    externalId: values.externalId ?? null,
    displayName: values.displayName ?? null,
    givenName: values.givenName ?? null,
    formatted: values.formatted ?? null,
    emails: values.emails ?? [],
    ...(values.createdAt ? { createdAt: values.createdAt, updatedAt: values.createdAt } : {}),
  });
  return userId;
}

async function group(
  org: { organizationId: string; clientId: string },
  name: string,
  externalId: string,
  members: string[],
): Promise<string> {
  const { db } = testDb.database;
  const [team] = await db
    .insert(teams)
    .values({
      name,
      organizationId: org.organizationId,
      scimClientId: org.clientId,
      scimExternalId: externalId,
    })
    .returning({ id: teams.id });
  const teamId = team?.id as string;
  for (const userId of members) await db.insert(teamAccesses).values({ teamId, userId });
  return teamId;
}

function labelOf(ids: Map<string, string>, id: string): string {
  for (const [label, known] of ids) if (known === id) return label;
  return `unknown ${id}`;
}

async function usersMatching(filter: string): Promise<string[]> {
  const rows = await testDb.database.db
    .select({ id: users.id })
    .from(scimUsers)
    .innerJoin(users, eq(users.id, scimUsers.userId))
    .where(and(eq(scimUsers.organizationId, organizationId), userFilterSql(parseFilter(filter))));
  return rows.map((row) => labelOf(userIds, row.id)).sort();
}

async function groupsMatching(filter: string): Promise<string[]> {
  const rows = await testDb.database.db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.organizationId, organizationId), groupFilterSql(parseFilter(filter))));
  return rows.map((row) => labelOf(teamIds, row.id)).sort();
}

const ALICE_EMAILS: ScimEmail[] = [
  { value: 'alice@work.fr', type: 'work', primary: true },
  { value: 'alice@home.fr', type: 'home' },
];

beforeAll(async () => {
  testDb = await testDatabase();
  const org = await organization();
  const other = await organization();
  organizationId = org.organizationId;
  otherOrganizationId = other.organizationId;
  userIds.set(
    'alice',
    await provision(org, {
      userName: 'Alice@Example.com',
      externalId: 'ext-1',
      displayName: 'Alice Martin',
      givenName: 'Alice',
      emails: ALICE_EMAILS,
      createdAt: new Date('2024-01-01T00:00:00Z'),
    }),
  );
  userIds.set(
    'bob',
    await provision(org, {
      userName: 'bob@example.com',
      externalId: 'EXT-2',
      givenName: 'Bob',
      active: false,
      emails: [{ value: 'bob@home.fr', type: 'home' }],
      createdAt: new Date('2024-06-01T00:00:00Z'),
    }),
  );
  userIds.set(
    'carol',
    await provision(org, {
      userName: 'carol_100%@example.com',
      externalId: '1234',
      displayName: "'; drop table users; --",
      formatted: 'a\\b',
      createdAt: new Date('2025-01-01T00:00:00Z'),
    }),
  );
  userIds.set(
    'dave',
    await provision(org, {
      userName: 'dave@example.com',
      displayName: 'Dave',
      emails: [{ value: 'dave@work.fr', type: 'work' }],
      createdAt: new Date('2025-06-01T00:00:00Z'),
    }),
  );
  // Another organization's user with the same userName: the caller's organization condition leaves it out.
  userIds.set(
    'alice elsewhere',
    await provision(other, { userName: 'alice@example.com', displayName: 'Alice Martin' }),
  );

  const alice = userIds.get('alice') as string;
  teamIds.set('engineering', await group(org, 'Engineering', 'g-1', [alice, userIds.get('bob') as string]));
  teamIds.set('sales', await group(org, 'Sales', 'g-2', [userIds.get('dave') as string]));
  teamIds.set('engineering-ops', await group(org, 'engineering-ops', 'g-3', []));
  teamIds.set(
    'elsewhere',
    await group(other, 'Engineering', 'g-1', [userIds.get('alice elsewhere') as string]),
  );
});

afterAll(async () => {
  await testDb?.drop();
});

describe('Users: userName and other strings', () => {
  it('finds a user by userName whatever its case', async () => {
    expect(await usersMatching('userName eq "alice@example.com"')).toEqual(['alice']);
    expect(await usersMatching('userName eq "ALICE@EXAMPLE.COM"')).toEqual(['alice']);
  });

  it('finds a user by an unquoted userName as Entra ID sends it', async () => {
    expect(await usersMatching('userName eq alice@example.com')).toEqual(['alice']);
  });

  it('reads attribute names and operators in any case, with or without the core schema', async () => {
    expect(await usersMatching('USERNAME EQ "alice@example.com"')).toEqual(['alice']);
    expect(
      await usersMatching('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "alice@example.com"'),
    ).toEqual(['alice']);
  });

  it('compares externalId case-exactly', async () => {
    expect(await usersMatching('externalId eq "EXT-2"')).toEqual(['bob']);
    expect(await usersMatching('externalId eq "ext-2"')).toEqual([]);
  });

  it('compares an unquoted number with a string attribute as text', async () => {
    expect(await usersMatching('externalId eq 1234')).toEqual(['carol']);
  });

  it('finds users by contains, starts with and ends with, ignoring case', async () => {
    expect(await usersMatching('displayName co "MARTIN"')).toEqual(['alice']);
    expect(await usersMatching('displayName sw "ali"')).toEqual(['alice']);
    expect(await usersMatching('displayName ew "ave"')).toEqual(['dave']);
    expect(await usersMatching('userName sw "b"')).toEqual(['bob']);
  });

  it('finds users by name sub-attributes', async () => {
    expect(await usersMatching('name.givenName eq "bob"')).toEqual(['bob']);
    expect(await usersMatching('name[givenName eq "Alice"]')).toEqual(['alice']);
    expect(await usersMatching('name.formatted pr')).toEqual(['carol']);
  });

  it('orders strings lexicographically', async () => {
    expect(await usersMatching('userName gt "c"')).toEqual(['carol', 'dave']);
    expect(await usersMatching('userName lt "B"')).toEqual(['alice']);
    expect(await usersMatching('userName le "bob@example.com"')).toEqual(['alice', 'bob']);
  });
});

describe('Users: missing values', () => {
  it('finds users with a non-empty value with pr', async () => {
    expect(await usersMatching('displayName pr')).toEqual(['alice', 'carol', 'dave']);
  });

  it('finds users without the value with eq null', async () => {
    expect(await usersMatching('displayName eq null')).toEqual(['bob']);
    expect(await usersMatching('displayName ne null')).toEqual(['alice', 'carol', 'dave']);
  });

  it('counts a missing value as not equal', async () => {
    expect(await usersMatching('displayName ne "Dave"')).toEqual(['alice', 'bob', 'carol']);
  });

  it('negates a condition on a missing value to true', async () => {
    expect(await usersMatching('not (displayName eq "Dave")')).toEqual(['alice', 'bob', 'carol']);
    expect(await usersMatching('not (displayName co "i")')).toEqual(['bob', 'carol', 'dave']);
  });
});

describe('Users: active, id and dates', () => {
  it('finds users by active, written as a boolean or as a string', async () => {
    expect(await usersMatching('active eq true')).toEqual(['alice', 'carol', 'dave']);
    expect(await usersMatching('active eq false')).toEqual(['bob']);
    expect(await usersMatching('active eq "False"')).toEqual(['bob']);
    expect(await usersMatching('active ne "True"')).toEqual(['bob']);
  });

  it('finds a user by id', async () => {
    expect(await usersMatching(`id eq "${userIds.get('dave')}"`)).toEqual(['dave']);
    expect(await usersMatching(`id eq "${userIds.get('dave')?.toUpperCase()}"`)).toEqual(['dave']);
  });

  it('finds no user by an id that is not a uuid', async () => {
    expect(await usersMatching('id eq "not-a-uuid"')).toEqual([]);
    expect(await usersMatching('id ne "not-a-uuid"')).toEqual(['alice', 'bob', 'carol', 'dave']);
  });

  it('finds users by creation date', async () => {
    expect(await usersMatching('meta.created gt "2024-03-01T00:00:00Z"')).toEqual(['bob', 'carol', 'dave']);
    expect(await usersMatching('meta.created ge "2025-01-01T00:00:00Z"')).toEqual(['carol', 'dave']);
    expect(await usersMatching('meta.created lt "2024-06-01T00:00:00+00:00"')).toEqual(['alice']);
    expect(await usersMatching('meta.created le "2024-06-01T02:00:00+02:00"')).toEqual(['alice', 'bob']);
    expect(await usersMatching('meta.created eq "2024-06-01T00:00:00.000Z"')).toEqual(['bob']);
    expect(await usersMatching('meta.lastModified gt 2025-01-01')).toEqual(['dave']);
  });
});

describe('Users: emails', () => {
  it('finds users by any of their email values', async () => {
    expect(await usersMatching('emails co "work.fr"')).toEqual(['alice', 'dave']);
    expect(await usersMatching('emails.value eq "BOB@home.fr"')).toEqual(['bob']);
    expect(await usersMatching('emails eq "alice@home.fr"')).toEqual(['alice']);
  });

  it('applies every condition of a value filter to the same email', async () => {
    expect(await usersMatching('emails[type eq "work" and value co "alice"]')).toEqual(['alice']);
    // Alice has a work email and a home email, but no work email at home.fr.
    expect(await usersMatching('emails[type eq "work" and value co "home"]')).toEqual([]);
    expect(await usersMatching('emails[type eq "work"].value co "home"')).toEqual([]);
    expect(await usersMatching('emails[type eq "work"].value co "alice"')).toEqual(['alice']);
  });

  it('finds users by a typed email without sharing an element otherwise', async () => {
    expect(await usersMatching('emails.type eq "work" and emails.value co "home"')).toEqual(['alice']);
  });

  it('finds users by their primary email', async () => {
    expect(await usersMatching('emails[primary eq true]')).toEqual(['alice']);
    expect(await usersMatching('emails.primary eq "True"')).toEqual(['alice']);
  });

  it('finds users with emails with pr, and without with not', async () => {
    expect(await usersMatching('emails pr')).toEqual(['alice', 'bob', 'dave']);
    expect(await usersMatching('not (emails pr)')).toEqual(['carol']);
    expect(await usersMatching('emails eq null')).toEqual(['carol']);
  });
});

describe('Users: logic', () => {
  it('binds and tighter than or', async () => {
    const alice = 'userName eq "alice@example.com"';
    const bob = 'userName eq "bob@example.com"';
    expect(await usersMatching(`${alice} or ${bob} and active eq true`)).toEqual(['alice']);
    expect(await usersMatching(`${bob} and active eq false or ${alice}`)).toEqual(['alice', 'bob']);
    expect(await usersMatching(`(${alice} or ${bob}) and active eq true`)).toEqual(['alice']);
  });

  it('negates with not', async () => {
    expect(await usersMatching('not (userName sw "a" or userName sw "b")')).toEqual(['carol', 'dave']);
    expect(await usersMatching('not (not (active eq false))')).toEqual(['bob']);
  });
});

describe('Users: values are literal', () => {
  it('matches SQL text in a value literally', async () => {
    expect(await usersMatching(`displayName eq "'; drop table users; --"`)).toEqual(['carol']);
    const [row] = rowsOf<{ count: number | string }>(
      await testDb.database.db.execute(sql`select count(*) as count from users`),
    );
    expect(Number(row?.count)).toBe(5);
  });

  it('matches %, _ and \\ in contains literally', async () => {
    expect(await usersMatching('userName co "%"')).toEqual(['carol']);
    expect(await usersMatching('userName co "_"')).toEqual(['carol']);
    expect(await usersMatching('userName co "l_1"')).toEqual(['carol']);
    expect(await usersMatching('userName sw "c%"')).toEqual([]);
    expect(await usersMatching('name.formatted co "\\\\"')).toEqual(['carol']);
    expect(await usersMatching('name.formatted eq "a\\\\b"')).toEqual(['carol']);
  });
});

describe('Users: refused filters', () => {
  function refusal(filter: string): string {
    try {
      userFilterSql(parseFilter(filter));
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidFilter);
      return (error as Error).message;
    }
    throw new Error(`"${filter}" was accepted`);
  }

  it('refuses an unknown attribute, naming it', () => {
    expect(refusal('title eq "x"')).toContain('"title"');
    expect(refusal('name.middleName eq "x"')).toContain('"name.middleName"');
    expect(refusal('emails[kind eq "x"]')).toContain('"emails.kind"');
  });

  it('refuses an extension attribute Desk does not keep', () => {
    expect(
      refusal('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"'),
    ).toContain('employeeNumber');
  });

  it('refuses the Group schema on a user attribute', () => {
    expect(refusal('urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"')).toContain(
      'displayName',
    );
  });

  it('refuses ordering and contains on booleans', () => {
    expect(refusal('active gt true')).toContain('"gt" on a boolean');
    expect(refusal('active co "t"')).toContain('"co" on a boolean');
    expect(refusal('active eq "yes"')).toContain('is not a boolean');
  });

  it('refuses a date that is not one', () => {
    expect(refusal('meta.created gt "yesterday"')).toContain('is not a date');
    expect(refusal('meta.created gt "2024-02-30"')).toContain('is not a date');
    expect(refusal('meta.created gt "2024-01-01T25:00:00Z"')).toContain('is not a date');
    expect(refusal('meta.created gt 12')).toContain('is not a date');
    expect(refusal('meta.created co "2024"')).toContain('"co" on a date');
  });

  it('refuses null with an operator other than eq and ne', () => {
    expect(refusal('displayName co null')).toContain('with null');
  });

  it('refuses a value filter on a single value', () => {
    expect(refusal('userName[value eq "x"]')).toContain('a value filter');
    expect(refusal('name[middleName eq "x"]')).toContain('"name.middleName"');
  });
});

describe('Groups', () => {
  it('finds a group by displayName whatever its case', async () => {
    expect(await groupsMatching('displayName eq "engineering"')).toEqual(['engineering']);
    expect(await groupsMatching('displayName sw "ENG"')).toEqual(['engineering', 'engineering-ops']);
  });

  it('finds a group by externalId case-exactly', async () => {
    expect(await groupsMatching('externalId eq "g-1"')).toEqual(['engineering']);
    expect(await groupsMatching('externalId eq "G-1"')).toEqual([]);
  });

  it('finds a group by id', async () => {
    expect(await groupsMatching(`id eq "${teamIds.get('sales')}"`)).toEqual(['sales']);
  });

  it('finds the groups a user is a member of', async () => {
    expect(await groupsMatching(`members[value eq "${userIds.get('alice')}"]`)).toEqual(['engineering']);
    expect(await groupsMatching(`members.value eq "${userIds.get('dave')}"`)).toEqual(['sales']);
    expect(await groupsMatching(`members eq "${userIds.get('bob')}"`)).toEqual(['engineering']);
  });

  it('finds no group by a member that is not a uuid', async () => {
    expect(await groupsMatching('members[value eq "not-a-uuid"]')).toEqual([]);
  });

  it('finds groups with and without members', async () => {
    expect(await groupsMatching('members pr')).toEqual(['engineering', 'sales']);
    expect(await groupsMatching('not (members pr)')).toEqual(['engineering-ops']);
  });

  it('finds groups by creation date', async () => {
    expect(await groupsMatching('meta.created gt "2000-01-01T00:00:00Z"')).toEqual([
      'engineering',
      'engineering-ops',
      'sales',
    ]);
  });

  it('refuses a user attribute', () => {
    expect(() => groupFilterSql(parseFilter('userName eq "x"'))).toThrow(InvalidFilter);
  });
});

describe.runIf(DATABASE_URL)('PostgreSQL plans', () => {
  it('finds a user by userName in an organization with the unique index', async () => {
    const org = await organization();
    const { db } = testDb.database;
    const many = Array.from({ length: 2000 }, (_, i) => i);
    const inserted = await db
      .insert(users)
      .values(many.map(() => ({ email: uniqueEmail(), organizationId: org.organizationId })))
      .returning({ id: users.id });
    await db.insert(scimUsers).values(
      inserted.map((user, i) => ({
        userId: user.id,
        organizationId: org.organizationId,
        clientId: org.clientId,
        userName: `user${i}@example.com`,
      })),
    );
    await db.execute(sql`analyze scim_users`);
    await db.execute(sql`analyze users`);
    const query: SQL = db
      .select({ id: users.id })
      .from(scimUsers)
      .innerJoin(users, eq(users.id, scimUsers.userId))
      .where(
        and(
          eq(scimUsers.organizationId, org.organizationId),
          userFilterSql(parseFilter('userName eq "USER42@example.com"')),
        ),
      )
      .getSQL();
    const plan = rowsOf<{ 'QUERY PLAN': string }>(await db.execute(sql`explain ${query}`))
      .map((row) => row['QUERY PLAN'])
      .join('\n');
    expect(plan).toContain('scim_users_organization_user_name_key');
    expect(otherOrganizationId).not.toBe(org.organizationId);
  });
});
