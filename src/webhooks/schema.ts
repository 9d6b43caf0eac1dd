// Team webhooks (DESIGN.md §12): where a team's membership changes are sent, and the deliveries not yet made.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { teams } from '../teams/schema.ts';

export const PROTOCOLS = ['scim', 'matrix'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
/** people's statuses: pending until a first delivery, then the outcome of the last attempt. */
export const STATUSES = ['pending', 'success', 'failure'] as const;
export type WebhookStatus = (typeof STATUSES)[number];

export const teamWebhooks = pgTable(
  'team_webhooks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    url: varchar('url', { length: 1000 }).notNull(),
    protocol: varchar('protocol', { length: 10 }).$type<Protocol>().notNull(),
    /** The bearer secret sent to the receiver, encrypted with a key derived from SECRET_KEY (secrets.ts); never returned. */
    secret: text('secret'),
    status: varchar('status', { length: 10 }).$type<WebhookStatus>().notNull().default('pending'),
    lastError: text('last_error'),
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true, mode: 'date' }),
    /**
     * One delivery at a time per webhook, across pods: a worker holds the webhook until then (its lease), so the
     * receiver gets the changes in order.
     */
    deliveringUntil: timestamp('delivering_until', { withTimezone: true, mode: 'date' }),
    deliveryToken: uuid('delivery_token'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('team_webhooks_team_idx').on(t.teamId),
    check('team_webhooks_protocol_check', sql`${t.protocol} in ('scim', 'matrix')`),
    check('team_webhooks_status_check', sql`${t.status} in ('pending', 'success', 'failure')`),
  ],
);

/**
 * A membership change a webhook has still to send, written by the `team_accesses_webhooks_*` triggers (migration
 * 0016) in the transaction of the change, whoever makes it (the API, invitations, SCIM): sent oldest first, deleted
 * once sent or given up. The user's sub and email are kept as they were: a removed user may be gone by then.
 */
export const teamWebhookDeliveries = pgTable(
  'team_webhook_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    webhookId: uuid('webhook_id')
      .notNull()
      .references(() => teamWebhooks.id, { onDelete: 'cascade' }),
    action: varchar('action', { length: 6 }).$type<'add' | 'remove'>().notNull(),
    userId: uuid('user_id').notNull(),
    sub: varchar('sub', { length: 255 }),
    email: varchar('email', { length: 254 }),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('team_webhook_deliveries_webhook_idx').on(t.webhookId, t.id),
    check('team_webhook_deliveries_action_check', sql`${t.action} in ('add', 'remove')`),
  ],
);

export type TeamWebhook = typeof teamWebhooks.$inferSelect;
export type TeamWebhookDelivery = typeof teamWebhookDeliveries.$inferSelect;
