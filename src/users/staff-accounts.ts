// Staff accounts, one per email: `desk createsuperuser` and staff rights granted in the back office never make a
// second staff account (staff, or logging in with a password) with an email one already has, as the staff login
// compares emails. The database holds it for password accounts (unique index, migration 0011); the lock taken here
// makes the check and the write one step for staff rights too.

import { eq } from 'drizzle-orm';
import type { Db } from '../platform/database.ts';
import { isUniqueViolation } from '../platform/errors.ts';
import { findStaffAccountsByEmail, findUsersByEmail, lockStaffEmail } from './queries.ts';
import { type User, users } from './schema.ts';

/** Refused: a staff account already has this email. */
export class StaffEmailTaken extends Error {
  constructor(
    readonly email: string,
    readonly holderId: string | undefined,
  ) {
    super(`A staff account already has the email ${email}${holderId ? ` (user ${holderId})` : ''}.`);
  }
}

/**
 * In a transaction that makes user `userId` staff (or a new account, with no id): waits for any other such
 * transaction on this email, then refuses with StaffEmailTaken when another staff account has it.
 */
export async function claimStaffEmail(tx: Db, email: string, userId?: string): Promise<void> {
  await lockStaffEmail(tx, email);
  const [holder] = await findStaffAccountsByEmail(tx, email, userId);
  if (holder) throw new StaffEmailTaken(email, holder.id);
}

/**
 * Creates a staff superuser with this password, or gives it to the account with that email that has none yet (an
 * agent made staff in the back office first, else the oldest). Refused (StaffEmailTaken, nothing changed) when an
 * account with this email already logs in with a password: a second one could never log in.
 */
export async function createSuperuser(
  db: Db,
  email: string,
  passwordHash: string,
): Promise<{ user: User; created: boolean }> {
  try {
    return await db.transaction(async (tx) => {
      await lockStaffEmail(tx, email);
      const staff = await findStaffAccountsByEmail(tx, email);
      const withPassword = staff.find((u) => u.password !== null);
      if (withPassword) throw new StaffEmailTaken(email, withPassword.id);
      const [existing] = staff.length ? staff : await findUsersByEmail(tx, email, 1);
      if (existing) {
        const [user] = await tx
          .update(users)
          .set({
            password: passwordHash,
            isStaff: true,
            isSuperuser: true,
            isActive: true,
            updatedAt: new Date(),
          })
          .where(eq(users.id, existing.id))
          .returning();
        if (!user) throw new Error(`user ${existing.id} vanished during update`);
        return { user, created: false };
      }
      const [user] = await tx
        .insert(users)
        .values({
          email,
          password: passwordHash,
          isStaff: true,
          isSuperuser: true,
          name: email.split('@')[0] ?? '',
        })
        .returning();
      if (!user) throw new Error('insert returned no user');
      return { user, created: true };
    });
  } catch (err) {
    // The index, should a writer not taking the lock (a previous release) have made one meanwhile.
    if (isUniqueViolation(err)) throw new StaffEmailTaken(email, undefined);
    throw err;
  }
}
