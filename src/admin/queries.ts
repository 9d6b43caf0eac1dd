// All SQL of the staff back office: every user, team, invitation, service provider and job, whoever owns them.
import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import { invitations } from '../invitations/index.ts';
import { organizations } from '../organizations/index.ts';
import { type Db, escapeLike } from '../platform/database.ts';
import { type Job, jobs } from '../platform/schema.ts';
import { type Role, serviceProviders, teamAccesses, teamServiceProviders, teams } from '../teams/index.ts';
import { type User, users } from '../users/index.ts';

const like = (q: string) => `%${escapeLike(q.toLowerCase())}%`;
const total = sql<number>`count(*) over ()::int`;

export type UserOrdering =
  | 'email'
  | '-email'
  | 'name'
  | '-name'
  | 'created_at'
  | '-created_at'
  | 'last_login'
  | '-last_login';

export interface AdminUserRow {
  user: User;
  organizationName: string | null;
  total: number;
}

const userColumns = {
  email: users.email,
  name: users.name,
  created_at: users.createdAt,
  last_login: users.lastLogin,
};

export async function listUsers(
  db: Db,
  o: {
    q?: string;
    isActive?: boolean;
    isStaff?: boolean;
    ordering: UserOrdering;
    limit: number;
    offset: number;
  },
): Promise<AdminUserRow[]> {
  const conditions: (SQL | undefined)[] = [];
  if (o.q)
    conditions.push(
      sql`(lower(${users.email}) like ${like(o.q)} or lower(${users.name}) like ${like(o.q)} or lower(${users.sub}) like ${like(o.q)})`,
    );
  if (o.isActive !== undefined) conditions.push(eq(users.isActive, o.isActive));
  if (o.isStaff !== undefined) conditions.push(eq(users.isStaff, o.isStaff));
  const column = userColumns[o.ordering.replace(/^-/, '') as keyof typeof userColumns];
  return db
    .select({ user: users, organizationName: organizations.name, total })
    .from(users)
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(and(...conditions))
    .orderBy(
      o.ordering.startsWith('-') ? sql`${column} desc nulls last` : sql`${column} asc nulls last`,
      asc(users.id),
    )
    .limit(o.limit)
    .offset(o.offset);
}

export async function userDetail(db: Db, id: string) {
  const [row] = await db
    .select({ user: users, organizationName: organizations.name })
    .from(users)
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(users.id, id))
    .limit(1);
  if (!row) return undefined;
  const memberships = await db
    .select({ id: teams.id, name: teams.name, role: teamAccesses.role })
    .from(teamAccesses)
    .innerJoin(teams, eq(teams.id, teamAccesses.teamId))
    .where(eq(teamAccesses.userId, id))
    .orderBy(asc(teams.name), asc(teams.id));
  return { ...row, memberships };
}

/** The user's powers, locked until the transaction ends: a change decided on them cannot be raced. */
export async function lockUserFlags(
  tx: Db,
  id: string,
): Promise<Pick<User, 'isActive' | 'isStaff' | 'isSuperuser'> | undefined> {
  const [row] = await tx
    .select({ isActive: users.isActive, isStaff: users.isStaff, isSuperuser: users.isSuperuser })
    .from(users)
    .where(eq(users.id, id))
    .for('update');
  return row;
}

export async function setUserFlags(
  tx: Db,
  id: string,
  flags: { isActive?: boolean; isStaff?: boolean },
): Promise<User> {
  const [user] = await tx
    .update(users)
    .set({ ...flags, updatedAt: new Date() })
    .where(eq(users.id, id))
    .returning();
  if (!user) throw new Error(`user ${id} vanished`);
  return user;
}

export async function listTeams(db: Db, o: { q?: string; limit: number; offset: number }) {
  return db
    .select({
      team: teams,
      organizationName: organizations.name,
      memberCount: sql<number>`(select count(*)::int from team_accesses ta where ta.team_id = ${teams.id})`,
      total,
    })
    .from(teams)
    .leftJoin(organizations, eq(organizations.id, teams.organizationId))
    .where(o.q ? sql`lower(${teams.name}) like ${like(o.q)}` : undefined)
    .orderBy(asc(teams.name), asc(teams.id))
    .limit(o.limit)
    .offset(o.offset);
}

export async function teamDetail(db: Db, id: string) {
  const [row] = await db
    .select({ team: teams, organizationName: organizations.name })
    .from(teams)
    .leftJoin(organizations, eq(organizations.id, teams.organizationId))
    .where(eq(teams.id, id))
    .limit(1);
  if (!row) return undefined;
  const members = await db
    .select({
      id: teamAccesses.id,
      role: teamAccesses.role,
      userId: users.id,
      name: users.name,
      email: users.email,
    })
    .from(teamAccesses)
    .innerJoin(users, eq(users.id, teamAccesses.userId))
    .where(eq(teamAccesses.teamId, id))
    .orderBy(
      sql`case ${teamAccesses.role} when 'owner' then 0 when 'administrator' then 1 else 2 end`,
      asc(users.name),
    );
  const providers = await db
    .select({ id: serviceProviders.id, name: serviceProviders.name, audience: serviceProviders.audienceId })
    .from(teamServiceProviders)
    .innerJoin(serviceProviders, eq(serviceProviders.id, teamServiceProviders.serviceProviderId))
    .where(eq(teamServiceProviders.teamId, id))
    .orderBy(asc(serviceProviders.name));
  return {
    ...row,
    members: members as { id: string; role: Role; userId: string; name: string; email: string | null }[],
    providers,
  };
}

export async function listInvitations(
  db: Db,
  o: { q?: string; expired?: boolean; cutoff: Date; limit: number; offset: number },
) {
  const isExpired = sql<boolean>`${invitations.updatedAt} < ${o.cutoff.toISOString()}::timestamptz`;
  const conditions: (SQL | undefined)[] = [];
  if (o.q)
    conditions.push(
      sql`(lower(${invitations.email}) like ${like(o.q)} or lower(${teams.name}) like ${like(o.q)})`,
    );
  if (o.expired !== undefined) conditions.push(o.expired ? isExpired : sql`not ${isExpired}`);
  return db
    .select({ invitation: invitations, teamName: teams.name, isExpired, total })
    .from(invitations)
    .innerJoin(teams, eq(teams.id, invitations.teamId))
    .where(and(...conditions))
    .orderBy(desc(invitations.createdAt), desc(invitations.id))
    .limit(o.limit)
    .offset(o.offset);
}

export async function deleteInvitation(tx: Db, id: string) {
  const [row] = await tx.delete(invitations).where(eq(invitations.id, id)).returning();
  return row;
}

/** Every service provider (or the one with `id`) with how many teams are linked to it. */
export async function listServiceProviders(db: Db, id?: string) {
  return db
    .select({
      provider: serviceProviders,
      teamCount: sql<number>`(select count(*)::int from team_service_providers t where t.service_provider_id = ${serviceProviders.id})`,
    })
    .from(serviceProviders)
    .where(id ? eq(serviceProviders.id, id) : undefined)
    .orderBy(asc(serviceProviders.name), asc(serviceProviders.id));
}

export async function renameServiceProvider(tx: Db, id: string, name: string) {
  const [row] = await tx
    .update(serviceProviders)
    .set({ name })
    .where(eq(serviceProviders.id, id))
    .returning();
  return row;
}

export async function listJobs(
  db: Db,
  o: { status?: string; limit: number; offset: number },
): Promise<(Job & { total: number })[]> {
  const rows = await db
    .select({ job: jobs, total })
    .from(jobs)
    .where(o.status ? eq(jobs.status, o.status) : undefined)
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(o.limit)
    .offset(o.offset);
  return rows.map((r) => ({ ...r.job, total: r.total }));
}

/**
 * A failed job, or a pending one no worker holds (never claimed, backing off, or its lease lapsed), runs again at
 * once with a fresh set of attempts. One conditional statement: a job whose lease is live is running and stays its
 * worker's (a second run would send its mail twice and drop the first run's outcome). Undefined when not retried.
 */
export async function retryJob(tx: Db, id: string, now: Date): Promise<Job | undefined> {
  const [row] = await tx
    .update(jobs)
    .set({ status: 'pending', attempts: 0, runAt: now, lockedUntil: null, claimToken: null, lastError: null })
    .where(
      and(
        eq(jobs.id, id),
        sql`(${jobs.status} = 'failed' or (${jobs.status} = 'pending'
          and (${jobs.lockedUntil} is null or ${jobs.lockedUntil} < ${now.toISOString()}::timestamptz)))`,
      ),
    )
    .returning();
  return row;
}

export async function jobById(db: Db, id: string): Promise<Job | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id)).limit(1);
  return row;
}
