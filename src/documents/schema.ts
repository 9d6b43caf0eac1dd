// Documents created for agents (often by trusted back-ends), their accesses per user or per team, and email invitations.
import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { teams } from '../teams/schema.ts';
import { users } from '../users/schema.ts';

export const DOCUMENT_ROLES = ['reader', 'editor', 'owner'] as const;
export type DocumentRole = (typeof DOCUMENT_ROLES)[number];

export const documents = pgTable(
  'documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: varchar('title', { length: 255 }).notNull(),
    content: text('content').notNull().default(''),
    creatorId: uuid('creator_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('documents_created_idx').on(t.createdAt)],
);

export const documentAccesses = pgTable(
  'document_accesses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    documentId: uuid('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 20 }).$type<DocumentRole>().notNull().default('reader'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('document_accesses_document_user_key').on(t.documentId, t.userId),
    uniqueIndex('document_accesses_document_team_key').on(t.documentId, t.teamId),
    index('document_accesses_user_idx').on(t.userId),
    index('document_accesses_team_idx').on(t.teamId),
    check('document_accesses_one_target', sql`(${t.userId} is null) <> (${t.teamId} is null)`),
    check('document_accesses_role_check', sql`${t.role} in ('reader', 'editor', 'owner')`),
  ],
);

export const documentInvitations = pgTable(
  'document_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    documentId: uuid('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    email: varchar('email', { length: 254 }).notNull(),
    role: varchar('role', { length: 20 }).$type<DocumentRole>().notNull().default('reader'),
    issuerId: uuid('issuer_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('document_invitations_document_email_key').on(t.documentId, sql`lower(${t.email})`),
    index('document_invitations_email_idx').on(sql`lower(${t.email})`),
    check('document_invitations_role_check', sql`${t.role} in ('reader', 'editor', 'owner')`),
  ],
);

/** The first answer to a server-to-server call, replayed when the caller retries with the same Idempotency-Key. */
export const idempotencyKeys = pgTable('idempotency_keys', {
  /** SHA-256 of the caller's token and its key: callers cannot read each other's answers. */
  key: varchar('key', { length: 64 }).primaryKey(),
  status: integer('status').notNull(),
  response: jsonb('response').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export type Document = typeof documents.$inferSelect;
export type DocumentAccess = typeof documentAccesses.$inferSelect;
export type DocumentInvitation = typeof documentInvitations.$inferSelect;
