// Teams, their members' accesses (roles), and the service providers (other apps) each team is linked to.
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  pgTable,
  primaryKey,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { organizations } from '../organizations/schema.ts';
import { scimClients } from '../scim/schema.ts';
import { users } from '../users/schema.ts';

export const ROLES = ['member', 'administrator', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const teams = pgTable(
  'teams',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: varchar('name', { length: 100 }).notNull(),
    /**
     * The id other systems synchronize the team by (people's `external_id`): the resource server's SCIM `Me` lists
     * groups by it. Never changes, and kept by the import from people.
     */
    externalId: uuid('external_id').notNull().defaultRandom(),
    /** The team this one belongs to (people's tree, imported from treebeard's `path`); none for a root team. */
    parentId: uuid('parent_id').references((): AnyPgColumn => teams.id, { onDelete: 'set null' }),
    /**
     * The team's place in the tree (DESIGN.md §12), a materialised path as people's treebeard keeps it: steps of 5
     * characters [0-9A-Z], the parent's path then the team's own step, so the ancestors of a team are the prefixes of
     * its path (one index lookup each, however deep). Read only: the default gives a new team its step (from a
     * sequence, unique over all teams), and the `teams_path` triggers of migration 0015 put the parent's path in front
     * on insert and on every change of `parent_id`, descendants included, whoever writes the row (the API, the
     * import, a parent's deletion).
     */
    path: varchar('path', { length: 255 }).notNull().default(sql`desk_team_path_step()`),
    /** Visible to every service provider, not only the linked ones (resource server). */
    isVisibleAllServiceProviders: boolean('is_visible_all_service_providers').notNull().default(false),
    /** The organization of its creator (DESIGN.md §7). */
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'set null' }),
    /**
     * The SCIM client that manages the team as a group (DESIGN.md §9): its memberships are the directory's, read-only
     * in Desk's own API, web app and resource server. None for teams Desk's agents made.
     */
    scimClientId: uuid('scim_client_id').references(() => scimClients.id),
    /** The directory's own id for the group (SCIM `externalId`, set by the client; not the team's `external_id`). */
    scimExternalId: varchar('scim_external_id', { length: 255 }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('teams_name_idx').on(t.name),
    // SCIM lists and filters an organization's managed groups (DESIGN.md §9).
    index('teams_scim_organization_name_idx')
      .on(t.organizationId, sql`lower(${t.name})`)
      .where(sql`${t.scimClientId} is not null`),
    uniqueIndex('teams_external_id_key').on(t.externalId),
    index('teams_parent_idx').on(t.parentId).where(sql`${t.parentId} is not null`),
    // Equality (an ancestor by its path) and prefix matches (a subtree: `path like 'X%'`) on one index.
    uniqueIndex('teams_path_key').on(t.path.op('text_pattern_ops')),
  ],
);

export const teamAccesses = pgTable(
  'team_accesses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 20 }).$type<Role>().notNull().default('member'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('team_accesses_team_user_key').on(t.teamId, t.userId),
    index('team_accesses_user_idx').on(t.userId),
    index('team_accesses_team_role_idx').on(t.teamId, t.role),
    check('team_accesses_role_check', sql`${t.role} in ('member', 'administrator', 'owner')`),
  ],
);

/** Another app of the suite, known by the audience (client id) its access tokens name. */
export const serviceProviders = pgTable('service_providers', {
  id: uuid('id').primaryKey().defaultRandom(),
  audienceId: varchar('audience_id', { length: 255 }).notNull().unique(),
  name: varchar('name', { length: 255 }).notNull().default(''),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export const teamServiceProviders = pgTable(
  'team_service_providers',
  {
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    serviceProviderId: uuid('service_provider_id')
      .notNull()
      .references(() => serviceProviders.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.serviceProviderId] }),
    index('team_service_providers_sp_idx').on(t.serviceProviderId),
  ],
);

export type Team = typeof teams.$inferSelect;
export type TeamAccess = typeof teamAccesses.$inferSelect;
