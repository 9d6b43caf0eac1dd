// Invitations to a team by email, for people who may never have signed in yet.
import { sql } from 'drizzle-orm';
import { check, index, pgTable, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { type Role, teams } from '../teams/schema.ts';
import { users } from '../users/schema.ts';

export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    email: varchar('email', { length: 254 }).notNull(),
    role: varchar('role', { length: 20 }).$type<Role>().notNull().default('member'),
    issuerId: uuid('issuer_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /**
     * Validity counts from here, as people counts it (a refreshed invitation is valid again): equal to created_at for
     * the invitations Desk makes (never updated), people's own for the imported ones.
     */
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    // DESIGN.md §4: one per (email, team), emails compared case-insensitively.
    uniqueIndex('invitations_team_email_key').on(t.teamId, sql`lower(${t.email})`),
    index('invitations_email_lower_idx').on(sql`lower(${t.email})`),
    check('invitations_role_check', sql`${t.role} in ('member', 'administrator', 'owner')`),
  ],
);

export type Invitation = typeof invitations.$inferSelect;
