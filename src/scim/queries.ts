// All SQL of SCIM: provisioned users and managed groups of one organization, never another's (every statement of the
// service provider names the organization), filters compiled to bound parameters by filter-sql.ts; and what sign-in
// asks of it (DESIGN.md §9: a provisioned user is linked at their first sign-in).
import { and, asc, eq, inArray, isNotNull, isNull, type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../platform/database.ts';
import { teamAccesses, teams } from '../teams/index.ts';
import { type User, users } from '../users/index.ts';
import { type GroupRow, type MemberRow, type UserRow, UUID } from './documents.ts';

import { scimUsers } from './schema.ts';

const userColumns = {
  id: users.id,
  userName: scimUsers.userName,
  externalId: scimUsers.externalId,
  givenName: scimUsers.givenName,
  familyName: scimUsers.familyName,
  formatted: scimUsers.formatted,
  displayName: scimUsers.displayName,
  emails: scimUsers.emails,
  active: users.isActive,
  created: scimUsers.createdAt,
  lastModified: scimUsers.updatedAt,
};

export interface Page<T> {
  total: number;
  rows: T[];
}

/**
 * One page of the organization's provisioned users matching `filter`, in a stable order (userName, the unique index),
 * and how many match: one statement (count(*) over ()), a second only for a page past the end.
 */
export async function listUsers(
  db: Db,
  organizationId: string,
  filter: SQL | undefined,
  offset: number,
  limit: number,
): Promise<Page<UserRow>> {
  const where = and(eq(scimUsers.organizationId, organizationId), filter);
  if (limit === 0) return { total: await countUsers(db, where), rows: [] };
  const rows = await db
    .select({ ...userColumns, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(scimUsers)
    .innerJoin(users, eq(users.id, scimUsers.userId))
    .where(where)
    .orderBy(sql`lower(${scimUsers.userName})`, asc(scimUsers.userId))
    .offset(offset)
    .limit(limit);
  const total = rows[0]?.total ?? (offset > 0 ? await countUsers(db, where) : 0);
  return { total, rows: rows.map(({ total: _, ...row }) => row) };
}

async function countUsers(db: Db, where: SQL | undefined): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(scimUsers)
    .innerJoin(users, eq(users.id, scimUsers.userId))
    .where(where);
  return row?.n ?? 0;
}

/** The provisioned user, only in this organization. */
export async function findUser(db: Db, organizationId: string, id: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select(userColumns)
    .from(scimUsers)
    .innerJoin(users, eq(users.id, scimUsers.userId))
    .where(and(eq(scimUsers.organizationId, organizationId), eq(scimUsers.userId, id)))
    .limit(1);
  return row;
}

/**
 * The provisioned user with the Desk fields a change compares (email, name), its rows held until the transaction
 * ends: one statement for what a PUT or PATCH reads before writing.
 */
export async function lockUser(
  db: Db,
  organizationId: string,
  id: string,
): Promise<(UserRow & { email: string | null; name: string }) | undefined> {
  const [row] = await db
    .select({ ...userColumns, email: users.email, name: users.name })
    .from(scimUsers)
    .innerJoin(users, eq(users.id, scimUsers.userId))
    .where(and(eq(scimUsers.organizationId, organizationId), eq(scimUsers.userId, id)))
    .limit(1)
    .for('update');
  return row;
}

/**
 * The users of the organization with this email that SCIM may adopt on POST (signed in before the directory was
 * connected): not provisioned yet, not staff accounts (those sign in with their password, DESIGN.md §8).
 */
export async function adoptableUsers(db: Db, organizationId: string, email: string) {
  return db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.organizationId, organizationId),
        sql`lower(${users.email}) = lower(${email})`,
        eq(users.isStaff, false),
        eq(users.isSuperuser, false),
        sql`${users.password} is null`,
        sql`not exists (select 1 from ${scimUsers} where ${scimUsers.userId} = ${users.id})`,
      ),
    )
    .orderBy(users.createdAt)
    .limit(2)
    .for('update');
}

/**
 * Removes the user from every team but those they are the last owner of (DESIGN.md §4: a team never loses its last
 * owner; the access stays and the user, disabled, cannot use it). The teams' owner rows are locked first, so a
 * co-owner leaving at the same moment cannot leave a team ownerless. The removed accesses, for the audit log.
 */
export async function removeFromTeams(tx: Db, userId: string) {
  await tx.execute(
    sql`select ta.id from ${teamAccesses} ta
        where ta.role = 'owner' and ta.team_id in (select team_id from ${teamAccesses} where user_id = ${userId})
        order by ta.id for update`,
  );
  return rowsOf<{ id: string; team_id: string; team_name: string; role: string }>(
    await tx.execute(
      sql`with gone as (
            delete from ${teamAccesses} ta
            where ta.user_id = ${userId}
              and not (ta.role = 'owner' and not exists (
                select 1 from ${teamAccesses} o where o.team_id = ta.team_id and o.role = 'owner' and o.user_id <> ta.user_id))
            returning ta.id, ta.team_id, ta.role)
          select gone.id, gone.team_id, t.name as team_name, gone.role from gone join ${teams} t on t.id = gone.team_id
          order by t.name, gone.id`,
    ),
  );
}

// ---- groups ----

const groupColumns = {
  id: teams.id,
  displayName: teams.name,
  externalId: teams.scimExternalId,
  created: teams.createdAt,
  lastModified: teams.updatedAt,
};

/** The organization's managed teams (a group is a team with a SCIM client), whichever of its clients made them. */
const managedIn = (organizationId: string) =>
  and(eq(teams.organizationId, organizationId), isNotNull(teams.scimClientId));

export async function listGroups(
  db: Db,
  organizationId: string,
  filter: SQL | undefined,
  offset: number,
  limit: number,
): Promise<Page<GroupRow>> {
  const where = and(managedIn(organizationId), filter);
  if (limit === 0) return { total: await countGroups(db, where), rows: [] };
  const rows = await db
    .select({ ...groupColumns, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(teams)
    .where(where)
    .orderBy(sql`lower(${teams.name})`, asc(teams.id))
    .offset(offset)
    .limit(limit);
  const total = rows[0]?.total ?? (offset > 0 ? await countGroups(db, where) : 0);
  return { total, rows: rows.map(({ total: _, ...row }) => row) };
}

async function countGroups(db: Db, where: SQL | undefined): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(teams)
    .where(where);
  return row?.n ?? 0;
}

export async function findGroup(
  db: Db,
  organizationId: string,
  id: string,
  lock = false,
): Promise<GroupRow | undefined> {
  const query = db
    .select(groupColumns)
    .from(teams)
    .where(and(managedIn(organizationId), eq(teams.id, id)))
    .limit(1);
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/** The members of these groups, by group, in a stable order (one statement for a whole page of groups). */
export async function membersOf(db: Db, groupIds: string[]): Promise<Map<string, MemberRow[]>> {
  const byGroup = new Map<string, MemberRow[]>(groupIds.map((id) => [id, []]));
  if (!groupIds.length) return byGroup;
  const rows = await db
    .select({
      teamId: teamAccesses.teamId,
      userId: teamAccesses.userId,
      name: users.name,
      email: users.email,
      userName: scimUsers.userName,
    })
    .from(teamAccesses)
    .innerJoin(users, eq(users.id, teamAccesses.userId))
    .leftJoin(scimUsers, eq(scimUsers.userId, teamAccesses.userId))
    .where(inArray(teamAccesses.teamId, groupIds))
    .orderBy(teamAccesses.teamId, teamAccesses.createdAt, teamAccesses.userId);
  for (const row of rows)
    byGroup
      .get(row.teamId)
      ?.push({ userId: row.userId, display: row.name || row.userName || row.email || '' });
  return byGroup;
}

/**
 * Of these ids, the users the organization's directory provisioned (DESIGN.md §9: members are users of the same
 * organization; another organization's id is as unknown as a random one). Ids that are not UUIDs are left out.
 */
export async function usersOfOrganization(
  db: Db,
  organizationId: string,
  ids: string[],
): Promise<Set<string>> {
  const wellFormed = ids.filter((id) => UUID.test(id));
  if (!wellFormed.length) return new Set();
  // Provisioned users of the organization only: a user SCIM deleted is unknown to SCIM (404), so no group takes it back.
  const rows = await db
    .select({ id: scimUsers.userId })
    .from(scimUsers)
    .where(and(eq(scimUsers.organizationId, organizationId), inArray(scimUsers.userId, wellFormed)));
  return new Set(rows.map((r) => r.id));
}

/** Adds members (role member; someone already in the team keeps their role); the user ids actually added. */
export async function addMembers(tx: Db, teamId: string, userIds: string[]): Promise<string[]> {
  if (!userIds.length) return [];
  const rows = await tx
    .insert(teamAccesses)
    .values(userIds.map((userId) => ({ teamId, userId, role: 'member' as const })))
    .onConflictDoNothing({ target: [teamAccesses.teamId, teamAccesses.userId] })
    .returning({ userId: teamAccesses.userId });
  return rows.map((r) => r.userId);
}

/** Removes these members (all when `userIds` is 'all', or all but `keep`); the user ids actually removed. */
export async function removeMembers(
  tx: Db,
  teamId: string,
  which: { only: string[] } | { allBut: string[] },
): Promise<string[]> {
  let condition: SQL | undefined;
  if ('only' in which) {
    const ids = which.only.filter((id) => UUID.test(id));
    if (!ids.length) return [];
    condition = inArray(teamAccesses.userId, ids);
  } else if (which.allBut.length) {
    condition = sql`${teamAccesses.userId} not in (${sql.join(
      which.allBut.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`;
  }
  const rows = await tx
    .delete(teamAccesses)
    .where(and(eq(teamAccesses.teamId, teamId), condition))
    .returning({ userId: teamAccesses.userId });
  return rows.map((r) => r.userId);
}

/**
 * The provisioned users with this email (case-insensitive) who never signed in (no sub yet), locked until the
 * transaction ends so two first sign-ins cannot both link one; at most two (two mean a duplicate to refuse).
 */
export async function findProvisionedUnlinked(db: Db, email: string): Promise<User[]> {
  const rows = await db
    .select({ user: users })
    .from(users)
    .innerJoin(scimUsers, eq(scimUsers.userId, users.id))
    .where(and(sql`lower(${users.email}) = lower(${email})`, isNull(users.sub)))
    .orderBy(users.createdAt, users.id)
    .limit(2)
    .for('update', { of: users });
  return rows.map((r) => r.user);
}

/** Whether a directory provisioned this user (a sign-in then never moves them to another organization). */
export async function isProvisioned(db: Db, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ userId: scimUsers.userId })
    .from(scimUsers)
    .where(eq(scimUsers.userId, userId))
    .limit(1);
  return row !== undefined;
}
