// All SQL on the users table.
import { and, eq, getTableColumns, ne, or, type SQL, sql } from 'drizzle-orm';
import { organizations } from '../organizations/schema.ts';
import type { Db } from '../platform/database.ts';
import { preparedPerDatabase } from '../platform/prepared-queries.ts';
import { type User, users } from './schema.ts';

/**
 * The user may act (use a session or a token, sign in, be added to a team): the account is active and so is its
 * organization, when it has one (DESIGN.md §5: a deactivated organization's members stop working everywhere at once).
 */
const mayAct = and(
  eq(users.isActive, true),
  sql`not exists (select 1 from ${organizations} where ${organizations.id} = ${users.organizationId} and not ${organizations.isActive})`,
) as SQL;

/** As the search sees colleagues (search.ts): the same organization, and no organization only matches none. */
const inOrganization = (organizationId: string | null) =>
  organizationId ? eq(users.organizationId, organizationId) : sql`${users.organizationId} is null`;

/**
 * The user by a unique key, while they may act, the organization checked in the same statement: built once per hot
 * path, under its own name (sql/users.sql), one round trip per call.
 */
const activeUserBy = (key: typeof users.id | typeof users.sub, name: string) =>
  preparedPerDatabase((db) =>
    db
      .select()
      .from(users)
      .where(and(eq(key, sql.placeholder('key')), mayAct))
      .limit(1)
      .prepare(name),
  );

// Every request with a session reads its user.
const activeUserById = activeUserBy(users.id, 'users_active_by_id');

/** The user, while they may act: undefined for an unknown id, a disabled user or a deactivated organization's member. */
export async function findActiveUserById(db: Db, id: string): Promise<User | undefined> {
  const [user] = await activeUserById(db).execute({ key: id });
  return user;
}

/**
 * An active colleague of an organization (DESIGN.md §5 "Isolation"): undefined for an unknown id and for a user of
 * another organization alike, so adding someone by id never tells whether the id exists elsewhere.
 */
export async function findActiveColleagueById(
  db: Db,
  id: string,
  organizationId: string | null,
): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, id), mayAct, inOrganization(organizationId)))
    .limit(1);
  return user;
}

/** The active colleagues with this email, compared case-insensitively (see findActiveColleagueById). */
export async function findActiveColleaguesByEmail(
  db: Db,
  email: string,
  organizationId: string | null,
  limit = 2,
): Promise<User[]> {
  return db
    .select()
    .from(users)
    .where(and(sql`lower(${users.email}) = lower(${email})`, mayAct, inOrganization(organizationId)))
    .orderBy(users.createdAt)
    .limit(limit);
}

/**
 * Accounts that can log in with a password, matched case-insensitively on email; `mayAct` says whether the account
 * may sign in (active, and so is its organization).
 */
export async function findPasswordUserByEmail(
  db: Db,
  email: string,
): Promise<(User & { mayAct: boolean }) | undefined> {
  const [user] = await db
    .select({ ...getTableColumns(users), mayAct: sql<boolean>`${mayAct}` })
    .from(users)
    .where(and(sql`lower(${users.email}) = lower(${email})`, sql`${users.password} is not null`))
    .orderBy(users.createdAt)
    .limit(1);
  return user;
}

export async function updateProfile(
  db: Db,
  id: string,
  changes: { language?: string; timezone?: string },
): Promise<User> {
  const [user] = await db
    .update(users)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(users.id, id))
    .returning();
  if (!user) throw new Error(`user ${id} vanished during update`);
  return user;
}

export async function recordLogin(db: Db, id: string): Promise<void> {
  await db.update(users).set({ lastLogin: new Date() }).where(eq(users.id, id));
}

/**
 * Replaces a password hash by another for the same password (a Django hash re-hashed to argon2id at login), only if
 * it is still the one that was verified: of two logins at once, one writes and the other changes nothing, and a
 * password changed meanwhile is never overwritten. True when this call wrote it.
 */
export async function replacePasswordHash(
  db: Db,
  id: string,
  verified: string,
  rehashed: string,
): Promise<boolean> {
  const written = await db
    .update(users)
    .set({ password: rehashed })
    .where(and(eq(users.id, id), eq(users.password, verified)))
    .returning({ id: users.id });
  return written.length > 0;
}

/** A staff account: staff, or one that logs in with a password (only `desk createsuperuser` gives one). */
const isStaffAccount = or(eq(users.isStaff, true), sql`${users.password} is not null`) as SQL;

/**
 * Holds, until the transaction ends, the right to make a staff account with this email (as the staff login compares
 * emails: lower()): two transactions deciding on one email wait for each other. A two-key advisory lock, apart from
 * the one-key lock migrations take.
 */
export async function lockStaffEmail(tx: Db, email: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${STAFF_EMAIL_LOCK}, hashtext(lower(${email})))`);
}
const STAFF_EMAIL_LOCK = 72_110_002;

/**
 * Holds, until the transaction ends, the right to decide which user has this email (compared as lower()): a sign-in
 * and a directory provisioning one address (or two of either) wait for each other instead of both finding it free.
 * A two-key advisory lock, apart from the staff-email and migration locks.
 */
export async function lockUserEmail(tx: Db, email: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${USER_EMAIL_LOCK}, hashtext(lower(${email})))`);
}
const USER_EMAIL_LOCK = 72_110_023;

/** The staff accounts with this email (case-insensitively), oldest first, but `exceptId`. */
export async function findStaffAccountsByEmail(db: Db, email: string, exceptId?: string): Promise<User[]> {
  return db
    .select()
    .from(users)
    .where(
      and(
        sql`lower(${users.email}) = lower(${email})`,
        isStaffAccount,
        exceptId ? ne(users.id, exceptId) : undefined,
      ),
    )
    .orderBy(users.createdAt, users.id)
    .limit(10);
}

// Every resource-server call reads the token's user: built once (sql/users.sql).
const userBySub = preparedPerDatabase((db) =>
  db
    .select()
    .from(users)
    .where(eq(users.sub, sql.placeholder('sub')))
    .limit(1)
    .prepare('users_by_sub'),
);

export async function findUserBySub(db: Db, sub: string): Promise<User | undefined> {
  const [user] = await userBySub(db).execute({ sub });
  return user;
}

// Every resource-server call reads the token's user.
const activeUserBySub = activeUserBy(users.sub, 'users_active_by_sub');

/** The token's user, while they may act (see findActiveUserById). */
export async function findActiveUserBySub(db: Db, sub: string): Promise<User | undefined> {
  const [user] = await activeUserBySub(db).execute({ key: sub });
  return user;
}

/** The ids of an organization's users, whose sessions end when it is deactivated. */
export async function userIdsOfOrganization(db: Db, organizationId: string): Promise<string[]> {
  const rows = await db.select({ id: users.id }).from(users).where(eq(users.organizationId, organizationId));
  return rows.map((r) => r.id);
}

/**
 * The superusers able to act (active, in an active organization or none), with their organization. Every active
 * superuser's row is locked first, in id order (as /admin/users/ does), and only then are they read with their
 * organizations: a second statement, so a change that waited for these locks sees what the one before it committed.
 * Two changes that could each remove the last of them wait for each other instead of both succeeding.
 */
export async function lockSuperusersWhoMayAct(
  tx: Db,
): Promise<{ id: string; organizationId: string | null }[]> {
  await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.isSuperuser, true), eq(users.isActive, true)))
    .orderBy(users.id)
    .for('update');
  return tx
    .select({ id: users.id, organizationId: users.organizationId })
    .from(users)
    .where(and(eq(users.isSuperuser, true), mayAct))
    .orderBy(users.id);
}

/**
 * Whether the organization has a staff or superuser member, their rows locked until the transaction ends. Call after
 * lockSuperusersWhoMayAct: a grant of staff takes those locks first too, so it is seen here or waits for this change.
 */
export async function hasStaffMember(tx: Db, organizationId: string): Promise<boolean> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(
      and(eq(users.organizationId, organizationId), or(eq(users.isStaff, true), eq(users.isSuperuser, true))),
    )
    .orderBy(users.id)
    .for('update');
  return rows.length > 0;
}

/** Every user with this email, compared case-insensitively (two means a conflict to refuse, not to guess). */
export async function findUsersByEmail(db: Db, email: string, limit = 2): Promise<User[]> {
  return db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .orderBy(users.createdAt)
    .limit(limit);
}

export async function insertUser(db: Db, values: typeof users.$inferInsert): Promise<User> {
  const [user] = await db.insert(users).values(values).returning();
  if (!user) throw new Error('insert returned no user');
  return user;
}

export async function updateUser(
  db: Db,
  id: string,
  values: Partial<typeof users.$inferInsert>,
): Promise<User> {
  const [user] = await db
    .update(users)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(users.id, id))
    .returning();
  if (!user) throw new Error(`user ${id} vanished during update`);
  return user;
}
