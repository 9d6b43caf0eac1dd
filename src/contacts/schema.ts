// Contacts: an agent's address book, with profile contacts for users and personal overrides of shared ones.
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  check,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { users } from '../users/schema.ts';

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The shared contact this one overrides for its owner. */
    overrideId: uuid('override_id').references((): AnyPgColumn => contacts.id, { onDelete: 'set null' }),
    /** Null for a public (shared) contact. */
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'cascade' }),
    /** The user this contact is the profile of. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    fullName: varchar('full_name', { length: 150 }).notNull().default(''),
    shortName: varchar('short_name', { length: 30 }).notNull().default(''),
    notes: text('notes').notNull().default(''),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('contacts_owner_idx').on(t.ownerId),
    index('contacts_override_idx').on(t.overrideId),
    uniqueIndex('contacts_owner_override_key').on(t.ownerId, t.overrideId),
    uniqueIndex('contacts_profile_user_key').on(t.userId),
    check('contacts_not_self_override', sql`${t.overrideId} is null or ${t.overrideId} <> ${t.id}`),
  ],
);

export type Contact = typeof contacts.$inferSelect;
