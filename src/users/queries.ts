// All SQL on the users table.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../platform/database.ts';
import { preparedPerDatabase } from '../platform/prepared-queries.ts';
import { type User, users } from './schema.ts';

// Every request with a session reads its user: built once (sql/users.sql).
const activeUserById = preparedPerDatabase((db) =>
  db
    .select()
    .from(users)
    .where(and(eq(users.id, sql.placeholder('id')), eq(users.isActive, true)))
    .limit(1)
    .prepare('users_active_by_id'),
);

export async function findActiveUserById(db: Db, id: string): Promise<User | undefined> {
  const [user] = await activeUserById(db).execute({ id });
  return user;
}

/** Accounts that can log in with a password, matched case-insensitively on email. */
export async function findPasswordUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const [user] = await db
    .select()
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

/** Creates a staff superuser, or gives an existing account with that email the password and staff rights. */
export async function upsertSuperuser(
  db: Db,
  email: string,
  passwordHash: string,
): Promise<{ user: User; created: boolean }> {
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = lower(${email})`)
      .orderBy(users.createdAt)
      .limit(1);
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
      return { user: user!, created: false };
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
    return { user: user!, created: true };
  });
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
