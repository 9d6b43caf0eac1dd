// HTTP routes of contacts. Validation errors of `data` are keyed by their path, e.g. {"data.emails.0.value": ["…"]}.
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import { PermissionDenied } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { idParams, requiredText, text, uuid } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { requireUser } from '../users/index.ts';
import { contactData } from './data-schema.ts';
import type { Contact } from './schema.ts';
import type { ContactService } from './service.ts';

export const contactSchema = z.object({
  id: z.uuid(),
  override: z.uuid().nullable(),
  owner: z.uuid().nullable(),
  user: z.uuid().nullable(),
  full_name: z.string(),
  short_name: z.string(),
  notes: z.string(),
  data: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
});

function serialize(c: Contact): z.infer<typeof contactSchema> {
  return {
    id: c.id,
    override: c.overrideId,
    owner: c.ownerId,
    user: c.userId,
    full_name: c.fullName,
    short_name: c.shortName,
    notes: c.notes,
    data: c.data,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

const fields = {
  short_name: text(30).optional(),
  notes: text(10_000).optional(),
  data: contactData.optional(),
  override: uuid().nullable().optional(),
};
const createBody = z.strictObject({ full_name: requiredText(150), ...fields });
const updateBody = z.strictObject({ full_name: requiredText(150).optional(), ...fields });

export function contactRoutes(
  app: App,
  { config, contacts }: { config: Config; contacts: ContactService },
): void {
  const tags = ['contacts'];
  const params = idParams('id');

  app.get(
    '/api/v1.0/contacts/',
    {
      schema: {
        tags,
        summary: 'My contacts and the shared ones',
        querystring: pageQuery.extend({ q: text(100).optional() }),
        response: { 200: pageOf(contactSchema) },
      },
    },
    async (request) => {
      const { q, ...page } = request.query;
      const rows = await contacts.list(requireUser(request), {
        ...(q ? { q } : {}),
        limit: page.page_size,
        offset: offsetOf(page),
      });
      return paged(request, config, page, rows[0]?.total ?? 0, rows.map(serialize));
    },
  );

  app.post(
    '/api/v1.0/contacts/',
    {
      schema: {
        tags,
        summary: 'Create a contact (or my override of a shared one)',
        body: createBody,
        response: { 201: contactSchema },
      },
    },
    async (request, reply) => {
      const me = requireUser(request);
      if (!config.FEATURE_CONTACTS_CREATE) throw new PermissionDenied('Creating contacts is turned off.');
      return reply.code(201).send(serialize(await contacts.create(me, request.body)));
    },
  );

  app.get(
    '/api/v1.0/contacts/:id/',
    {
      schema: { tags, summary: 'One contact', params, response: { 200: contactSchema } },
    },
    async (request) => serialize(await contacts.get(requireUser(request), request.params.id)),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1.0/contacts/:id/',
      schema: {
        tags,
        summary: 'Change my contact',
        params,
        body: updateBody,
        response: { 200: contactSchema },
      },
      handler: async (request) =>
        serialize(await contacts.update(requireUser(request), request.params.id, request.body)),
    });
  }

  app.delete(
    '/api/v1.0/contacts/:id/',
    { schema: { tags, summary: 'Delete my contact (not a profile)', params } },
    async (request, reply) => {
      await contacts.remove(requireUser(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
