// Organizations (DESIGN.md §7): the administration an agent works for, known by registration ids (SIRET) and mail
// domains. Each id and each domain belongs to one organization only: unique keys in their own tables, so the
// database refuses a second owner whatever the code does.
import { boolean, index, jsonb, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';

export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: varchar('name', { length: 255 }).notNull(),
    isActive: boolean('is_active').notNull().default(true),
    /** Free data a deployment describes with ORGANIZATION_METADATA_SCHEMA (validated when staff change it). */
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('organizations_name_idx').on(t.name)],
);

export const organizationRegistrationIds = pgTable(
  'organization_registration_ids',
  {
    registrationId: varchar('registration_id', { length: 128 }).primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
  },
  (t) => [index('organization_registration_ids_org_idx').on(t.organizationId)],
);

export const organizationDomains = pgTable(
  'organization_domains',
  {
    /** Lower case, as email domains compare. */
    domain: varchar('domain', { length: 253 }).primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
  },
  (t) => [index('organization_domains_org_idx').on(t.organizationId)],
);

export type Organization = typeof organizations.$inferSelect;
