// Events anyone can trigger at will (failed logins, refused tokens): a few rows per client network and minute, and a
// few per minute in all, so hammering a route from one address, a whole IPv6 /64 or a botnet cannot fill the audit
// table. What is left out is counted and written as one `suppressed` row at the next write that is let through.
import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import ipaddr from 'ipaddr.js';
import type { Db } from '../platform/database.ts';
import type { KeyValueStore } from '../platform/kv.ts';
import { type AuditEvent, recordAudit } from './record.ts';

/**
 * Rows of one event kind per client network (an IPv4 address, an IPv6 /64) and window, and in all per window.
 * Beyond either, events are counted, not written.
 */
export const AUDIT_CAP = { count: 10, total: 100, periodMs: 60_000 };

export type AuditCap = typeof AUDIT_CAP;

/** How long a count of left-out events waits for the next written row to report it. */
const DROPPED_TTL_MS = 86_400_000;

export interface CappedOptions {
  cap?: AuditCap;
  /** Where a failed write is reported: the refusal being recorded must still be answered as it is. */
  log?: FastifyBaseLogger;
}

/**
 * The network a client address is counted under: an IPv4 address as it is (also when written IPv4-mapped,
 * ::ffff:192.0.2.1), an IPv6 address by its /64 (one customer's allocation: it can use every address in it).
 */
export function addressGroup(ip: string | null | undefined): string {
  if (!ip) return 'unknown';
  const address = ip.trim().toLowerCase().replace(/%.*$/, '');
  if (isIPv4(address)) return address;
  // ipaddr.js: the parser @fastify/proxy-addr reads request.ip with.
  if (!isIPv6(address) || !ipaddr.IPv6.isValid(address)) return address.slice(0, 64);
  const parsed = ipaddr.IPv6.parse(address);
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  return `${parsed.parts
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/**
 * Writes the event unless its client network, or everyone together, already had its share of this kind in the
 * current window; true when written. Counted in the shared store (kv.hit: atomic increments, one budget for every
 * pod). A left-out event adds one to a counter; the next event written first takes that counter (kv.take: read and
 * delete in one step, so two writers never report the same events) and writes one `suppressed` row with how many
 * were left out. Rows per window stay within `total` events plus as many summaries.
 */
export async function recordCapped(
  db: Db,
  kv: KeyValueStore,
  event: AuditEvent,
  { cap = AUDIT_CAP, log }: CappedOptions = {},
): Promise<boolean> {
  const prefix = `audit-cap:${event.event}`;
  try {
    const network = await kv.hit(`${prefix}:net:${addressGroup(event.ip)}`, cap.periodMs);
    const allowed =
      network.count <= cap.count && (await kv.hit(`${prefix}:all`, cap.periodMs)).count <= cap.total;
    if (!allowed) {
      await kv.hit(`${prefix}:dropped`, DROPPED_TTL_MS);
      return false;
    }
    const dropped = Number((await kv.take(`${prefix}:dropped`)) ?? 0);
    if (dropped > 0) {
      await recordAudit(db, {
        event: event.event,
        actor: { type: 'system', id: null, label: 'audit cap' },
        details: {
          suppressed: true,
          dropped,
          limit_per_network: cap.count,
          limit_total: cap.total,
          window_seconds: Math.round(cap.periodMs / 1000),
        },
      }).catch((err: unknown) => {
        log?.warn({ err, event: event.event, dropped }, 'audit summary of left-out events not recorded');
      });
    }
    await recordAudit(db, event);
    return true;
  } catch (err) {
    // A refusal is not a change: failing to record it must not turn a 400/401 into a 500.
    log?.warn({ err, event: event.event }, 'audit event not recorded');
    return false;
  }
}
