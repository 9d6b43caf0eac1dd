// HTTP routes of team invitations; never updated (PUT/PATCH answer 405).
import { z } from 'zod';
import { requestParty } from '../audit/index.ts';
import type { Config } from '../platform/config.ts';
import type { App } from '../platform/http.ts';
import { email, idParams } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { accessSchema, ROLES, serializeAccess, type TeamService } from '../teams/index.ts';
import { requireUser } from '../users/index.ts';
import type { InvitationRow } from './queries.ts';
import type { InvitationService } from './service.ts';

export const invitationSchema = z.object({
  id: z.uuid(),
  created_at: z.string(),
  email: z.string(),
  team: z.uuid(),
  role: z.enum(ROLES),
  issuer: z.uuid().nullable(),
  is_expired: z.boolean(),
});

export function serializeInvitation(i: InvitationRow): z.infer<typeof invitationSchema> {
  return {
    id: i.id,
    created_at: i.createdAt.toISOString(),
    email: i.email,
    team: i.teamId,
    role: i.role,
    issuer: i.issuerId,
    is_expired: i.isExpired,
  };
}

export const invitationBody = z.strictObject({
  email: email(),
  role: z.enum(ROLES, { error: `Must be one of: ${ROLES.join(', ')}.` }).default('member'),
});

/** An invitation to someone who already has an account is an access, created at once. */
export const accessCreatedSchema = z.object({ detail: z.string(), access: accessSchema });
export const EXISTING_USER_DETAIL =
  'This email belongs to an existing user: they were added to the team at once.';

export interface InvitationRoutesDeps {
  config: Config;
  invitations: InvitationService;
  teams: TeamService;
}

export function invitationRoutes(app: App, { config, invitations, teams }: InvitationRoutesDeps): void {
  const tags = ['team invitations'];
  const params = idParams('id');
  const itemParams = idParams('id', 'invitationId');

  app.get(
    '/api/v1.0/teams/:id/invitations/',
    {
      schema: {
        tags,
        summary: 'Pending invitations of a team',
        params,
        querystring: pageQuery,
        response: { 200: pageOf(invitationSchema) },
      },
    },
    async (request) => {
      const page = request.query;
      const { rows, count } = await invitations.list(
        requireUser(request),
        request.params.id,
        page.page_size,
        offsetOf(page),
      );
      return paged(request, config, page, count, rows.map(serializeInvitation));
    },
  );

  app.post(
    '/api/v1.0/teams/:id/invitations/',
    {
      schema: {
        tags,
        summary: 'Invite by email (administrators and owners; only owners invite owners)',
        params,
        body: invitationBody,
        response: { 201: z.union([invitationSchema, accessCreatedSchema]) },
      },
    },
    async (request, reply) => {
      const me = requireUser(request);
      const outcome = await invitations.create(
        me,
        request.params.id,
        request.body.email,
        request.body.role,
        requestParty(request),
      );
      if (outcome.kind === 'invitation') return reply.code(201).send(serializeInvitation(outcome.invitation));
      const access = await teams.access(me, request.params.id, outcome.accessId);
      return reply.code(201).send({ detail: EXISTING_USER_DETAIL, access: serializeAccess(access) });
    },
  );

  app.get(
    '/api/v1.0/teams/:id/invitations/:invitationId/',
    { schema: { tags, summary: 'One invitation', params: itemParams, response: { 200: invitationSchema } } },
    async (request) =>
      serializeInvitation(
        await invitations.get(requireUser(request), request.params.id, request.params.invitationId),
      ),
  );

  app.delete(
    '/api/v1.0/teams/:id/invitations/:invitationId/',
    { schema: { tags, summary: 'Cancel an invitation', params: itemParams } },
    async (request, reply) => {
      await invitations.remove(
        requireUser(request),
        request.params.id,
        request.params.invitationId,
        requestParty(request),
      );
      return reply.code(204).send();
    },
  );
}
