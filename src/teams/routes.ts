// HTTP routes of teams and their accesses.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requestParty } from '../audit/index.ts';
import type { Config } from '../platform/config.ts';
import { PermissionDenied } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { idParams, requiredText, text, uuid } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { requireUser } from '../users/index.ts';
import { teamAbilities } from './abilities.ts';
import { depthOf, type TeamWithRole } from './queries.ts';
import { ROLES } from './schema.ts';
import type { AccessView, TeamService } from './service.ts';

const role = z.enum(ROLES, { error: `Must be one of: ${ROLES.join(', ')}.` });

export const teamSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  /** The ids of the team's accesses, as people answers (its front end counts members with it). */
  accesses: z.array(z.uuid()),
  member_count: z.number().int(),
  /** The requester's role in the team. */
  role,
  abilities: z.object({
    get: z.boolean(),
    put: z.boolean(),
    patch: z.boolean(),
    delete: z.boolean(),
    manage_accesses: z.boolean(),
    grant_roles: z.array(role),
  }),
  /** The SCIM client whose directory decides the team's members (DESIGN.md §9); null for a team Desk's agents run. */
  managed_by: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  /** The team this one belongs to (DESIGN.md §12); null for a root. */
  parent: z.uuid().nullable(),
  /** people's treebeard fields, read only: the team's place in its tree, its level (1 for a root), its sub-teams. */
  path: z.string(),
  depth: z.number().int(),
  numchild: z.number().int(),
  /** Seen only because the requester is in one of its sub-teams: read only, its members not listed. */
  via_sub_team: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const accessSchema = z.object({
  id: z.uuid(),
  user: z.object({ id: z.uuid(), name: z.string(), email: z.string().nullable() }),
  role,
  abilities: z.object({
    get: z.boolean(),
    put: z.boolean(),
    patch: z.boolean(),
    delete: z.boolean(),
    set_role_to: z.array(role),
    reason: z.enum(['last_owner', 'other_owner', 'not_manager', 'managed']).nullable(),
  }),
});

export function serializeTeam({
  team,
  role,
  accessIds,
  managedBy,
  numchild,
  viaSubTeam,
}: TeamWithRole): z.infer<typeof teamSchema> {
  return {
    id: team.id,
    name: team.name,
    accesses: accessIds,
    member_count: accessIds.length,
    role,
    abilities: teamAbilities(role, managedBy),
    managed_by: managedBy ? { id: managedBy.id, name: managedBy.name } : null,
    parent: team.parentId,
    path: team.path,
    depth: depthOf(team),
    numchild,
    via_sub_team: viaSubTeam,
    created_at: team.createdAt.toISOString(),
    updated_at: team.updatedAt.toISOString(),
  };
}

export function serializeAccess(a: AccessView): z.infer<typeof accessSchema> {
  return {
    id: a.id,
    user: { id: a.userId, name: a.userName, email: a.userEmail },
    role: a.role,
    abilities: a.abilities,
  };
}

const teamBody = z.strictObject({ name: requiredText(100) });
/** A new team, under a parent its creator administers when `parent` names one (DESIGN.md §12). */
const newTeamBody = teamBody.extend({ parent: uuid().nullable().default(null) });
const moveBody = z.strictObject({ parent: uuid().nullable() });
const teamParams = idParams('id');
const accessParams = idParams('id', 'accessId');

export interface TeamRoutesDeps {
  config: Config;
  teams: TeamService;
}

export function teamRoutes(app: App, { config, teams }: TeamRoutesDeps): void {
  const tags = ['teams'];
  const user = (request: FastifyRequest) => requireUser(request);

  app.get(
    '/api/v1.0/teams/',
    {
      schema: {
        tags,
        summary: 'My teams',
        querystring: z.object({
          ordering: z.enum(['name', '-name', 'created_at', '-created_at']).default('name'),
        }),
        response: { 200: z.array(teamSchema) },
      },
    },
    async (request) => (await teams.list(user(request), request.query.ordering)).map(serializeTeam),
  );

  app.post(
    '/api/v1.0/teams/',
    {
      schema: {
        tags,
        summary: 'Create a team (its creator becomes owner), under a parent team they administer',
        body: newTeamBody,
        response: { 201: teamSchema },
      },
    },
    async (request, reply) => {
      const me = user(request);
      if (!config.FEATURE_TEAMS_CREATE) throw new PermissionDenied('Creating teams is turned off.');
      const { name, parent } = request.body;
      return reply.code(201).send(serializeTeam(await teams.create(me, name, requestParty(request), parent)));
    },
  );

  app.post(
    '/api/v1.0/teams/:id/move/',
    {
      schema: {
        tags,
        summary:
          'Put a team, with its sub-teams, under another team (null: at the root); by who administers both the team and the new parent',
        params: teamParams,
        body: moveBody,
        response: { 200: teamSchema },
      },
    },
    async (request) =>
      serializeTeam(
        await teams.move(user(request), request.params.id, request.body.parent, requestParty(request)),
      ),
  );

  app.get(
    '/api/v1.0/teams/:id/',
    {
      schema: { tags, summary: 'A team I am in', params: teamParams, response: { 200: teamSchema } },
    },
    async (request) => serializeTeam(await teams.get(user(request), request.params.id)),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1.0/teams/:id/',
      schema: {
        tags,
        summary: 'Rename a team',
        params: teamParams,
        body: teamBody,
        response: { 200: teamSchema },
      },
      handler: async (request) =>
        serializeTeam(await teams.rename(user(request), request.params.id, request.body.name)),
    });
  }

  app.delete(
    '/api/v1.0/teams/:id/',
    { schema: { tags, summary: 'Delete a team (owners)', params: teamParams } },
    async (request, reply) => {
      await teams.remove(user(request), request.params.id, requestParty(request));
      return reply.code(204).send();
    },
  );

  const accessTags = ['team accesses'];
  app.get(
    '/api/v1.0/teams/:id/accesses/',
    {
      schema: {
        tags: accessTags,
        summary: 'Members of a team, with what I may do to each',
        params: teamParams,
        querystring: pageQuery.extend({
          q: text(100).optional(),
          ordering: z
            .enum(['role', '-role', 'user__name', '-user__name', 'user__email', '-user__email'])
            .default('-role'),
        }),
        response: { 200: pageOf(accessSchema) },
      },
    },
    async (request) => {
      const { q, ordering, ...page } = request.query;
      const { rows, count } = await teams.accesses(user(request), request.params.id, {
        ...(q ? { q } : {}),
        ordering,
        limit: page.page_size,
        offset: offsetOf(page),
      });
      return paged(request, config, page, count, rows.map(serializeAccess));
    },
  );

  app.post(
    '/api/v1.0/teams/:id/accesses/',
    {
      schema: {
        tags: accessTags,
        summary: 'Add a member (administrators and owners; only owners add owners)',
        params: teamParams,
        body: z.strictObject({ user: uuid(), role: role.default('member') }),
        response: { 201: accessSchema },
      },
    },
    async (request, reply) => {
      const access = await teams.grant(
        user(request),
        request.params.id,
        request.body.user,
        request.body.role,
        requestParty(request),
      );
      return reply.code(201).send(serializeAccess(access));
    },
  );

  app.get(
    '/api/v1.0/teams/:id/accesses/:accessId/',
    {
      schema: {
        tags: accessTags,
        summary: 'One member',
        params: accessParams,
        response: { 200: accessSchema },
      },
    },
    async (request) =>
      serializeAccess(await teams.access(user(request), request.params.id, request.params.accessId)),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1.0/teams/:id/accesses/:accessId/',
      schema: {
        tags: accessTags,
        summary: "Change a member's role",
        params: accessParams,
        body: z.strictObject({ role }),
        response: { 200: accessSchema },
      },
      handler: async (request) =>
        serializeAccess(
          await teams.changeRole(
            user(request),
            request.params.id,
            request.params.accessId,
            request.body.role,
            requestParty(request),
          ),
        ),
    });
  }

  app.delete(
    '/api/v1.0/teams/:id/accesses/:accessId/',
    { schema: { tags: accessTags, summary: 'Remove a member', params: accessParams } },
    async (request, reply) => {
      await teams.revoke(user(request), request.params.id, request.params.accessId, requestParty(request));
      return reply.code(204).send();
    },
  );
}
