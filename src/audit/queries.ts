// All SQL on the audit log: the filtered, newest-first list and its keyset walk for exports, pruning, and the one
// queued prune job.
import { and, desc, eq, gte, lt, or, type SQL, sql } from 'drizzle-orm';
import { type Db, escapeLike, rowsOf } from '../platform/database.ts';
import { type AuditRow, auditEvents } from './schema.ts';

export interface AuditFilter {
  /** An actor id, or an actor label (email) in any case. */
  actor?: string;
  /** A target id, or a target label in any case. */
  target?: string;
  /** An event name; one ending with "." is a prefix ("access." finds every access event). */
  event?: string;
  /** From this instant, included. */
  since?: Date;
  /** Up to this instant, excluded. */
  until?: Date;
}

function conditions(filter: AuditFilter): SQL | undefined {
  const parts: (SQL | undefined)[] = [];
  if (filter.actor)
    parts.push(
      or(
        eq(auditEvents.actorId, filter.actor),
        sql`lower(${auditEvents.actorLabel}) = lower(${filter.actor})`,
      ),
    );
  if (filter.target)
    parts.push(
      or(
        eq(auditEvents.targetId, filter.target),
        sql`lower(${auditEvents.targetLabel}) = lower(${filter.target})`,
      ),
    );
  if (filter.event)
    parts.push(
      filter.event.endsWith('.')
        ? sql`${auditEvents.event} like ${`${escapeLike(filter.event)}%`}`
        : eq(auditEvents.event, filter.event),
    );
  if (filter.since) parts.push(gte(auditEvents.createdAt, filter.since));
  if (filter.until) parts.push(lt(auditEvents.createdAt, filter.until));
  return and(...parts);
}

/** One page, newest first, with the total of matches counted by the same query. */
export async function listAuditEvents(
  db: Db,
  filter: AuditFilter,
  limit: number,
  offset: number,
): Promise<{ rows: AuditRow[]; count: number }> {
  const found = await db
    .select({ row: auditEvents, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(auditEvents)
    .where(conditions(filter))
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(limit)
    .offset(offset);
  let count = found[0]?.total ?? 0;
  // Past the last page no row carries the total: count apart so the answer still says how many there are.
  if (!found.length && offset > 0)
    count = Number(
      (await db.select({ n: sql<number>`count(*)` }).from(auditEvents).where(conditions(filter)))[0]?.n ?? 0,
    );
  return { rows: found.map((f) => f.row), count };
}

/**
 * Every match, newest first, `batch` rows per query: keyset pagination on (created_at, id), so the export holds one
 * batch in memory and rows written meanwhile neither shift nor repeat it. The cursor is the timestamp as PostgreSQL
 * writes it (microseconds): a JavaScript Date keeps milliseconds and would skip or repeat rows.
 */
export async function* walkAuditEvents(db: Db, filter: AuditFilter, batch = 500): AsyncGenerator<AuditRow[]> {
  let cursor: { at: string; id: string } | undefined;
  for (;;) {
    const after = cursor
      ? sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`
      : undefined;
    const found = await db
      .select({ row: auditEvents, at: sql<string>`${auditEvents.createdAt}::text` })
      .from(auditEvents)
      .where(and(conditions(filter), after))
      .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
      .limit(batch);
    if (found.length) yield found.map((f) => f.row);
    const last = found.at(-1);
    if (!last || found.length < batch) return;
    cursor = { at: last.at, id: last.row.id };
  }
}

/**
 * Deletes the events created before `cutoff`, `batch` rows per statement so no statement holds many locks or runs
 * long; the only deletion the audit log knows. Returns how many went.
 */
export async function deleteAuditEventsBefore(db: Db, cutoff: Date, batch = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.execute(sql`
      delete from ${auditEvents} where ${auditEvents.id} in (
        select id from ${auditEvents} where ${auditEvents.createdAt} < ${cutoff.toISOString()}::timestamptz
        order by ${auditEvents.createdAt} limit ${batch})
      returning 1`);
    const deleted = rowsOf(result).length;
    total += deleted;
    if (deleted < batch) return total;
  }
}
