// All SQL on contacts: what a user sees is their own contacts plus the shared ones they have not overridden.
import { and, asc, eq, isNull, or, type SQL, sql } from 'drizzle-orm';
import { type Db, escapeLike } from '../platform/database.ts';
import { type Contact, contacts } from './schema.ts';

const visibleTo = (userId: string) =>
  or(
    eq(contacts.ownerId, userId),
    and(
      isNull(contacts.ownerId),
      sql`not exists (select 1 from contacts o where o.owner_id = ${userId} and o.override_id = contacts.id)`,
    ),
  );

export async function listContacts(
  db: Db,
  userId: string,
  options: { q?: string; limit: number; offset: number },
): Promise<(Contact & { total: number })[]> {
  const conditions: (SQL | undefined)[] = [visibleTo(userId)];
  if (options.q) {
    const pattern = `%${escapeLike(options.q)}%`;
    conditions.push(sql`(
      desk_unaccent(lower(${contacts.fullName})) like desk_unaccent(lower(${pattern}))
      or desk_unaccent(lower(${contacts.shortName})) like desk_unaccent(lower(${pattern}))
      or exists (select 1 from jsonb_array_elements(coalesce(contacts.data->'emails', '[]'::jsonb)) e
                 where lower(e->>'value') like lower(${pattern})))`);
  }
  const rows = await db
    .select({ contact: contacts, total: sql<number>`count(*) over ()::int` })
    .from(contacts)
    .where(and(...conditions))
    .orderBy(asc(contacts.fullName), asc(contacts.id))
    .limit(options.limit)
    .offset(options.offset);
  return rows.map((r) => ({ ...r.contact, total: r.total }));
}

/** The contact if the user may see it (theirs, or shared). */
export async function visibleContact(db: Db, userId: string, id: string): Promise<Contact | undefined> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.id, id), or(eq(contacts.ownerId, userId), isNull(contacts.ownerId))))
    .limit(1);
  return row;
}

export async function insertContact(
  tx: Db,
  values: typeof contacts.$inferInsert,
): Promise<Contact | undefined> {
  const [row] = await tx.insert(contacts).values(values).onConflictDoNothing().returning();
  return row;
}

export async function updateContact(
  db: Db,
  id: string,
  values: Partial<typeof contacts.$inferInsert>,
): Promise<Contact> {
  const [row] = await db
    .update(contacts)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(contacts.id, id))
    .returning();
  if (!row) throw new Error(`contact ${id} vanished during update`);
  return row;
}

export async function deleteContact(db: Db, id: string): Promise<void> {
  await db.delete(contacts).where(eq(contacts.id, id));
}
