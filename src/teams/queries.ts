// All SQL on teams and team accesses. Lists return, in the same query, what abilities are computed from.
import { and, asc, desc, eq, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { type Db, escapeLike, rowsOf } from '../platform/database.ts';
import { preparedPerDatabase } from '../platform/prepared-queries.ts';
import { users } from '../users/index.ts';
import type { ManagedBy } from './abilities.ts';
import { type Role, type Team, type TeamAccess, teamAccesses, teams } from './schema.ts';

export type TeamOrdering = 'name' | '-name' | 'created_at' | '-created_at';
export type AccessOrdering = 'role' | '-role' | 'user__name' | '-user__name' | 'user__email' | '-user__email';

export interface TeamWithRole {
  team: Team;
  /** The requester's role; `member` for a team seen as the ancestor of one of theirs (read only). */
  role: Role;
  /** The team's access ids, as people's `accesses` (its front end counts members with them). */
  accessIds: string[];
  /** The SCIM client that decides the team's members (DESIGN.md §9), or null. */
  managedBy: ManagedBy | null;
  /** How many teams have this one as their parent (people's `numchild`). */
  numchild: number;
  /** Seen only as the ancestor of a team the requester is in (DESIGN.md §12): not a member of it. */
  viaSubTeam: boolean;
}

/** people's treebeard steps: 5 characters a level, in a path of at most 255 (so 51 levels). */
export const PATH_STEP = 5;
export const MAX_DEPTH = 51;

/** The level of a team in its tree, 1 for a root (people's `depth`). */
export function depthOf(team: Pick<Team, 'path'>): number {
  return team.path.length / PATH_STEP;
}

/** The access ids of the team read by the same query, oldest first: one subquery, never a query per team. */
export const accessIdsOf = sql<
  string[]
>`(select coalesce(json_agg(ta.id order by ta.created_at, ta.id), '[]'::json) from team_accesses ta where ta.team_id = ${teams.id})`;

/** How many teams have the team read by the same query as their parent: one count on the parent index. */
export const numchildOf = sql<number>`(select count(*)::int from teams c where c.parent_id = ${teams.id})`;

/**
 * DESIGN.md §12: the ids of the true ancestors of the teams a user is in, in the user's organization: the prefixes of
 * each of their teams' paths, each one lookup on the path index (a team at depth d has d - 1 ancestors), never a
 * prefix test that would also match the ancestors' other children.
 */
const ancestorIds = (userId: string | Placeholder, organizationId: string | null | Placeholder) => sql`
  select a.id from team_accesses m
  join teams mt on mt.id = m.team_id
  cross join lateral generate_series(1, length(mt.path) / ${sql.raw(String(PATH_STEP))} - 1) as step(n)
  join teams a on a.path = substr(mt.path, 1, ${sql.raw(String(PATH_STEP))} * step.n)
  where m.user_id = ${userId} and a.organization_id is not distinct from ${organizationId}::uuid`;

/** The teams a user sees: theirs, and the ancestors of theirs (read only). */
export const visibleTeamIds = (userId: string | Placeholder, organizationId: string | null | Placeholder) =>
  sql`(select v.team_id from team_accesses v where v.user_id = ${userId} union ${ancestorIds(userId, organizationId)})`;

/**
 * The SCIM client managing the team read by the same query, as {id, name}: one subquery by primary key. A revoked
 * client manages no more (its token no longer works, so nothing would ever change the members again).
 */
export const managedByOf = sql<ManagedBy | null>`(select json_build_object('id', c.id, 'name', c.name) from scim_clients c where c.id = ${teams.scimClientId} and c.revoked_at is null)`;

/** The user's own access row to the team read, left-joined: none for an ancestor they only see. */
export const userAccess = (userId: string | Placeholder) =>
  and(eq(teamAccesses.teamId, teams.id), eq(teamAccesses.userId, userId));

/**
 * The team read (teams with `userAccess` left-joined) is the user's, or a true ancestor of one of theirs in their
 * organization: a team of theirs whose path starts with its path (DESIGN.md §12).
 */
export const seenBy = (userId: string | Placeholder, organizationId: string | null | Placeholder) =>
  sql`(${teamAccesses.id} is not null or (${teams.organizationId} is not distinct from ${organizationId}::uuid and exists (
    select 1 from team_accesses m join teams mt on mt.id = m.team_id
    where m.user_id = ${userId} and mt.path like ${teams.path} || '%' and mt.id <> ${teams.id})))`;

/** The columns of a team as a user sees it, the user's own access row joined (none: an ancestor they only see). */
export const visibleColumns = {
  team: teams,
  role: sql<Role>`coalesce(${teamAccesses.role}, 'member')`,
  accessIds: accessIdsOf,
  managedBy: managedByOf,
  numchild: numchildOf,
  viaSubTeam: sql<boolean>`(${teamAccesses.id} is null)`,
};

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

// GET /api/v1.0/teams/: built once per ordering (sql/teams.sql). One statement however deep the trees.
const myTeamsOrdered = preparedPerDatabase((db: Db, ordering: TeamOrdering) => {
  const column = ordering.endsWith('name') ? teams.name : teams.createdAt;
  const direction = ordering.startsWith('-') ? desc : asc;
  const userId = sql.placeholder('userId');
  return db
    .select(visibleColumns)
    .from(teams)
    .leftJoin(teamAccesses, userAccess(userId))
    .where(sql`${teams.id} in ${visibleTeamIds(userId, sql.placeholder('organizationId'))}`)
    .orderBy(direction(column), asc(teams.id))
    .prepare(`teams_mine_${ordering}`);
});

export async function myTeams(
  db: Db,
  user: { id: string; organizationId: string | null },
  ordering: TeamOrdering,
): Promise<TeamWithRole[]> {
  return myTeamsOrdered(db, ordering).execute({ userId: user.id, organizationId: user.organizationId });
}

// Every route under /api/v1.0/teams/{id}/ first reads the team as its member sees it: built once (sql/teams.sql).
const teamWithRole = preparedPerDatabase((db) =>
  db
    .select({ ...visibleColumns, viaSubTeam: sql<boolean>`false` })
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

/** The team as its member sees it; undefined when the user is not a member (an ancestor they see included). */
export async function teamOf(db: Db, teamId: string, userId: string): Promise<TeamWithRole | undefined> {
  const [row] = await teamWithRole(db).execute({ teamId, userId });
  return row;
}

// GET /api/v1.0/teams/{id}/: the team if the user is in it or in one of its descendants (sql/teams.sql).
const visibleTeam = preparedPerDatabase((db) => {
  const userId = sql.placeholder('userId');
  return db
    .select(visibleColumns)
    .from(teams)
    .leftJoin(teamAccesses, userAccess(userId))
    .where(and(eq(teams.id, sql.placeholder('teamId')), seenBy(userId, sql.placeholder('organizationId'))))
    .limit(1)
    .prepare('teams_visible_to_user');
});

/** The team as the user sees it: theirs, or the ancestor of one of theirs (read only); else undefined. */
export async function visibleTeamOf(
  db: Db,
  teamId: string,
  user: { id: string; organizationId: string | null },
): Promise<TeamWithRole | undefined> {
  const [row] = await visibleTeam(db).execute({
    teamId,
    userId: user.id,
    organizationId: user.organizationId,
  });
  return row;
}

/**
 * Holds the tree still until the transaction ends: a move takes it alone, a creation under a parent shares it (the
 * `teams_path` trigger of migration 0015 takes it too; taking it first keeps a move from waiting on a row lock while
 * holding the tree).
 */
export async function lockTree(tx: Db): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${TREE_LOCK})`);
}

/** Holds the tree still against moves (not against other creations) until the transaction ends. */
export async function shareTree(tx: Db): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${TREE_LOCK})`);
}

/** The key of the `teams_path` triggers (migration 0015), apart from the other advisory locks (72_110_0xx). */
const TREE_LOCK = 72_110_024;

/** A team's place in the tree, read in the transaction that changes it. */
export async function treeRowOf(db: Db, teamId: string): Promise<TreeRow | undefined> {
  // The levels below the team: the longest path of its subtree, less its own (one range scan of the path index).
  const [row] = rowsOf<TreeRow>(
    await db.execute(sql`
      select t.id, t.parent_id as "parentId", t.path, t.organization_id as "organizationId",
        ((select max(length(d.path)) from teams d where d.path like t.path || '%') - length(t.path))
          / ${sql.raw(String(PATH_STEP))} as height
      from teams t where t.id = ${teamId}`),
  );
  return row;
}

interface TreeRow {
  id: string;
  parentId: string | null;
  path: string;
  organizationId: string | null;
  height: number;
}

/** Sets the team's parent; the `teams_path` triggers move its subtree with it. */
export async function setParent(tx: Db, teamId: string, parentId: string | null): Promise<void> {
  await tx.update(teams).set({ parentId, updatedAt: new Date() }).where(eq(teams.id, teamId));
}

/** A new team whose creator is its owner, under `parentId` when given (the trigger writes its path). */
export async function insertTeam(
  tx: Db,
  name: string,
  owner: { id: string; organizationId: string | null },
  parentId: string | null = null,
): Promise<TeamWithRole> {
  const ownerId = owner.id;
  // DESIGN.md §7: a team belongs to its creator's organization.
  const [team] = await tx
    .insert(teams)
    .values({ name, organizationId: owner.organizationId, parentId })
    .returning();
  if (!team) throw new Error('insert returned no team');
  const [access] = await tx
    .insert(teamAccesses)
    .values({ teamId: team.id, userId: ownerId, role: 'owner' })
    .returning({ id: teamAccesses.id });
  return {
    team,
    role: 'owner',
    accessIds: access ? [access.id] : [],
    managedBy: null,
    numchild: 0,
    viaSubTeam: false,
  };
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
