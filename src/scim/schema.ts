// SCIM 2.0 provisioning (DESIGN.md §9): the clients an organization's identity provider calls Desk with, and what
// SCIM stores about the users it provisions beyond Desk's own user row.
import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { organizations } from '../organizations/schema.ts';
import { users } from '../users/schema.ts';

/** One identity provider's connection to one organization; its bearer token is kept only as a SHA-256 digest. */
export const scimClients = pgTable(
  'scim_clients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 100 }).notNull(),
    /** hex SHA-256 of the token: 32 random bytes need no slow hash, and a lookup by digest is one index probe. */
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    /** Revoked clients stay (the teams and users they provisioned still name them) but their token stops working. */
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('scim_clients_token_hash_key').on(t.tokenHash),
    index('scim_clients_organization_idx').on(t.organizationId),
  ],
);

/**
 * A user an organization's directory provisions: the SCIM attributes Desk keeps (RFC 7643 §4.1). The row is the
 * user's presence in SCIM: DELETE removes it (the user stays, disabled), and the organization scopes every lookup.
 */
export const scimUsers = pgTable(
  'scim_users',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** The client that created or last changed the user (the back office lists what each client manages). */
    clientId: uuid('client_id')
      .notNull()
      .references(() => scimClients.id),
    userName: varchar('user_name', { length: 255 }).notNull(),
    externalId: varchar('external_id', { length: 255 }),
    givenName: varchar('given_name', { length: 100 }),
    familyName: varchar('family_name', { length: 100 }),
    formatted: varchar('formatted', { length: 255 }),
    displayName: varchar('display_name', { length: 255 }),
    /** RFC 7643 emails as sent: [{value, type, primary, display}]. */
    emails: jsonb('emails').$type<ScimEmail[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    // RFC 7643: userName is unique and compared case-insensitively; Desk scopes it to the organization.
    uniqueIndex('scim_users_organization_user_name_key').on(t.organizationId, sql`lower(${t.userName})`),
    // `userName co "…"` inside one organization: one GIN probe (btree_gin, migration 0008, puts the organization in it).
    index('scim_users_organization_user_name_trgm_idx').using(
      'gin',
      t.organizationId,
      sql`lower(${t.userName}) gin_trgm_ops`,
    ),
    index('scim_users_organization_external_id_idx').on(t.organizationId, t.externalId),
    index('scim_users_organization_updated_idx').on(t.organizationId, t.updatedAt),
    index('scim_users_client_idx').on(t.clientId),
  ],
);

export interface ScimEmail {
  value: string;
  type?: string;
  primary?: boolean;
  display?: string;
}

export type ScimClient = typeof scimClients.$inferSelect;
export type ScimUser = typeof scimUsers.$inferSelect;
