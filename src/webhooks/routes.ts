// HTTP routes of team webhooks: /api/v1.0/teams/{id}/webhooks/ (DESIGN.md §12).
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requestParty } from '../audit/index.ts';
import type { App } from '../platform/http.ts';
import { idParams, text } from '../platform/input.ts';
import { requireUser } from '../users/index.ts';
import { PROTOCOLS, STATUSES, type TeamWebhook } from './schema.ts';
import type { WebhookService } from './service.ts';

export const webhookSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  protocol: z.enum(PROTOCOLS),
  /** pending until a first delivery, then the outcome of the last attempt. */
  status: z.enum(STATUSES),
  /** What the last failed attempt met (the receiver's answer or the network's), until a delivery succeeds. */
  last_error: z.string().nullable(),
  last_success_at: z.string().nullable(),
  /** Whether a secret is set (it is never returned). */
  has_secret: z.boolean(),
  created_at: z.string(),
});

export function serializeWebhook(w: TeamWebhook): z.infer<typeof webhookSchema> {
  return {
    id: w.id,
    url: w.url,
    protocol: w.protocol,
    status: w.status,
    last_error: w.lastError,
    last_success_at: w.lastSuccessAt?.toISOString() ?? null,
    has_secret: w.secret !== null,
    created_at: w.createdAt.toISOString(),
  };
}

const newWebhook = z.strictObject({
  url: text(1000).min(1, 'This field may not be blank.'),
  protocol: z.enum(PROTOCOLS, { error: `Must be one of: ${PROTOCOLS.join(', ')}.` }).default('scim'),
  /** Sent as `Authorization: Bearer <secret>`; write only. */
  secret: text(1000, { trim: false })
    .regex(/^[\x21-\x7e]*$/, 'A secret is made of visible ASCII characters (it is sent in an HTTP header).')
    .nullable()
    .default(null),
});

/**
 * The routes: /api/v1.0/teams/{id}/webhooks/ for the team's owners and administrators, and
 * /api/v1.0/admin/teams/{id}/webhooks/ for staff (`asStaff`: the resource policy already requires staff).
 */
export function webhookRoutes(
  app: App,
  { webhooks, asStaff = false }: { webhooks: WebhookService; asStaff?: boolean },
): void {
  const tags = [asStaff ? 'admin' : 'team webhooks'];
  const user = (request: FastifyRequest) => requireUser(request);
  const teamParams = idParams('id');
  const oneParams = idParams('id', 'webhookId');
  const base = asStaff ? '/api/v1.0/admin/teams/:id/webhooks/' : '/api/v1.0/teams/:id/webhooks/';
  const who = asStaff ? 'staff' : 'administrators and owners';

  app.get(
    base,
    {
      schema: {
        tags,
        summary: `A team's webhooks, with the outcome of their last delivery (${who})`,
        params: teamParams,
        response: { 200: z.array(webhookSchema) },
      },
    },
    async (request) => (await webhooks.list(user(request), request.params.id, asStaff)).map(serializeWebhook),
  );

  app.post(
    base,
    {
      schema: {
        tags,
        summary: `Send the team's membership changes to a URL, by SCIM or Matrix (${who})`,
        params: teamParams,
        body: newWebhook,
        response: { 201: webhookSchema },
      },
    },
    async (request, reply) => {
      const { url, protocol, secret } = request.body;
      const created = await webhooks.create(
        user(request),
        request.params.id,
        { url, protocol, secret: secret ? secret : null },
        requestParty(request),
        asStaff,
      );
      return reply.code(201).send(serializeWebhook(created));
    },
  );

  app.get(
    `${base}:webhookId/`,
    { schema: { tags, summary: 'One webhook', params: oneParams, response: { 200: webhookSchema } } },
    async (request) =>
      serializeWebhook(
        await webhooks.get(user(request), request.params.id, request.params.webhookId, asStaff),
      ),
  );

  app.delete(
    `${base}:webhookId/`,
    { schema: { tags, summary: 'Remove a webhook, and the deliveries it has not sent', params: oneParams } },
    async (request, reply) => {
      await webhooks.remove(
        user(request),
        request.params.id,
        request.params.webhookId,
        requestParty(request),
        asStaff,
      );
      return reply.code(204).send();
    },
  );
}
