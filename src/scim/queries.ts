// SQL other features ask of SCIM: which users a directory provisioned, for sign-in linking (DESIGN.md §9).
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../platform/database.ts';
import { type User, users } from '../users/index.ts';
import { scimUsers } from './schema.ts';

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
