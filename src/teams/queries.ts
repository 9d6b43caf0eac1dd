// All SQL on teams and team accesses. Lists return, in the same query, what abilities are computed from.
import { and, asc, desc, eq, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { type Db, escapeLike } from '../platform/database.ts';
import { preparedPerDatabase } from '../platform/prepared-queries.ts';
import { users } from '../users/index.ts';
import type { ManagedBy } from './abilities.ts';
import { type Role, type Team, type TeamAccess, teamAccesses, teams } from './schema.ts';

export type TeamOrdering = 'name' | '-name' | 'created_at' | '-created_at';
export type AccessOrdering = 'role' | '-role' | 'user__name' | '-user__name' | 'user__email' | '-user__email';

export interface TeamWithRole {
  team: Team;
  role: Role;
  /** The team's access ids, as people's `accesses` (its front end counts members with them). */
  accessIds: string[];
  /** The SCIM client that decides the team's members (DESIGN.md §9), or null. */
  managedBy: ManagedBy | null;
}

/** The access ids of the team read by the same query, oldest first: one subquery, never a query per team. */
export const accessIdsOf = sql<
  string[]
>`(select coalesce(json_agg(ta.id order by ta.created_at, ta.id), '[]'::json) from team_accesses ta where ta.team_id = ${teams.id})`;

/**
 * The SCIM client managing the team read by the same query, as {id, name}: one subquery by primary key. A revoked
 * client manages no more (its token no longer works, so nothing would ever change the members again).
 */
export const managedByOf = sql<ManagedBy | null>`(select json_build_object('id', c.id, 'name', c.name) from scim_clients c where c.id = ${teams.scimClientId} and c.revoked_at is null)`;

/**
 * The team's managing client, read with the team row locked (FOR SHARE) until the transaction ends: a membership
 * change checks it in its own transaction, and a team that becomes managed meanwhile waits for it or is seen.
 * undefined when the team is gone.
 */
export async function lockManagedBy(tx: Db, teamId: string): Promise<ManagedBy | null | undefined> {
  const [row] = await tx
    .select({ managedBy: managedByOf })
    .from(teams)
    .where(eq(teams.id, teamId))
    .for('share');
  return row ? row.managedBy : undefined;
}

export async function roleIn(db: Db, teamId: string, userId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: teamAccesses.role })
    .from(teamAccesses)
    .where(and(eq(teamAccesses.teamId, teamId), eq(teamAccesses.userId, userId)))
    .limit(1);
  return row?.role ?? null;
}

// GET /api/v1.0/teams/: built once per ordering (sql/teams.sql).
const myTeamsOrdered = preparedPerDatabase((db: Db, ordering: TeamOrdering) => {
  const column = ordering.endsWith('name') ? teams.name : teams.createdAt;
  const direction = ordering.startsWith('-') ? desc : asc;
  return db
    .select({ team: teams, role: teamAccesses.role, accessIds: accessIdsOf, managedBy: managedByOf })
    .from(teamAccesses)
    .innerJoin(teams, eq(teams.id, teamAccesses.teamId))
    .where(eq(teamAccesses.userId, sql.placeholder('userId')))
    .orderBy(direction(column), asc(teams.id))
    .prepare(`teams_mine_${ordering}`);
});

export async function myTeams(db: Db, userId: string, ordering: TeamOrdering): Promise<TeamWithRole[]> {
  return myTeamsOrdered(db, ordering).execute({ userId });
}

// Every route under /api/v1.0/teams/{id}/ first reads the team as its member sees it: built once (sql/teams.sql).
const teamWithRole = preparedPerDatabase((db) =>
  db
    .select({ team: teams, role: teamAccesses.role, accessIds: accessIdsOf, managedBy: managedByOf })
    .from(teamAccesses)
    .innerJoin(teams, eq(teams.id, teamAccesses.teamId))
    .where(
      and(
        eq(teamAccesses.teamId, sql.placeholder('teamId')),
        eq(teamAccesses.userId, sql.placeholder('userId')),
      ),
    )
    .limit(1)
    .prepare('teams_of_user'),
);

export async function teamOf(db: Db, teamId: string, userId: string): Promise<TeamWithRole | undefined> {
  const [row] = await teamWithRole(db).execute({ teamId, userId });
  return row;
}

/** A new team whose creator is its owner. */
export async function insertTeam(
  tx: Db,
  name: string,
  owner: { id: string; organizationId: string | null },
): Promise<TeamWithRole> {
  const ownerId = owner.id;
  // DESIGN.md §7: a team belongs to its creator's organization.
  const [team] = await tx.insert(teams).values({ name, organizationId: owner.organizationId }).returning();
  if (!team) throw new Error('insert returned no team');
  const [access] = await tx
    .insert(teamAccesses)
    .values({ teamId: team.id, userId: ownerId, role: 'owner' })
    .returning({ id: teamAccesses.id });
  return { team, role: 'owner', accessIds: access ? [access.id] : [], managedBy: null };
}

export async function renameTeam(db: Db, teamId: string, name: string): Promise<Team> {
  const [team] = await db
    .update(teams)
    .set({ name, updatedAt: new Date() })
    .where(eq(teams.id, teamId))
    .returning();
  if (!team) throw new Error(`team ${teamId} vanished during update`);
  return team;
}

export async function deleteTeam(db: Db, teamId: string): Promise<void> {
  await db.delete(teams).where(eq(teams.id, teamId));
}

export interface AccessRow {
  id: string;
  role: Role;
  userId: string;
  userName: string;
  userEmail: string | null;
  ownerCount: number;
  total: number;
}

const ownerCount = (teamId: string | Placeholder) =>
  sql<number>`(select count(*)::int from ${teamAccesses} o where o.team_id = ${teamId} and o.role = 'owner')`;

const roleRank = sql`case ${teamAccesses.role} when 'owner' then 3 when 'administrator' then 2 else 1 end`;

/** The statement of a page of accesses for one ordering, with or without a text filter: the variants it is prepared in. */
type AccessListing = `${AccessOrdering}${'' | '+q'}`;

// A page of members, at each visit of a team: built once per ordering and filter (sql/teams.sql).
const accessPage = preparedPerDatabase((db: Db, listing: AccessListing) => {
  const ordering = listing.replace(/\+q$/, '');
  const conditions: SQL[] = [eq(teamAccesses.teamId, sql.placeholder('teamId'))];
  if (listing.endsWith('+q')) {
    const pattern = sql.placeholder('pattern');
    conditions.push(
      sql`(desk_unaccent(lower(${users.name})) like desk_unaccent(lower(${pattern})) or lower(${users.email}) like lower(${pattern}))`,
    );
  }
  const key = ordering.replace(/^-/, '');
  const column =
    key === 'role' ? roleRank : key === 'user__name' ? sql`lower(${users.name})` : sql`lower(${users.email})`;
  const direction = ordering.startsWith('-') ? sql`desc` : sql`asc`;
  return db
    .select({
      id: teamAccesses.id,
      role: teamAccesses.role,
      userId: users.id,
      userName: users.name,
      userEmail: users.email,
      ownerCount: ownerCount(sql.placeholder('teamId')),
      total: sql<number>`count(*) over ()::int`,
    })
    .from(teamAccesses)
    .innerJoin(users, eq(users.id, teamAccesses.userId))
    .where(and(...conditions))
    .orderBy(sql`${column} ${direction}`, asc(teamAccesses.id))
    .limit(sql.placeholder('limit'))
    .offset(sql.placeholder('offset'))
    .prepare(`team_accesses_page_${listing}`);
});

/** One query for the page: the rows, the owner count and the total, whatever the team's size. */
export async function listAccesses(
  db: Db,
  teamId: string,
  options: { q?: string; ordering: AccessOrdering; limit: number; offset: number },
): Promise<AccessRow[]> {
  const { q, ordering, limit, offset } = options;
  if (!q) return accessPage(db, ordering).execute({ teamId, limit, offset });
  const pattern = `%${escapeLike(q)}%`;
  return accessPage(db, `${ordering}+q`).execute({ teamId, pattern, limit, offset });
}

export async function accessRow(db: Db, teamId: string, accessId: string): Promise<AccessRow | undefined> {
  const [row] = await db
    .select({
      id: teamAccesses.id,
      role: teamAccesses.role,
      userId: users.id,
      userName: users.name,
      userEmail: users.email,
      ownerCount: ownerCount(teamId),
      total: sql<number>`1`,
    })
    .from(teamAccesses)
    .innerJoin(users, eq(users.id, teamAccesses.userId))
    .where(and(eq(teamAccesses.teamId, teamId), eq(teamAccesses.id, accessId)))
    .limit(1);
  return row;
}

/** Locks the team's owner rows so two owners stepping down at once cannot leave the team ownerless. */
export async function lockOwners(tx: Db, teamId: string): Promise<number> {
  const rows = await tx
    .select({ id: teamAccesses.id })
    .from(teamAccesses)
    .where(and(eq(teamAccesses.teamId, teamId), eq(teamAccesses.role, 'owner')))
    .for('update');
  return rows.length;
}

export async function insertAccess(
  tx: Db,
  teamId: string,
  userId: string,
  role: Role,
): Promise<TeamAccess | undefined> {
  const [access] = await tx
    .insert(teamAccesses)
    .values({ teamId, userId, role })
    .onConflictDoNothing({ target: [teamAccesses.teamId, teamAccesses.userId] })
    .returning();
  return access;
}

export async function setAccessRole(tx: Db, accessId: string, role: Role): Promise<void> {
  await tx.update(teamAccesses).set({ role, updatedAt: new Date() }).where(eq(teamAccesses.id, accessId));
}

export async function deleteAccess(tx: Db, accessId: string): Promise<void> {
  await tx.delete(teamAccesses).where(eq(teamAccesses.id, accessId));
}
