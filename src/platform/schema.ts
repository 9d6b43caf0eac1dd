// Durable background jobs (the mail outbox, onboarding calls): written in the request's transaction, run after commit.
import { sql } from 'drizzle-orm';
import {
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

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: varchar('kind', { length: 50 }).notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** pending → done, or failed after the last attempt. */
    status: varchar('status', { length: 10 }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    runAt: timestamp('run_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** A worker holds the job until then; another worker may take it after (crash recovery). */
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    /** Written afresh by each claim: only the worker holding the current claim may complete or fail the job. */
    claimToken: uuid('claim_token'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    doneAt: timestamp('done_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('jobs_due_idx').on(t.status, t.runAt),
    index('jobs_kind_idx').on(t.kind, t.createdAt),
    // One queued audit prune at most: pods starting together each try to queue it (`on conflict do nothing`).
    uniqueIndex('jobs_one_pending_audit_prune_idx')
      .on(t.kind)
      .where(sql`${t.kind} = 'audit.prune' and ${t.status} = 'pending'`),
    // One queued check of the mail domains' status at dimail (DESIGN.md §11), whatever the number of pods.
    uniqueIndex('jobs_one_pending_mail_domain_check_idx')
      .on(t.kind)
      .where(sql`${t.kind} = 'mail_domains.check' and ${t.status} = 'pending'`),
  ],
);

export type Job = typeof jobs.$inferSelect;
