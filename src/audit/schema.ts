// The audit log (DESIGN.md §8): an append-only record of every change made by staff and every security event.
import { index, jsonb, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';

export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** A stable name: login.succeeded, access.role_changed, user.disabled… */
    event: varchar('event', { length: 64 }).notNull(),
    actorType: varchar('actor_type', { length: 20 })
      .$type<'user' | 'system' | 'service_provider' | 'scim_client'>()
      .notNull(),
    actorId: varchar('actor_id', { length: 255 }),
    actorLabel: varchar('actor_label', { length: 255 }).notNull().default(''),
    targetType: varchar('target_type', { length: 40 }),
    targetId: varchar('target_id', { length: 255 }),
    targetLabel: varchar('target_label', { length: 255 }).notNull().default(''),
    ip: varchar('ip', { length: 64 }),
    requestId: varchar('request_id', { length: 128 }),
    /** Small and never secret: roles before and after, the reason of a refusal, a count. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('audit_events_created_idx').on(t.createdAt),
    index('audit_events_actor_idx').on(t.actorId, t.createdAt),
    index('audit_events_target_idx').on(t.targetId, t.createdAt),
    index('audit_events_event_idx').on(t.event, t.createdAt),
  ],
);

export type AuditRow = typeof auditEvents.$inferSelect;
