// The API other apps of the suite call with an agent's access token: teams visible to that service, invitations,
// SCIM Me; and the public keys introspection answers are encrypted to.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type AuditContext, requestOrigin, userParty } from '../audit/index.ts';
import type { Resource } from '../auth/index.ts';
import {
  EXISTING_USER_DETAIL,
  type InvitationService,
  invitationBody,
  invitationSchema,
  serializeInvitation,
} from '../invitations/index.ts';
import type { Config } from '../platform/config.ts';
import { HttpError, NotFound } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { idParams, requiredText } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { serializeTeam, teamSchema } from '../teams/index.ts';
import { BearerMissing } from './errors.ts';
import type { DecryptionKey } from './keys.ts';
import type { Caller, ResourceServerService } from './service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The agent and service provider the bearer token speaks for. */
    bearer: Caller | null;
  }
}

export const RS_PREFIX = '/resource-server/v1.0';

export interface ResourceServerDeps {
  config: Config;
  keys: DecryptionKey[];
  service: ResourceServerService;
  invitations: InvitationService;
}

function jwksRoute(app: App, url: string, keys: DecryptionKey[]): void {
  app.get(
    url,
    {
      schema: {
        tags: ['resource server'],
        summary: "Desk's public encryption keys (RFC 9701 responses are encrypted to them)",
      },
    },
    async () => {
      if (!keys.length)
        throw new NotFound(
          'No encryption key is configured (OIDC_RS_PRIVATE_KEY_STR or OIDC_RS_PRIVATE_KEY_FILE).',
        );
      return { keys: keys.map((k) => k.publicJwk) };
    },
  );
}

function scimError(status: number, detail: string) {
  return { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail };
}

function caller(request: FastifyRequest): Caller {
  if (!request.bearer) throw new BearerMissing();
  return request.bearer;
}

/** The agent acting through the calling service, for the audit log, with the client address and the request id. */
function auditParty(request: FastifyRequest): AuditContext {
  return { actor: userParty(caller(request).user), ...requestOrigin(request) };
}

function apiRoutes(api: App, { config, service, invitations }: ResourceServerDeps): void {
  const tags = ['resource server'];
  const params = idParams('id');
  const invitationParams = idParams('id', 'invitationId');
  const teamBody = z.strictObject({ name: requiredText(100) });

  api.get(
    `${RS_PREFIX}/teams/`,
    {
      schema: {
        tags,
        summary: "The agent's teams this service may see",
        response: { 200: z.array(teamSchema) },
      },
    },
    async (request) => (await service.teams(caller(request))).map(serializeTeam),
  );

  api.post(
    `${RS_PREFIX}/teams/`,
    {
      schema: {
        tags,
        summary: 'Create a team linked to this service (the agent owns it)',
        body: teamBody,
        response: { 201: teamSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          serializeTeam(await service.createTeam(caller(request), request.body.name, auditParty(request))),
        ),
  );

  api.get(
    `${RS_PREFIX}/teams/:id/`,
    { schema: { tags, summary: 'One team', params, response: { 200: teamSchema } } },
    async (request) => serializeTeam(await service.team(caller(request), request.params.id)),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    api.route({
      method,
      url: `${RS_PREFIX}/teams/:id/`,
      schema: {
        tags,
        summary: 'Rename a team (administrators and owners)',
        params,
        body: teamBody,
        response: { 200: teamSchema },
      },
      handler: async (request) =>
        serializeTeam(await service.renameTeam(caller(request), request.params.id, request.body.name)),
    });
  }

  api.get(
    `${RS_PREFIX}/teams/:id/invitations/`,
    {
      schema: {
        tags,
        summary: 'Invitations of a team',
        params,
        querystring: pageQuery,
        response: { 200: pageOf(invitationSchema) },
      },
    },
    async (request) => {
      const me = caller(request);
      await service.team(me, request.params.id);
      const page = request.query;
      const { rows, count } = await invitations.list(
        me.user,
        request.params.id,
        page.page_size,
        offsetOf(page),
      );
      return paged(request, config, page, count, rows.map(serializeInvitation));
    },
  );

  api.post(
    `${RS_PREFIX}/teams/:id/invitations/`,
    {
      schema: {
        tags,
        summary: 'Invite by email to a team linked to this service',
        params,
        body: invitationBody,
      },
    },
    async (request, reply) => {
      const me = caller(request);
      await service.assertInvitable(me, request.params.id);
      const outcome = await invitations.create(
        me.user,
        request.params.id,
        request.body.email,
        request.body.role,
        auditParty(request),
      );
      if (outcome.kind === 'invitation') return reply.code(201).send(serializeInvitation(outcome.invitation));
      return reply
        .code(201)
        .send({ detail: EXISTING_USER_DETAIL, access: { id: outcome.accessId, user: outcome.user.id } });
    },
  );

  api.get(
    `${RS_PREFIX}/teams/:id/invitations/:invitationId/`,
    {
      schema: {
        tags,
        summary: 'One invitation',
        params: invitationParams,
        response: { 200: invitationSchema },
      },
    },
    async (request) => {
      const me = caller(request);
      await service.team(me, request.params.id);
      return serializeInvitation(
        await invitations.get(me.user, request.params.id, request.params.invitationId),
      );
    },
  );

  api.delete(
    `${RS_PREFIX}/teams/:id/invitations/:invitationId/`,
    { schema: { tags, summary: 'Cancel an invitation', params: invitationParams } },
    async (request, reply) => {
      const me = caller(request);
      await service.team(me, request.params.id);
      await invitations.remove(me.user, request.params.id, request.params.invitationId, auditParty(request));
      return reply.code(204).send();
    },
  );

  api.get(
    `${RS_PREFIX}/scim/Me/`,
    { schema: { tags, summary: 'The agent as a SCIM 2.0 User, with the teams this service may see' } },
    async (request, reply) => {
      const me = caller(request);
      const { user } = me;
      const groups = await service.teams(me);
      return reply.type('application/scim+json').send({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        id: user.id,
        // As people: the provider's identifier, which other apps of the suite know the agent by.
        userName: user.sub ?? user.id,
        displayName: user.name,
        emails: user.email ? [{ value: user.email, primary: true, type: 'work' }] : [],
        active: user.isActive,
        // By the team's external_id, as people: the id services that synchronize teams stored (DESIGN.md §3).
        // RFC 7643 §4.1.2: a team seen through one of its sub-teams (DESIGN.md §12) is an indirect membership.
        groups: groups.map(({ team, viaSubTeam }) => ({
          value: team.externalId,
          display: team.name,
          type: viaSubTeam ? 'indirect' : 'direct',
        })),
        meta: {
          resourceType: 'User',
          created: user.createdAt.toISOString(),
          lastModified: user.updatedAt.toISOString(),
        },
      });
    },
  );

  // SCIM clients expect SCIM error bodies on SCIM routes.
  api.setErrorHandler(async (error, request, reply) => {
    if (!request.routeOptions.url?.startsWith(`${RS_PREFIX}/scim/`) || !(error instanceof HttpError))
      throw error;
    return reply
      .code(error.statusCode)
      .headers(error.headers)
      .type('application/scim+json')
      .send(scimError(error.statusCode, error.message));
  });
}

export function resourceServerRoutes(app: App, resource: Resource, deps: ResourceServerDeps): void {
  app.decorateRequest('bearer', null);
  // Public and cacheable, and no cookie: caches and machines read them.
  for (const url of ['/api/v1.0/jwks', `${RS_PREFIX}/jwks`])
    resource(url, { caller: 'machine', cache: 'public' }, (scope) => jwksRoute(scope, url, deps.keys));
  resource(
    `${RS_PREFIX}/`,
    {
      caller: 'machine',
      authenticate: async (request) => {
        request.bearer = await deps.service.authenticate(request);
        request.user = request.bearer.user;
      },
    },
    (scope) => apiRoutes(scope, deps),
  );
}
