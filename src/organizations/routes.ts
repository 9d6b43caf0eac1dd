// HTTP routes of organizations: one's own (members), and the staff API of DESIGN.md §8 (list, read, create, change,
// deactivate, merge).
import { z } from 'zod';
import { requestParty } from '../audit/index.ts';
import type { Config } from '../platform/config.ts';
import { NotFound } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { freeJsonObject, idParams, requiredText, text, uuid } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { requireUser } from '../users/index.ts';
import type { OrganizationView } from './queries.ts';
import type { OrganizationService } from './service.ts';

export const organizationSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  registration_id_list: z.array(z.string()),
  domain_list: z.array(z.string()),
  is_active: z.boolean(),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
});

export function serializeOrganization(o: OrganizationView): z.infer<typeof organizationSchema> {
  return {
    id: o.id,
    name: o.name,
    registration_id_list: o.registrationIds,
    domain_list: o.domains,
    is_active: o.isActive,
    metadata: o.metadata,
    created_at: o.createdAt.toISOString(),
    updated_at: o.updatedAt.toISOString(),
  };
}

export interface OrganizationRoutesDeps {
  config: Config;
  organizations: OrganizationService;
}

/** GET /api/v1.0/organizations/{id}/: the agent's own organization; any other answers 404. */
export function organizationRoutes(app: App, { organizations }: OrganizationRoutesDeps): void {
  app.get(
    '/api/v1.0/organizations/:id/',
    {
      schema: {
        tags: ['organizations'],
        summary: 'My organization',
        params: idParams('id'),
        response: { 200: organizationSchema },
      },
    },
    async (request) => {
      if (request.user?.organizationId !== request.params.id) throw new NotFound();
      return serializeOrganization(await organizations.get(request.params.id));
    },
  );
}

const keys = {
  registration_id_list: z.array(requiredText(128)).max(100).optional(),
  domain_list: z
    .array(
      requiredText(253).regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'Enter a domain such as example.gouv.fr.'),
    )
    .max(100)
    .optional(),
  metadata: freeJsonObject().optional(),
};

export function adminOrganizationRoutes(app: App, { config, organizations }: OrganizationRoutesDeps): void {
  const tags = ['admin'];
  app.get(
    '/api/v1.0/admin/organizations/',
    {
      schema: {
        tags,
        summary: 'All organizations (staff)',
        querystring: pageQuery.extend({ q: text(100).optional() }),
        response: { 200: pageOf(organizationSchema) },
      },
    },
    async (request) => {
      const { q, ...page } = request.query;
      const { rows, count } = await organizations.list({
        ...(q ? { q } : {}),
        limit: page.page_size,
        offset: offsetOf(page),
      });
      return paged(request, config, page, count, rows.map(serializeOrganization));
    },
  );

  app.post(
    '/api/v1.0/admin/organizations/',
    {
      schema: {
        tags,
        summary: 'Create an organization (staff)',
        body: z.strictObject({ name: requiredText(255), ...keys }),
        response: { 201: organizationSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(serializeOrganization(await organizations.create(request.body, requestParty(request)))),
  );

  app.get(
    '/api/v1.0/admin/organizations/:id/',
    {
      schema: {
        tags,
        summary: 'One organization (staff)',
        params: idParams('id'),
        response: { 200: organizationSchema },
      },
    },
    async (request) => serializeOrganization(await organizations.get(request.params.id)),
  );

  app.patch(
    '/api/v1.0/admin/organizations/:id/',
    {
      schema: {
        tags,
        summary: 'Rename, deactivate or change an organization (staff)',
        params: idParams('id'),
        body: z.strictObject({
          name: requiredText(255).optional(),
          is_active: z.boolean().optional(),
          ...keys,
        }),
        response: { 200: organizationSchema },
      },
    },
    async (request) =>
      serializeOrganization(
        await organizations.update(
          requireUser(request),
          request.params.id,
          request.body,
          requestParty(request),
        ),
      ),
  );

  app.post(
    '/api/v1.0/admin/organizations/:id/merge/',
    {
      schema: {
        tags,
        summary:
          'Move every user, team, id and domain of this organization into another, which remains (staff)',
        params: idParams('id'),
        body: z.strictObject({ into: uuid() }),
        response: {
          200: z.object({
            organization: organizationSchema,
            users: z.number().int(),
            teams: z.number().int(),
          }),
        },
      },
    },
    async (request) => {
      const merged = await organizations.merge(
        requireUser(request),
        request.params.id,
        request.body.into,
        requestParty(request),
      );
      return { ...merged, organization: serializeOrganization(merged.organization) };
    },
  );
}
