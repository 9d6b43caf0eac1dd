// GET /api/v1.0/admin/audit-events/ (DESIGN.md §8): the audit log for staff, filtered, newest first, paged or
// streamed whole as JSON lines. Registered under a staff-only resource: the policy answers 404 to anyone else.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import type { App } from '../platform/http.ts';
import { instant, text } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { type AuditFilter, listAuditEvents, walkAuditEvents } from './queries.ts';
import type { AuditRow } from './schema.ts';

const party = z.object({ type: z.string(), id: z.string().nullable(), label: z.string() });

export const auditEventSchema = z.object({
  id: z.uuid(),
  created_at: z.string(),
  event: z.string(),
  actor: z.object({
    type: z.enum(['user', 'system', 'service_provider', 'scim_client']),
    id: z.string().nullable(),
    label: z.string(),
  }),
  target: party.nullable(),
  ip: z.string().nullable(),
  request_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export function serializeAuditEvent(row: AuditRow): z.infer<typeof auditEventSchema> {
  return {
    id: row.id,
    created_at: row.createdAt.toISOString(),
    event: row.event,
    actor: { type: row.actorType, id: row.actorId, label: row.actorLabel },
    target:
      row.targetType === null ? null : { type: row.targetType, id: row.targetId, label: row.targetLabel },
    ip: row.ip,
    request_id: row.requestId,
    details: row.details,
  };
}

export const auditQuery = pageQuery.extend({
  actor: text(255).optional(),
  target: text(255).optional(),
  event: text(64).optional(),
  since: instant().optional(),
  until: instant().optional(),
  format: z.enum(['json', 'jsonl']).default('json'),
});

/**
 * One event as one line of JSON. JSON leaves U+2028, U+2029 and U+0085 raw, and common line splitters (Python's
 * str.splitlines, Java's, editors) break a line there: written as escapes, an event is one line for every reader.
 */
export function jsonLine(value: unknown): string {
  const escaped = JSON.stringify(value).replace(
    /[\u0085\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${escaped}\n`;
}

/** The export's rows read per query: one batch in memory at a time, whatever the log's size. */
const EXPORT_BATCH = 500;

export interface AuditRoutesDeps {
  config: Config;
  database: Database;
}

export function auditRoutes(app: App, { config, database }: AuditRoutesDeps): void {
  app.get(
    '/api/v1.0/admin/audit-events/',
    {
      schema: {
        tags: ['admin'],
        summary:
          'The audit log (staff): filter by actor, target, event, since/until; newest first; ?format=jsonl exports every match',
        querystring: auditQuery,
        response: { 200: pageOf(auditEventSchema) },
      },
    },
    async (request, reply) => {
      const { actor, target, event, since, until, format, ...page } = request.query;
      const filter: AuditFilter = {
        ...(actor ? { actor } : {}),
        ...(target ? { target } : {}),
        ...(event ? { event } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
      };
      if (format === 'jsonl') {
        const lines = async function* () {
          for await (const rows of walkAuditEvents(database.db, filter, EXPORT_BATCH))
            yield rows.map((row) => jsonLine(serializeAuditEvent(row))).join('');
        };
        // A stream is sent as it is, past the page schema (hence the plain reply type): one event object a line.
        const stream = Readable.from(lines(), { objectMode: false });
        return (reply as FastifyReply)
          .type('application/x-ndjson; charset=utf-8')
          .header('content-disposition', 'attachment; filename="audit-events.jsonl"')
          .send(stream);
      }
      const { rows, count } = await listAuditEvents(database.db, filter, page.page_size, offsetOf(page));
      return paged(request, config, page, count, rows.map(serializeAuditEvent));
    },
  );
}
