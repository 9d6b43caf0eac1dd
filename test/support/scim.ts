// Factories of what a SCIM directory leaves in the database (DESIGN.md §9): clients, provisioned users, managed teams.
// Rows are written directly, so tests of Desk's own rules need not go through the SCIM routes.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { organizationDomains, organizations } from '../../src/organizations/schema.ts';
import type { Db } from '../../src/platform/database.ts';
import { type ScimClient, scimClients, scimUsers } from '../../src/scim/schema.ts';
import { type Team, teamAccesses, teams } from '../../src/teams/schema.ts';
import { type User, users } from '../../src/users/schema.ts';

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
