// The API other apps of the suite call with an agent's access token: teams visible to that service, invitations, SCIM Me.
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  type InvitationService,
  invitationBody,
  invitationSchema,
  serializeInvitation,
} from '../../invitations/index.ts';
import type { Config } from '../../platform/config.ts';
import type { Database } from '../../platform/database.ts';
import { BadRequest, HttpError, NotFound, PermissionDenied } from '../../platform/errors.ts';
import type { App } from '../../platform/http.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../../platform/paging.ts';
import {
  assertUuid,
  insertTeam,
  renameTeam,
  serializeTeam,
  teamAbilities,
  teamSchema,
} from '../../teams/index.ts';
import { findUserBySub, type User } from '../../users/index.ts';
import { BearerMalformed, BearerMissing, InvalidToken } from './errors.ts';
import type { Introspector } from './introspection.ts';
import type { DecryptionKey } from './keys.ts';
import { linkTeam, serviceProviderFor, teamForService, teamsForService } from './queries.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The service provider (other app of the suite) whose token authenticated this request. */
    serviceProviderId: string | null;
  }
}

export const RS_PREFIX = '/resource-server/v1.0';
// RFC 6750 §2.1: b64token.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

export interface ResourceServerDeps {
  config: Config;
  database: Database;
  introspector: Introspector;
  keys: DecryptionKey[];
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
    async (_request, reply) => {
      if (!keys.length)
        throw new NotFound(
          'No encryption key is configured (OIDC_RS_PRIVATE_KEY_STR or OIDC_RS_PRIVATE_KEY_FILE).',
        );
      return reply
        .header('cache-control', 'public, max-age=3600')
        .send({ keys: keys.map((k) => k.publicJwk) });
    },
  );
}

function scimError(status: number, detail: string) {
  return { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail };
}

export async function resourceServerRoutes(app: App, deps: ResourceServerDeps): Promise<void> {
  const { config, database, introspector, keys, invitations } = deps;
  jwksRoute(app, '/api/v1.0/jwks', keys);
  jwksRoute(app, `${RS_PREFIX}/jwks`, keys);

  await app.register(async (scope) => {
    const api = scope.withTypeProvider<ZodTypeProvider>();
    api.decorateRequest('serviceProviderId', null);
    api.addHook('onRequest', async (request) => {
      if (request.url.startsWith(`${RS_PREFIX}/jwks`)) return;
      // Browser sessions never authenticate here: only the bearer token, taken from the header (never the query).
      request.user = null;
      const header = request.headers.authorization;
      if (header === undefined) throw new BearerMissing();
      const match = BEARER.exec(header);
      if (!match?.[1]) throw new BearerMalformed();
      const token = await introspector.check(match[1]);
      const user = await findUserBySub(database.db, token.sub);
      if (!user?.isActive) throw new InvalidToken('no active user has this sub');
      request.user = user;
      request.serviceProviderId = await serviceProviderFor(database.db, token.audience);
    });

    const tags = ['resource server'];
    const me = (request: FastifyRequest): { user: User; sp: string } => {
      if (!request.user || !request.serviceProviderId) throw new BearerMissing();
      return { user: request.user, sp: request.serviceProviderId };
    };
    const visibleTeam = async (request: FastifyRequest, id: string) => {
      const { user, sp } = me(request);
      assertUuid(id);
      const found = await teamForService(database.db, id, user.id, sp);
      if (!found) throw new NotFound();
      return found;
    };
    const params = z.object({ id: z.string() });
    // Bearer-authenticated: CSRF protects cookie sessions and does not apply here.
    const config_ = { csrf: false };

    api.get(
      `${RS_PREFIX}/teams/`,
      {
        config: config_,
        schema: {
          tags,
          summary: "The agent's teams this service may see",
          response: { 200: z.array(teamSchema) },
        },
      },
      async (request) => {
        const { user, sp } = me(request);
        return (await teamsForService(database.db, user.id, sp)).map(serializeTeam);
      },
    );

    api.post(
      `${RS_PREFIX}/teams/`,
      {
        config: config_,
        schema: {
          tags,
          summary: 'Create a team linked to this service (the agent owns it)',
          body: z.strictObject({ name: z.string().trim().min(1).max(100) }),
          response: { 201: teamSchema },
        },
      },
      async (request, reply) => {
        const { user, sp } = me(request);
        const team = await database.db.transaction(async (tx) => {
          const created = await insertTeam(tx, request.body.name, user.id);
          await linkTeam(tx, created.id, sp);
          return created;
        });
        return reply.code(201).send(serializeTeam({ team, role: 'owner' }));
      },
    );

    api.get(
      `${RS_PREFIX}/teams/:id/`,
      { config: config_, schema: { tags, summary: 'One team', params, response: { 200: teamSchema } } },
      async (request) => serializeTeam(await visibleTeam(request, request.params.id)),
    );

    for (const method of ['PUT', 'PATCH'] as const) {
      api.route({
        method,
        url: `${RS_PREFIX}/teams/:id/`,
        config: config_,
        schema: {
          tags,
          summary: 'Rename a team (administrators and owners)',
          params,
          body: z.strictObject({ name: z.string().trim().min(1).max(100) }),
          response: { 200: teamSchema },
        },
        handler: async (request) => {
          const found = await visibleTeam(request, request.params.id);
          if (!teamAbilities(found.role).put)
            throw new PermissionDenied('Only administrators and owners can change a team.');
          return serializeTeam({
            team: await renameTeam(database.db, found.team.id, request.body.name),
            role: found.role,
          });
        },
      });
    }

    const invitationParams = z.object({ id: z.string(), invitationId: z.string() });
    api.get(
      `${RS_PREFIX}/teams/:id/invitations/`,
      {
        config: config_,
        schema: {
          tags,
          summary: 'Invitations of a team',
          params,
          querystring: pageQuery,
          response: { 200: pageOf(invitationSchema) },
        },
      },
      async (request) => {
        await visibleTeam(request, request.params.id);
        const page = request.query;
        const { rows, count } = await invitations.list(
          me(request).user,
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
        config: config_,
        schema: {
          tags,
          summary: 'Invite by email to a team linked to this service',
          params,
          body: invitationBody,
        },
      },
      async (request, reply) => {
        const found = await visibleTeam(request, request.params.id);
        if (!found.linked) throw new BadRequest('This team is not linked to the calling service.');
        const outcome = await invitations.create(
          me(request).user,
          request.params.id,
          request.body.email,
          request.body.role,
        );
        if (outcome.kind === 'invitation')
          return reply.code(201).send(serializeInvitation(outcome.invitation));
        return reply.code(201).send({
          detail: 'This email belongs to an existing user: they were added to the team at once.',
          access: { id: outcome.accessId, user: outcome.user.id },
        });
      },
    );

    api.get(
      `${RS_PREFIX}/teams/:id/invitations/:invitationId/`,
      {
        config: config_,
        schema: {
          tags,
          summary: 'One invitation',
          params: invitationParams,
          response: { 200: invitationSchema },
        },
      },
      async (request) => {
        await visibleTeam(request, request.params.id);
        return serializeInvitation(
          await invitations.get(me(request).user, request.params.id, request.params.invitationId),
        );
      },
    );

    api.delete(
      `${RS_PREFIX}/teams/:id/invitations/:invitationId/`,
      { config: config_, schema: { tags, summary: 'Cancel an invitation', params: invitationParams } },
      async (request, reply) => {
        await visibleTeam(request, request.params.id);
        await invitations.remove(me(request).user, request.params.id, request.params.invitationId);
        return reply.code(204).send();
      },
    );

    api.get(
      `${RS_PREFIX}/scim/Me/`,
      {
        config: config_,
        schema: { tags, summary: 'The agent as a SCIM 2.0 User, with the teams this service may see' },
      },
      async (request, reply) => {
        const { user, sp } = me(request);
        const groups = await teamsForService(database.db, user.id, sp);
        return reply.type('application/scim+json').send({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          id: user.id,
          userName: user.email ?? user.id,
          displayName: user.name,
          emails: user.email ? [{ value: user.email, primary: true, type: 'work' }] : [],
          active: user.isActive,
          groups: groups.map(({ team }) => ({ value: team.id, display: team.name, type: 'direct' })),
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
      if (!request.url.startsWith(`${RS_PREFIX}/scim/`) || !(error instanceof HttpError)) throw error;
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .type('application/scim+json')
        .send(scimError(error.statusCode, error.message));
    });
  });
}
