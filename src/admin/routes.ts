// The staff API (DESIGN.md §8) under /api/v1.0/admin/: users, teams, invitations, service providers and jobs.
// Declared in a staff-only resource: anyone else gets 404, as if these routes did not exist.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requestParty } from '../audit/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import { NotFound } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { idParams, requiredText, text } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { ROLES } from '../teams/index.ts';
import { accountAbilities, requireUser, type User } from '../users/index.ts';
import {
  listInvitations,
  listJobs,
  listServiceProviders,
  listTeams,
  listUsers,
  teamDetail,
} from './queries.ts';
import type { AdminService } from './service.ts';

const tags = ['admin'];
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const organizationRef = z.object({ id: z.uuid(), name: z.string() }).nullable();

export const adminUserSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  name: z.string(),
  sub: z.string().nullable(),
  is_active: z.boolean(),
  is_staff: z.boolean(),
  is_superuser: z.boolean(),
  organization: organizationRef,
  last_login: z.string().nullable(),
  created_at: z.string(),
  /** What the requester may change on this account (src/users/powers.ts: the rule the PATCH enforces). */
  abilities: z.object({ set_active: z.boolean(), set_staff: z.boolean() }),
});

type UserRow = { user: User; organizationName: string | null };
function serializeUser(me: User, { user, organizationName }: UserRow): z.infer<typeof adminUserSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    sub: user.sub,
    is_active: user.isActive,
    is_staff: user.isStaff,
    is_superuser: user.isSuperuser,
    organization: user.organizationId ? { id: user.organizationId, name: organizationName ?? '' } : null,
    last_login: iso(user.lastLogin),
    created_at: user.createdAt.toISOString(),
    abilities: accountAbilities(me, user),
  };
}

export const adminUserDetail = adminUserSchema.extend({
  teams: z.array(z.object({ id: z.uuid(), name: z.string(), role: z.enum(ROLES) })),
});

export const adminTeamSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  organization: organizationRef,
  member_count: z.number().int(),
  created_at: z.string(),
});

export const adminInvitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(ROLES),
  team: z.object({ id: z.uuid(), name: z.string() }),
  issuer: z.uuid().nullable(),
  created_at: z.string(),
  is_expired: z.boolean(),
});

export const serviceProviderSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  audience_id: z.string(),
  team_count: z.number().int(),
  created_at: z.string(),
});

export const jobSchema = z.object({
  id: z.uuid(),
  kind: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  run_at: z.string(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  done_at: z.string().nullable(),
});

export interface AdminRoutesDeps {
  config: Config;
  database: Database;
  admin: AdminService;
  /** Invitations created before this instant have expired (the invitations slice's clock). */
  invitationCutoff: () => Date;
}

export function adminRoutes(app: App, { config, database, admin, invitationCutoff }: AdminRoutesDeps): void {
  const party = (request: FastifyRequest) => requestParty(request);

  app.get(
    '/api/v1.0/admin/users/',
    {
      schema: {
        tags,
        summary: 'Find users by email, name or sub (staff)',
        querystring: pageQuery.extend({
          q: text(100).optional(),
          is_active: bool.optional(),
          is_staff: bool.optional(),
          ordering: z
            .enum([
              'email',
              '-email',
              'name',
              '-name',
              'created_at',
              '-created_at',
              'last_login',
              '-last_login',
            ])
            .default('-created_at'),
        }),
        response: { 200: pageOf(adminUserSchema) },
      },
    },
    async (request) => {
      const { q, is_active, is_staff, ordering, ...page } = request.query;
      const rows = await listUsers(database.db, {
        ...(q ? { q } : {}),
        ...(is_active !== undefined ? { isActive: is_active } : {}),
        ...(is_staff !== undefined ? { isStaff: is_staff } : {}),
        ordering,
        limit: page.page_size,
        offset: offsetOf(page),
      });
      const me = requireUser(request);
      return paged(
        request,
        config,
        page,
        rows[0]?.total ?? 0,
        rows.map((row) => serializeUser(me, row)),
      );
    },
  );

  const userDetailOf = (me: User, found: Awaited<ReturnType<AdminService['user']>>) => ({
    ...serializeUser(me, found),
    teams: found.memberships,
  });

  app.get(
    '/api/v1.0/admin/users/:id/',
    {
      schema: {
        tags,
        summary: 'A user with their teams (staff)',
        params: idParams('id'),
        response: { 200: adminUserDetail },
      },
    },
    async (request) => userDetailOf(requireUser(request), await admin.user(request.params.id)),
  );

  app.patch(
    '/api/v1.0/admin/users/:id/',
    {
      schema: {
        tags,
        summary: 'Disable or enable a user (staff); grant or revoke staff (superusers)',
        params: idParams('id'),
        body: z.strictObject({ is_active: z.boolean().optional(), is_staff: z.boolean().optional() }),
        response: { 200: adminUserDetail },
      },
    },
    async (request) => {
      const me = requireUser(request);
      return userDetailOf(me, await admin.updateUser(me, request.params.id, request.body, party(request)));
    },
  );

  app.get(
    '/api/v1.0/admin/teams/',
    {
      schema: {
        tags,
        summary: 'All teams (staff)',
        querystring: pageQuery.extend({ q: text(100).optional() }),
        response: { 200: pageOf(adminTeamSchema) },
      },
    },
    async (request) => {
      const { q, ...page } = request.query;
      const rows = await listTeams(database.db, {
        ...(q ? { q } : {}),
        limit: page.page_size,
        offset: offsetOf(page),
      });
      return paged(
        request,
        config,
        page,
        rows[0]?.total ?? 0,
        rows.map((r) => ({
          id: r.team.id,
          name: r.team.name,
          organization: r.team.organizationId
            ? { id: r.team.organizationId, name: r.organizationName ?? '' }
            : null,
          member_count: r.memberCount,
          created_at: r.team.createdAt.toISOString(),
        })),
      );
    },
  );

  app.get(
    '/api/v1.0/admin/teams/:id/',
    {
      schema: {
        tags,
        summary: 'A team with its members and linked service providers (staff)',
        params: idParams('id'),
        response: {
          200: adminTeamSchema.extend({
            members: z.array(
              z.object({
                id: z.uuid(),
                role: z.enum(ROLES),
                user: z.object({ id: z.uuid(), name: z.string(), email: z.string().nullable() }),
              }),
            ),
            service_providers: z.array(z.object({ id: z.uuid(), name: z.string(), audience_id: z.string() })),
          }),
        },
      },
    },
    async (request) => {
      const found = await teamDetail(database.db, request.params.id);
      if (!found) throw new NotFound();
      return {
        id: found.team.id,
        name: found.team.name,
        organization: found.team.organizationId
          ? { id: found.team.organizationId, name: found.organizationName ?? '' }
          : null,
        member_count: found.members.length,
        created_at: found.team.createdAt.toISOString(),
        members: found.members.map((m) => ({
          id: m.id,
          role: m.role,
          user: { id: m.userId, name: m.name, email: m.email },
        })),
        service_providers: found.providers.map((p) => ({ id: p.id, name: p.name, audience_id: p.audience })),
      };
    },
  );

  app.get(
    '/api/v1.0/admin/invitations/',
    {
      schema: {
        tags,
        summary: 'Every invitation, valid and expired (staff)',
        querystring: pageQuery.extend({ q: text(100).optional(), is_expired: bool.optional() }),
        response: { 200: pageOf(adminInvitationSchema) },
      },
    },
    async (request) => {
      const { q, is_expired, ...page } = request.query;
      const rows = await listInvitations(database.db, {
        ...(q ? { q } : {}),
        ...(is_expired !== undefined ? { expired: is_expired } : {}),
        cutoff: invitationCutoff(),
        limit: page.page_size,
        offset: offsetOf(page),
      });
      return paged(
        request,
        config,
        page,
        rows[0]?.total ?? 0,
        rows.map((r) => ({
          id: r.invitation.id,
          email: r.invitation.email,
          role: r.invitation.role,
          team: { id: r.invitation.teamId, name: r.teamName },
          issuer: r.invitation.issuerId,
          created_at: r.invitation.createdAt.toISOString(),
          is_expired: r.isExpired,
        })),
      );
    },
  );

  app.delete(
    '/api/v1.0/admin/invitations/:id/',
    { schema: { tags, summary: 'Cancel an invitation (staff)', params: idParams('id') } },
    async (request, reply) => {
      await admin.cancelInvitation(request.params.id, party(request));
      return reply.code(204).send();
    },
  );

  const serializeProvider = (
    p: { id: string; name: string; audienceId: string; createdAt: Date },
    teamCount: number,
  ) => ({
    id: p.id,
    name: p.name,
    audience_id: p.audienceId,
    team_count: teamCount,
    created_at: p.createdAt.toISOString(),
  });

  app.get(
    '/api/v1.0/admin/service-providers/',
    {
      schema: {
        tags,
        summary: 'The apps of the suite that called Desk (staff)',
        response: { 200: z.array(serviceProviderSchema) },
      },
    },
    async () =>
      (await listServiceProviders(database.db)).map((r) => serializeProvider(r.provider, r.teamCount)),
  );

  app.patch(
    '/api/v1.0/admin/service-providers/:id/',
    {
      schema: {
        tags,
        summary: 'Rename a service provider (staff)',
        params: idParams('id'),
        body: z.strictObject({ name: requiredText(255) }),
        response: { 200: serviceProviderSchema },
      },
    },
    async (request) => {
      const renamed = await admin.renameServiceProvider(request.params.id, request.body.name, party(request));
      const [row] = await listServiceProviders(database.db, renamed.id);
      return serializeProvider(renamed, row?.teamCount ?? 0);
    },
  );

  const serializeJob = (j: import('../platform/schema.ts').Job): z.infer<typeof jobSchema> => ({
    id: j.id,
    kind: j.kind,
    status: j.status,
    attempts: j.attempts,
    run_at: j.runAt.toISOString(),
    last_error: j.lastError,
    created_at: j.createdAt.toISOString(),
    done_at: iso(j.doneAt),
  });

  app.get(
    '/api/v1.0/admin/jobs/',
    {
      schema: {
        tags,
        summary: 'The mail outbox and other background jobs (staff)',
        querystring: pageQuery.extend({ status: z.enum(['pending', 'done', 'failed']).optional() }),
        response: { 200: pageOf(jobSchema) },
      },
    },
    async (request) => {
      const { status, ...page } = request.query;
      const rows = await listJobs(database.db, {
        ...(status ? { status } : {}),
        limit: page.page_size,
        offset: offsetOf(page),
      });
      return paged(request, config, page, rows[0]?.total ?? 0, rows.map(serializeJob));
    },
  );

  app.post(
    '/api/v1.0/admin/jobs/:id/retry/',
    {
      schema: {
        tags,
        summary:
          'Run again a failed job, or a pending one whose lease has lapsed (staff); 409 while it runs or once done',
        params: idParams('id'),
        response: { 200: jobSchema },
      },
    },
    async (request) => serializeJob(await admin.retryJob(request.params.id, party(request))),
  );
}
