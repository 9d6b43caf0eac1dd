// HTTP routes of documents for signed-in agents: mine, sharing with users and teams, invitations.
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import type { App } from '../platform/http.ts';
import { email, idParams, requiredText, text, uuid } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { requireUser } from '../users/index.ts';
import { documentAbilities } from './abilities.ts';
import { CONTENT_MAX_CHARS } from './create-for-owner.ts';
import { DOCUMENT_ROLES, type DocumentInvitation } from './schema.ts';
import type { DocumentAccessView, DocumentService, DocumentView } from './service.ts';

const role = z.enum(DOCUMENT_ROLES, { error: `Must be one of: ${DOCUMENT_ROLES.join(', ')}.` });

export const documentSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  content: z.string(),
  creator: z.uuid().nullable(),
  role,
  abilities: z.object({
    get: z.boolean(),
    put: z.boolean(),
    patch: z.boolean(),
    delete: z.boolean(),
    manage_accesses: z.boolean(),
  }),
  created_at: z.string(),
  updated_at: z.string(),
});

const documentAccessSchema = z.object({
  id: z.uuid(),
  user: z.object({ id: z.uuid(), name: z.string(), email: z.string().nullable() }).nullable(),
  team: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  role,
  abilities: z.object({
    get: z.boolean(),
    put: z.boolean(),
    patch: z.boolean(),
    delete: z.boolean(),
    set_role_to: z.array(role),
  }),
});

const documentInvitationSchema = z.object({
  id: z.uuid(),
  document: z.uuid(),
  email: z.string(),
  role,
  issuer: z.uuid().nullable(),
  created_at: z.string(),
});

function serializeDocument(d: DocumentView): z.infer<typeof documentSchema> {
  return {
    id: d.document.id,
    title: d.document.title,
    content: d.document.content,
    creator: d.document.creatorId,
    role: d.role,
    abilities: documentAbilities(d.role),
    created_at: d.document.createdAt.toISOString(),
    updated_at: d.document.updatedAt.toISOString(),
  };
}

function serializeAccess(a: DocumentAccessView): z.infer<typeof documentAccessSchema> {
  return {
    id: a.id,
    user: a.userId ? { id: a.userId, name: a.userName ?? '', email: a.userEmail } : null,
    team: a.teamId ? { id: a.teamId, name: a.teamName ?? '' } : null,
    role: a.role,
    abilities: a.abilities,
  };
}

function serializeInvitation(i: DocumentInvitation): z.infer<typeof documentInvitationSchema> {
  return {
    id: i.id,
    document: i.documentId,
    email: i.email,
    role: i.role,
    issuer: i.issuerId,
    created_at: i.createdAt.toISOString(),
  };
}

const content = text(CONTENT_MAX_CHARS, { trim: false });
const title = requiredText(255);

export function documentRoutes(
  app: App,
  { config, documents }: { config: Config; documents: DocumentService },
): void {
  const tags = ['documents'];
  const params = idParams('id');
  const accessParams = idParams('id', 'accessId');
  const invitationParams = idParams('id', 'invitationId');

  app.get(
    '/api/v1.0/documents/',
    {
      schema: {
        tags,
        summary: 'Documents I can read',
        querystring: pageQuery.extend({
          ordering: z
            .enum(['title', '-title', 'created_at', '-created_at', 'updated_at', '-updated_at'])
            .default('-updated_at'),
        }),
        response: { 200: pageOf(documentSchema) },
      },
    },
    async (request) => {
      const { ordering, ...page } = request.query;
      const { rows, count } = await documents.list(requireUser(request), {
        ordering,
        limit: page.page_size,
        offset: offsetOf(page),
      });
      return paged(request, config, page, count, rows.map(serializeDocument));
    },
  );

  app.post(
    '/api/v1.0/documents/',
    {
      schema: {
        tags,
        summary: 'Create a document (its creator owns it)',
        body: z.strictObject({ title, content: content.default('') }),
        response: { 201: documentSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          serializeDocument(
            await documents.create(requireUser(request), request.body.title, request.body.content),
          ),
        ),
  );

  app.get(
    '/api/v1.0/documents/:id/',
    { schema: { tags, summary: 'One document', params, response: { 200: documentSchema } } },
    async (request) => serializeDocument(await documents.get(requireUser(request), request.params.id)),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1.0/documents/:id/',
      schema: {
        tags,
        summary: 'Change a document (owners and editors)',
        params,
        body: z.strictObject({ title: title.optional(), content: content.optional() }),
        response: { 200: documentSchema },
      },
      handler: async (request) =>
        serializeDocument(await documents.update(requireUser(request), request.params.id, request.body)),
    });
  }

  app.delete(
    '/api/v1.0/documents/:id/',
    { schema: { tags, summary: 'Delete a document (owners)', params } },
    async (request, reply) => {
      await documents.remove(requireUser(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1.0/documents/:id/accesses/',
    {
      schema: {
        tags,
        summary: 'Who can read the document',
        params,
        querystring: pageQuery,
        response: { 200: pageOf(documentAccessSchema) },
      },
    },
    async (request) => {
      const page = request.query;
      const { rows, count } = await documents.accesses(
        requireUser(request),
        request.params.id,
        page.page_size,
        offsetOf(page),
      );
      return paged(request, config, page, count, rows.map(serializeAccess));
    },
  );

  app.post(
    '/api/v1.0/documents/:id/accesses/',
    {
      schema: {
        tags,
        summary: 'Share with a user or a team (owners)',
        params,
        body: z.strictObject({
          user: uuid().optional(),
          team: uuid().optional(),
          role: role.default('reader'),
        }),
        response: { 201: documentAccessSchema },
      },
    },
    async (request, reply) => {
      const { role: r, ...target } = request.body;
      const access = await documents.share(requireUser(request), request.params.id, target, r);
      return reply.code(201).send(serializeAccess(access));
    },
  );

  app.get(
    '/api/v1.0/documents/:id/accesses/:accessId/',
    {
      schema: { tags, summary: 'One access', params: accessParams, response: { 200: documentAccessSchema } },
    },
    async (request) =>
      serializeAccess(
        await documents.access(requireUser(request), request.params.id, request.params.accessId),
      ),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1.0/documents/:id/accesses/:accessId/',
      schema: {
        tags,
        summary: 'Change an access role (owners)',
        params: accessParams,
        body: z.strictObject({ role }),
        response: { 200: documentAccessSchema },
      },
      handler: async (request) =>
        serializeAccess(
          await documents.changeRole(
            requireUser(request),
            request.params.id,
            request.params.accessId,
            request.body.role,
          ),
        ),
    });
  }

  app.delete(
    '/api/v1.0/documents/:id/accesses/:accessId/',
    { schema: { tags, summary: 'Remove an access (owners)', params: accessParams } },
    async (request, reply) => {
      await documents.unshare(requireUser(request), request.params.id, request.params.accessId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1.0/documents/:id/invitations/',
    {
      schema: {
        tags,
        summary: 'Pending invitations',
        params,
        response: { 200: z.array(documentInvitationSchema) },
      },
    },
    async (request) =>
      (await documents.invitations(requireUser(request), request.params.id)).map(serializeInvitation),
  );

  app.post(
    '/api/v1.0/documents/:id/invitations/',
    {
      schema: {
        tags,
        summary: 'Invite by email (owners); an existing user gets the access at once',
        params,
        body: z.strictObject({
          email: email(),
          role: role.default('reader'),
        }),
        response: {
          201: z.union([
            documentInvitationSchema,
            z.object({ detail: z.string(), access: documentAccessSchema }),
          ]),
        },
      },
    },
    async (request, reply) => {
      const me = requireUser(request);
      const outcome = await documents.invite(me, request.params.id, request.body.email, request.body.role);
      if (outcome.kind === 'invitation') return reply.code(201).send(serializeInvitation(outcome.invitation));
      const access = await documents.access(me, request.params.id, outcome.accessId);
      return reply.code(201).send({
        detail: 'This email belongs to an existing user: they were given access at once.',
        access: serializeAccess(access),
      });
    },
  );

  app.get(
    '/api/v1.0/documents/:id/invitations/:invitationId/',
    {
      schema: {
        tags,
        summary: 'One invitation',
        params: invitationParams,
        response: { 200: documentInvitationSchema },
      },
    },
    async (request) =>
      serializeInvitation(
        await documents.invitation(requireUser(request), request.params.id, request.params.invitationId),
      ),
  );

  app.delete(
    '/api/v1.0/documents/:id/invitations/:invitationId/',
    { schema: { tags, summary: 'Cancel an invitation (owners)', params: invitationParams } },
    async (request, reply) => {
      await documents.cancelInvitation(requireUser(request), request.params.id, request.params.invitationId);
      return reply.code(204).send();
    },
  );
}
