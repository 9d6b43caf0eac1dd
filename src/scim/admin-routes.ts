// The staff API of SCIM clients (DESIGN.md §8, §9 "Clients"): create one for an organization (its token shown once),
// list them, see what one manages, revoke one. Declared in a staff-only resource: 404 to everyone else.
import { z } from 'zod';
import { requestParty } from '../audit/index.ts';
import type { Config } from '../platform/config.ts';
import type { App } from '../platform/http.ts';
import { idParams, requiredText } from '../platform/input.ts';
import type { ScimClientService, ScimClientSummary } from './clients.ts';

const tags = ['admin'];
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const scimClientSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  users_count: z.number().int(),
  groups_count: z.number().int(),
});

export const scimClientDetailSchema = scimClientSchema.extend({
  users: z.array(
    z.object({
      id: z.uuid(),
      email: z.string().nullable(),
      name: z.string(),
      user_name: z.string(),
      is_active: z.boolean(),
    }),
  ),
  groups: z.array(z.object({ id: z.uuid(), name: z.string(), members_count: z.number().int() })),
});

export const createdScimClientSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  token: z.string(),
  created_at: z.string(),
});

function serializeSummary(c: ScimClientSummary): z.infer<typeof scimClientSchema> {
  return {
    id: c.id,
    name: c.name,
    created_at: c.createdAt.toISOString(),
    last_used_at: iso(c.lastUsedAt),
    revoked_at: iso(c.revokedAt),
    users_count: c.usersCount,
    groups_count: c.groupsCount,
  };
}

export interface ScimClientRoutesDeps {
  config: Config;
  clients: ScimClientService;
}

export function scimClientRoutes(app: App, { clients }: ScimClientRoutesDeps): void {
  const path = '/api/v1.0/admin/organizations/:id/scim-clients/';

  app.post(
    path,
    {
      schema: {
        tags,
        summary: 'Create a SCIM client for the organization; its token is in this answer only (staff)',
        params: idParams('id'),
        body: z.strictObject({ name: requiredText(100) }),
        response: { 201: createdScimClientSchema },
      },
    },
    async (request, reply) => {
      const created = await clients.create(request.params.id, request.body.name, requestParty(request));
      // The token must not linger in a shared cache or the browser's disk cache.
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({
        id: created.id,
        name: created.name,
        token: created.token,
        created_at: created.createdAt.toISOString(),
      });
    },
  );

  app.get(
    path,
    {
      schema: {
        tags,
        summary: "The organization's SCIM clients, without their tokens (staff)",
        params: idParams('id'),
        response: { 200: z.array(scimClientSchema) },
      },
    },
    async (request) => (await clients.list(request.params.id)).map(serializeSummary),
  );

  app.get(
    `${path}:clientId/`,
    {
      schema: {
        tags,
        summary: 'A SCIM client with the first 100 users and groups it manages, by name (staff)',
        params: idParams('id', 'clientId'),
        response: { 200: scimClientDetailSchema },
      },
    },
    async (request) => {
      const found = await clients.detail(request.params.id, request.params.clientId);
      return {
        ...serializeSummary(found),
        users: found.users.map((u) => ({
          id: u.id,
          email: u.email,
          name: u.name,
          user_name: u.userName,
          is_active: u.isActive,
        })),
        groups: found.groups.map((g) => ({ id: g.id, name: g.name, members_count: g.membersCount })),
      };
    },
  );

  app.delete(
    `${path}:clientId/`,
    {
      schema: {
        tags,
        summary: 'Revoke a SCIM client at once; revoking a revoked one changes nothing (staff)',
        params: idParams('id', 'clientId'),
      },
    },
    async (request, reply) => {
      await clients.revoke(request.params.id, request.params.clientId, requestParty(request));
      return reply.code(204).send();
    },
  );
}
