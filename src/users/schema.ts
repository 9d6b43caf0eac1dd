// The users table: people who sign in through the provider, and staff accounts made with createsuperuser.
import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { organizations } from '../organizations/schema.ts';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The provider's subject; null for staff-only accounts. */
    sub: varchar('sub', { length: 255 }),
    email: varchar('email', { length: 254 }),
    name: varchar('name', { length: 100 }).notNull().default(''),
    language: varchar('language', { length: 10 }).notNull().default('en-us'),
    timezone: varchar('timezone', { length: 100 }).notNull().default('UTC'),
    isActive: boolean('is_active').notNull().default(true),
    isStaff: boolean('is_staff').notNull().default(false),
    isSuperuser: boolean('is_superuser').notNull().default(false),
    /** argon2id hash, for staff login only. */
    password: text('password'),
    /** The administration the agent works for (DESIGN.md §7); none for staff accounts made by createsuperuser. */
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'set null' }),
    lastLogin: timestamp('last_login', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_sub_key').on(t.sub),
    index('users_email_lower_idx').on(sql`lower(${t.email})`),
    // One password account per email, compared as the staff login compares it (lower()): a second one could never log
    // in, and `desk createsuperuser` racing itself could make two (people keeps its staff login email unique too).
    uniqueIndex('users_password_email_key').on(sql`lower(${t.email})`).where(sql`${t.password} is not null`),
    index('users_organization_idx').on(t.organizationId),
  ],
);

export type User = typeof users.$inferSelect;
