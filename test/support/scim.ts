// SCIM in tests (DESIGN.md §9): a client as an identity provider holds it (its token, calls to /scim/v2/), and factories
// of what a directory leaves in the database, written directly so tests of Desk's own rules need not go through SCIM.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { SYSTEM } from '../../src/audit/index.ts';
import { organizationDomains, organizations } from '../../src/organizations/schema.ts';
import type { Db } from '../../src/platform/database.ts';
import { ScimClientService } from '../../src/scim/index.ts';
import { type ScimClient, scimClients, scimUsers } from '../../src/scim/schema.ts';
import { type Team, teamAccesses, teams } from '../../src/teams/schema.ts';
import { type User, users } from '../../src/users/schema.ts';
import type { TestDesk } from './desk.ts';

/** An organization, with the mail domains given (each unique: pass fresh ones). */
export async function organizationRow(
  db: Db,
  {
    name = `Organisation ${randomUUID().slice(0, 8)}`,
    domains = [],
  }: { name?: string; domains?: string[] } = {},
): Promise<string> {
  const [row] = await db.insert(organizations).values({ name }).returning({ id: organizations.id });
  if (!row) throw new Error('insert returned no organization');
  for (const domain of domains)
    await db.insert(organizationDomains).values({ domain, organizationId: row.id });
  return row.id;
}

/** A SCIM client of the organization, with the digest of a random token (the token itself is not kept). */
export async function scimClientRow(db: Db, organizationId: string, name: string): Promise<ScimClient> {
  const tokenHash = createHash('sha256').update(randomBytes(32)).digest('hex');
  const [client] = await db.insert(scimClients).values({ organizationId, name, tokenHash }).returning();
  if (!client) throw new Error('insert returned no SCIM client');
  return client;
}

/** A user the organization's directory provisioned and who never signed in (no sub); `active: false` as SCIM sets it. */
export async function provisionedUser(
  db: Db,
  options: { organizationId: string; email: string; userName?: string; clientId?: string; active?: boolean },
): Promise<User> {
  const { organizationId, email } = options;
  const clientId = options.clientId ?? (await scimClientRow(db, organizationId, 'Entra ID')).id;
  const [user] = await db
    .insert(users)
    .values({ sub: null, email, name: 'Agent Provisionné', organizationId, isActive: options.active ?? true })
    .returning();
  if (!user) throw new Error('insert returned no user');
  await db.insert(scimUsers).values({
    userId: user.id,
    organizationId,
    clientId,
    userName: options.userName ?? email,
    emails: [{ value: email, type: 'work', primary: true }],
  });
  return user;
}

/** A team the client manages as a group, its members all with the role member. */
export async function managedTeam(
  db: Db,
  {
    organizationId,
    clientId,
    members,
    name = `Groupe ${randomUUID().slice(0, 8)}`,
  }: { organizationId: string; clientId: string; members: string[]; name?: string },
): Promise<Team> {
  const [team] = await db
    .insert(teams)
    .values({ name, organizationId, scimClientId: clientId, scimExternalId: randomUUID() })
    .returning();
  if (!team) throw new Error('insert returned no team');
  if (members.length)
    await db
      .insert(teamAccesses)
      .values(members.map((userId) => ({ teamId: team.id, userId, role: 'member' as const })));
  return team;
}

/** Hands an existing team to the client: from now on the directory decides its members. */
export async function manageTeam(db: Db, teamId: string, clientId: string): Promise<void> {
  await db.update(teams).set({ scimClientId: clientId }).where(eq(teams.id, teamId));
}

export interface ScimAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: SCIM documents are read field by field in tests
  body: any;
}

export interface TestScimClient {
  id: string;
  organizationId: string;
  token: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimAnswer>;
}

/** A new SCIM client of the organization (a new organization when none is given). */
export async function scimClientOf(
  t: TestDesk,
  organizationId?: string,
  name = 'Entra ID',
): Promise<TestScimClient> {
  const organization = organizationId ?? (await t.createOrganization());
  const created = await new ScimClientService(t.desk.database).create(organization, name, { actor: SYSTEM });
  return {
    id: created.id,
    organizationId: organization,
    token: created.token,
    call: (method, path, body, headers = {}) => scimCall(t.url, created.token, method, path, body, headers),
  };
}

export async function scimCall(
  url: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ScimAnswer> {
  const res = await fetch(`${url}/scim/v2${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** A PatchOp message (RFC 7644 §3.5.2) of these operations, sent to `path`. */
export function scimPatch(
  client: TestScimClient,
  path: string,
  ...Operations: unknown[]
): Promise<ScimAnswer> {
  return client.call('PATCH', path, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations,
  });
}

/** The Desk user behind a SCIM id, as the database has it now. */
export async function deskUserOf(t: TestDesk, id: string): Promise<User> {
  const [user] = await t.desk.database.db.select().from(users).where(eq(users.id, id));
  if (!user) throw new Error(`no Desk user ${id}`);
  return user;
}

/** The names of the teams a user sees in Desk's own API. */
export async function teamNamesOf(t: TestDesk, user: User): Promise<string[]> {
  const res = await (await t.browserFor(user)).get('/api/v1.0/teams/');
  if (res.status !== 200) throw new Error(`GET /api/v1.0/teams/ answered ${res.status}`);
  return (res.json as { name: string }[]).map((team) => team.name);
}
