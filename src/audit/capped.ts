// Events anyone can trigger at will (failed logins, refused tokens): a few rows per client address and minute, then
// one row saying the rest were left out, so hammering a route cannot fill the audit table.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../platform/database.ts';
import type { KeyValueStore } from '../platform/kv.ts';
import { type AuditEvent, recordAudit } from './record.ts';

/** Rows of one event kind per client address and window: then one more, marked `suppressed`, and none after. */
export const AUDIT_CAP = { count: 10, periodMs: 60_000 };

export interface CappedOptions {
  cap?: { count: number; periodMs: number };
  /** Where a failed write is reported: the refusal being recorded must still be answered as it is. */
  log?: FastifyBaseLogger;
}

/**
 * Writes the event unless this address already had its share of this kind in the current window; true when
 * written. Counted in the shared store (kv.hit, one atomic increment), so every pod shares one budget.
 */
export async function recordCapped(
  db: Db,
  kv: KeyValueStore,
  event: AuditEvent,
  { cap = AUDIT_CAP, log }: CappedOptions = {},
): Promise<boolean> {
  try {
    const { count } = await kv.hit(`audit-cap:${event.event}:${event.ip ?? 'unknown'}`, cap.periodMs);
    if (count > cap.count + 1) return false;
    const details =
      count === cap.count + 1
        ? {
            ...event.details,
            // The aggregate: what follows from this address in this window is not written one by one.
            suppressed: true,
            limit: cap.count,
            window_seconds: Math.round(cap.periodMs / 1000),
          }
        : event.details;
    await recordAudit(db, { ...event, ...(details ? { details } : {}) });
    return true;
  } catch (err) {
    // A refusal is not a change: failing to record it must not turn a 400/401 into a 500.
    log?.warn({ err, event: event.event }, 'audit event not recorded');
    return false;
  }
}
