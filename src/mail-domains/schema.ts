// Mail domains (DESIGN.md §11, people's mailbox_manager): the domains an administration runs its agents' mail on,
// who manages each (accesses, invitations), and the mailboxes and aliases made on the mail platform (dimail).
import { sql } from 'drizzle-orm';
import {
  boolean,
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
import { organizations } from '../organizations/schema.ts';
import { users } from '../users/schema.ts';

export const DOMAIN_ROLES = ['viewer', 'administrator', 'owner'] as const;
export type DomainRole = (typeof DOMAIN_ROLES)[number];

export const DOMAIN_STATUSES = ['pending', 'enabled', 'failed', 'disabled', 'action_required'] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

export const MAILBOX_STATUSES = ['pending', 'enabled', 'failed', 'disabled'] as const;
export type MailboxStatus = (typeof MAILBOX_STATUSES)[number];

export const ALIAS_STATUSES = ['pending', 'enabled', 'failed'] as const;
export type AliasStatus = (typeof ALIAS_STATUSES)[number];

/** One check of dimail's report: `ok` and `internal` come as booleans or as the strings "true"/"false". */
export interface DomainCheck {
  ok?: boolean | string;
  internal?: boolean | string;
  errors?: { code?: string; detail?: string }[];
}
export type CheckReport = Record<string, unknown>;
export interface DnsRecord {
  target: string;
  type: string;
  value: string;
}

const created = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updated = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

export const mailDomains = pgTable(
  'mail_domains',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Lower-case ASCII (an internationalized name is stored in its xn-- form). */
    name: varchar('name', { length: 150 }).notNull(),
    slug: varchar('slug', { length: 80 }).notNull(),
    status: varchar('status', { length: 20 }).$type<DomainStatus>().notNull().default('pending'),
    supportEmail: varchar('support_email', { length: 254 }).notNull(),
    /** dimail's last check report, as it sent it. */
    lastCheckDetails: jsonb('last_check_details').$type<CheckReport>(),
    lastCheckedAt: timestamp('last_checked_at', { withTimezone: true, mode: 'date' }),
    /** The DNS records dimail expects (its `spec`). */
    expectedConfig: jsonb('expected_config').$type<DnsRecord[]>(),
    /** dimail has the domain: false until its creation there succeeded (a job finishes it after an outage). */
    onPlatform: boolean('on_platform').notNull().default(false),
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'set null' }),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('mail_domains_name_key').on(t.name),
    uniqueIndex('mail_domains_slug_key').on(t.slug),
    index('mail_domains_organization_idx').on(t.organizationId),
    check('mail_domains_status_check', sql`${t.status} in (${inList(DOMAIN_STATUSES)})`),
  ],
);

export const mailDomainAccesses = pgTable(
  'mail_domain_accesses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    domainId: uuid('domain_id')
      .notNull()
      .references(() => mailDomains.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 20 }).$type<DomainRole>().notNull().default('viewer'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('mail_domain_accesses_domain_user_key').on(t.domainId, t.userId),
    index('mail_domain_accesses_user_idx').on(t.userId),
    check('mail_domain_accesses_role_check', sql`${t.role} in (${inList(DOMAIN_ROLES)})`),
  ],
);

export const mailboxes = pgTable(
  'mailboxes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    domainId: uuid('domain_id')
      .notNull()
      .references(() => mailDomains.id, { onDelete: 'cascade' }),
    firstName: varchar('first_name', { length: 200 }).notNull(),
    lastName: varchar('last_name', { length: 200 }).notNull(),
    /** Lower case, [a-z0-9_.-]. */
    localPart: varchar('local_part', { length: 150 }).notNull(),
    secondaryEmail: varchar('secondary_email', { length: 254 }),
    /** pending until dimail has it in the state asked (`active`); failed when dimail refused it. */
    status: varchar('status', { length: 20 }).$type<MailboxStatus>().notNull().default('pending'),
    /** What its administrators asked: enabled (true) or disabled. */
    active: boolean('active').notNull().default(true),
    /** dimail has the mailbox (created there). */
    onPlatform: boolean('on_platform').notNull().default(false),
    lastError: text('last_error'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('mailboxes_domain_local_part_key').on(t.domainId, t.localPart),
    // The mail platform's display name ("first last") is unique in a domain, compared case-insensitively.
    uniqueIndex('mailboxes_domain_display_name_key').on(
      t.domainId,
      sql`lower(${t.firstName})`,
      sql`lower(${t.lastName})`,
    ),
    index('mailboxes_pending_idx').on(t.domainId).where(sql`${t.status} = 'pending'`),
    check('mailboxes_status_check', sql`${t.status} in (${inList(MAILBOX_STATUSES)})`),
  ],
);

export const mailAliases = pgTable(
  'mail_aliases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    domainId: uuid('domain_id')
      .notNull()
      .references(() => mailDomains.id, { onDelete: 'cascade' }),
    localPart: varchar('local_part', { length: 100 }).notNull(),
    destination: varchar('destination', { length: 254 }).notNull(),
    status: varchar('status', { length: 20 }).$type<AliasStatus>().notNull().default('pending'),
    lastError: text('last_error'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('mail_aliases_domain_local_part_destination_key').on(
      t.domainId,
      t.localPart,
      sql`lower(${t.destination})`,
    ),
    check('mail_aliases_status_check', sql`${t.status} in (${inList(ALIAS_STATUSES)})`),
  ],
);

export const mailDomainInvitations = pgTable(
  'mail_domain_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    domainId: uuid('domain_id')
      .notNull()
      .references(() => mailDomains.id, { onDelete: 'cascade' }),
    email: varchar('email', { length: 254 }).notNull(),
    role: varchar('role', { length: 20 }).$type<DomainRole>().notNull().default('viewer'),
    issuerId: uuid('issuer_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: created(),
    /** A refresh moves it: the invitation is valid INVITATION_VALIDITY_DURATION from here (as people). */
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('mail_domain_invitations_domain_email_key').on(t.domainId, sql`lower(${t.email})`),
    index('mail_domain_invitations_email_lower_idx').on(sql`lower(${t.email})`),
    check('mail_domain_invitations_role_check', sql`${t.role} in (${inList(DOMAIN_ROLES)})`),
  ],
);

export type MailDomain = typeof mailDomains.$inferSelect;
export type Mailbox = typeof mailboxes.$inferSelect;
export type MailAlias = typeof mailAliases.$inferSelect;
export type MailDomainInvitation = typeof mailDomainInvitations.$inferSelect;
