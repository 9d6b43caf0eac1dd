// HTTP routes of mail domains (DESIGN.md §11) with people's paths and shapes, so people's own front end's mail pages
// work against Desk unchanged.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requestParty } from '../audit/index.ts';
import type { Config } from '../platform/config.ts';
import type { App } from '../platform/http.ts';
import { email, idParams, requiredText, slugParam, text, uuid } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { requireUser } from '../users/index.ts';
import { domainAbilities, invitationAbilities } from './abilities.ts';
import { actionRequiredDetails } from './platform.ts';
import type { DomainWithRole } from './queries.ts';
import {
  ALIAS_STATUSES,
  DOMAIN_ROLES,
  DOMAIN_STATUSES,
  MAILBOX_STATUSES,
  type MailAlias,
  type Mailbox,
} from './schema.ts';
import { type MailDomainService, NO_DOMAIN } from './service.ts';

const role = z.enum(DOMAIN_ROLES, { error: `Must be one of: ${DOMAIN_ROLES.join(', ')}.` });

export const mailDomainSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  status: z.enum(DOMAIN_STATUSES),
  abilities: z.object({
    get: z.boolean(),
    patch: z.boolean(),
    put: z.boolean(),
    post: z.boolean(),
    delete: z.boolean(),
    manage_accesses: z.boolean(),
  }),
  created_at: z.string(),
  updated_at: z.string(),
  count_mailboxes: z.number().int(),
  support_email: z.string(),
  /** dimail's last report, as it sent it. */
  last_check_details: z.record(z.string(), z.unknown()).nullable(),
  /** What the domain's administrators must fix in their DNS, per check. */
  action_required_details: z.record(z.string(), z.string()),
  /** The DNS records to set. */
  expected_config: z.array(z.object({ target: z.string(), type: z.string(), value: z.string() })).nullable(),
});

export const domainAccessSchema = z.object({
  id: z.uuid(),
  user: z.object({ id: z.uuid(), name: z.string(), email: z.string().nullable() }),
  role,
  can_set_role_to: z.array(role),
});

export const mailboxSchema = z.object({
  id: z.uuid(),
  first_name: z.string(),
  last_name: z.string(),
  local_part: z.string(),
  secondary_email: z.string().nullable(),
  /** pending until the mail platform has it as asked; failed when it refused. */
  status: z.enum(MAILBOX_STATUSES),
});

export const domainInvitationSchema = z.object({
  id: z.uuid(),
  created_at: z.string(),
  email: z.string(),
  domain: z.uuid(),
  role,
  issuer: z.uuid().nullable(),
  is_expired: z.boolean(),
  abilities: z.object({ delete: z.boolean(), get: z.boolean(), patch: z.boolean(), put: z.boolean() }),
});

export const aliasSchema = z.object({
  id: z.uuid(),
  local_part: z.string(),
  destination: z.string(),
  /** As people: the whole domain. */
  domain: mailDomainSchema,
  status: z.enum(ALIAS_STATUSES),
});

export function serializeDomain({
  domain,
  role,
  mailboxCount,
}: DomainWithRole): z.infer<typeof mailDomainSchema> {
  return {
    id: domain.id,
    name: domain.name,
    slug: domain.slug,
    status: domain.status,
    abilities: domainAbilities(role),
    created_at: domain.createdAt.toISOString(),
    updated_at: domain.updatedAt.toISOString(),
    count_mailboxes: mailboxCount,
    support_email: domain.supportEmail,
    last_check_details: domain.lastCheckDetails ?? null,
    action_required_details: actionRequiredDetails(domain.lastCheckDetails),
    expected_config: domain.expectedConfig ?? null,
  };
}

export function serializeMailbox(m: Mailbox): z.infer<typeof mailboxSchema> {
  return {
    id: m.id,
    first_name: m.firstName,
    last_name: m.lastName,
    local_part: m.localPart,
    secondary_email: m.secondaryEmail,
    status: m.status,
  };
}

const EXISTING_USER_DETAIL = 'Email already known. Invitation not sent but access created instead.';

const LOCAL_PART = /^[a-zA-Z0-9_.-]+$/;
const localPart = (max: number) =>
  requiredText(max)
    .regex(LOCAL_PART, 'Enter a valid value: letters, digits, dots, hyphens and underscores only.')
    .transform((v) => v.toLowerCase());
/** An optional address: absent, null or blank mean none. */
const optionalEmail = () =>
  z
    .union([z.literal('').transform(() => null), z.null(), email()])
    .optional()
    .transform((v) => (v === undefined ? undefined : (v ?? null)));
/** An alias destination: an address, or people's black holes (`…@devnull`, `…@localhost`). */
const destination = () =>
  z.union(
    [
      email(),
      z
        .string()
        .trim()
        .regex(/^[a-zA-Z0-9_.+-]+@(devnull|localhost)$/),
    ],
    {
      error: 'Enter a valid email address.',
    },
  );

const slugParams = z.object({ slug: slugParam(80, NO_DOMAIN) });
const withId = slugParams.extend(idParams('id').shape);

export function mailDomainRoutes(
  app: App,
  { config, domains }: { config: Config; domains: MailDomainService },
) {
  const tags = ['mail domains'];
  const user = (request: FastifyRequest) => requireUser(request);
  const base = '/api/v1.0/mail-domains';

  app.get(
    `${base}/`,
    {
      schema: {
        tags,
        summary: 'The mail domains I have a role on',
        querystring: pageQuery.extend({
          ordering: z.enum(['name', '-name', 'created_at', '-created_at']).default('-created_at'),
        }),
        response: { 200: pageOf(mailDomainSchema) },
      },
    },
    async (request) => {
      const { ordering, ...page } = request.query;
      const { rows, count } = await domains.list(user(request), ordering, page.page_size, offsetOf(page));
      return paged(request, config, page, count, rows.map(serializeDomain));
    },
  );

  app.post(
    `${base}/`,
    {
      schema: {
        tags,
        summary: 'Declare a mail domain (its creator becomes owner); dimail checks its DNS',
        body: z.object({ name: requiredText(150), support_email: email() }),
        response: { 201: mailDomainSchema },
      },
    },
    async (request, reply) => {
      const created = await domains.create(
        user(request),
        { name: request.body.name, supportEmail: request.body.support_email },
        requestParty(request),
      );
      return reply.code(201).send(serializeDomain(created));
    },
  );

  app.get(
    `${base}/:slug/`,
    { schema: { tags, summary: 'A mail domain', params: slugParams, response: { 200: mailDomainSchema } } },
    async (request) => serializeDomain(await domains.domain(user(request), request.params.slug)),
  );

  app.post(
    `${base}/:slug/fetch/`,
    {
      schema: {
        tags,
        summary: "Check the domain's status and expected DNS records at dimail now",
        params: slugParams,
        response: { 200: mailDomainSchema },
      },
    },
    async (request) => serializeDomain(await domains.fetch(user(request), request.params.slug)),
  );

  // --- Accesses ---
  const accessTags = ['mail domain accesses'];
  const accessOf = (
    r: Awaited<ReturnType<MailDomainService['access']>>,
  ): z.infer<typeof domainAccessSchema> => ({
    id: r.id,
    user: { id: r.userId, name: r.userName, email: r.userEmail },
    role: r.role,
    can_set_role_to: r.canSetRoleTo,
  });

  app.get(
    `${base}/:slug/accesses/`,
    {
      schema: {
        tags: accessTags,
        summary: "The domain's accesses, with the roles I may give each",
        params: slugParams,
        querystring: pageQuery.extend({
          ordering: z
            .enum(['role', '-role', 'user__name', '-user__name', 'user__email', '-user__email'])
            .optional(),
        }),
        response: { 200: pageOf(domainAccessSchema) },
      },
    },
    async (request) => {
      const { ordering, ...page } = request.query;
      const { rows, count } = await domains.accesses(
        user(request),
        request.params.slug,
        ordering,
        page.page_size,
        offsetOf(page),
      );
      return paged(request, config, page, count, rows.map(accessOf));
    },
  );

  app.get(
    `${base}/:slug/accesses/users/`,
    {
      schema: {
        tags: accessTags,
        summary: 'Colleagues who may be given an access (administrators and owners)',
        params: slugParams,
        querystring: z.object({ q: text(100).optional() }),
        response: {
          200: z.array(z.object({ id: z.uuid(), name: z.string(), email: z.string().nullable() })),
        },
      },
    },
    async (request) =>
      domains.availableUsers(user(request), request.params.slug, request.query.q || undefined),
  );

  app.post(
    `${base}/:slug/accesses/`,
    {
      schema: {
        tags: accessTags,
        summary: 'Give a colleague an access (only owners make owners)',
        params: slugParams,
        body: z.object({ user: uuid(), role: role.default('viewer') }),
        response: { 201: domainAccessSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          accessOf(
            await domains.grant(
              user(request),
              request.params.slug,
              request.body.user,
              request.body.role,
              requestParty(request),
            ),
          ),
        ),
  );

  app.get(
    `${base}/:slug/accesses/:id/`,
    {
      schema: {
        tags: accessTags,
        summary: 'One access',
        params: withId,
        response: { 200: domainAccessSchema },
      },
    },
    async (request) => accessOf(await domains.access(user(request), request.params.slug, request.params.id)),
  );

  for (const method of ['PUT', 'PATCH'] as const)
    app.route({
      method,
      url: `${base}/:slug/accesses/:id/`,
      schema: {
        tags: accessTags,
        summary: "Change an access's role (the last owner stays owner)",
        params: withId,
        body: z.object({ role }),
        response: { 200: domainAccessSchema },
      },
      handler: async (request) =>
        accessOf(
          await domains.changeRole(
            user(request),
            request.params.slug,
            request.params.id,
            request.body.role,
            requestParty(request),
          ),
        ),
    });

  app.delete(
    `${base}/:slug/accesses/:id/`,
    { schema: { tags: accessTags, summary: 'Remove an access (never the last owner)', params: withId } },
    async (request, reply) => {
      await domains.revoke(user(request), request.params.slug, request.params.id, requestParty(request));
      return reply.code(204).send();
    },
  );

  // --- Mailboxes ---
  const boxTags = ['mailboxes'];
  app.get(
    `${base}/:slug/mailboxes/`,
    {
      schema: {
        tags: boxTags,
        summary: "The domain's mailboxes",
        params: slugParams,
        querystring: pageQuery,
        response: { 200: pageOf(mailboxSchema) },
      },
    },
    async (request) => {
      const page = request.query;
      const { rows, count } = await domains.mailboxes(
        user(request),
        request.params.slug,
        page.page_size,
        offsetOf(page),
      );
      return paged(request, config, page, count, rows.map(serializeMailbox));
    },
  );

  app.post(
    `${base}/:slug/mailboxes/`,
    {
      schema: {
        tags: boxTags,
        summary: 'Create a mailbox (pending until the domain is enabled and dimail made it)',
        params: slugParams,
        body: z.object({
          first_name: requiredText(200),
          last_name: requiredText(200),
          local_part: localPart(150),
          secondary_email: optionalEmail(),
        }),
        response: { 201: mailboxSchema },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const mailbox = await domains.createMailbox(
        user(request),
        request.params.slug,
        {
          firstName: b.first_name,
          lastName: b.last_name,
          localPart: b.local_part,
          secondaryEmail: b.secondary_email ?? null,
        },
        requestParty(request),
      );
      return reply.code(201).send(serializeMailbox(mailbox));
    },
  );

  app.get(
    `${base}/:slug/mailboxes/:id/`,
    { schema: { tags: boxTags, summary: 'A mailbox', params: withId, response: { 200: mailboxSchema } } },
    async (request) =>
      serializeMailbox(
        (await domains.mailbox(user(request), request.params.slug, request.params.id)).mailbox,
      ),
  );

  for (const method of ['PUT', 'PATCH'] as const)
    app.route({
      method,
      url: `${base}/:slug/mailboxes/:id/`,
      schema: {
        tags: boxTags,
        summary:
          'Change names or secondary email (administrators, or the mailbox’s own agent); the address stays',
        params: withId,
        body: z.object({
          first_name: requiredText(200).optional(),
          last_name: requiredText(200).optional(),
          secondary_email: optionalEmail(),
        }),
        response: { 200: mailboxSchema },
      },
      handler: async (request) => {
        const b = request.body;
        return serializeMailbox(
          await domains.updateMailbox(
            user(request),
            request.params.slug,
            request.params.id,
            {
              ...(b.first_name === undefined ? {} : { firstName: b.first_name }),
              ...(b.last_name === undefined ? {} : { lastName: b.last_name }),
              ...(b.secondary_email === undefined ? {} : { secondaryEmail: b.secondary_email }),
            },
            requestParty(request),
          ),
        );
      },
    });

  for (const [action, active] of [
    ['enable', true],
    ['disable', false],
  ] as const)
    app.post(
      `${base}/:slug/mailboxes/:id/${action}/`,
      {
        schema: {
          tags: boxTags,
          summary: `${active ? 'Enable' : 'Disable'} a mailbox on the mail platform`,
          params: withId,
          response: { 200: mailboxSchema },
        },
      },
      async (request) =>
        serializeMailbox(
          await domains.setMailboxActive(
            user(request),
            request.params.slug,
            request.params.id,
            active,
            requestParty(request),
          ),
        ),
    );

  for (const kind of ['reset_password', 'login_link'] as const)
    app.post(
      `${base}/:slug/mailboxes/:id/${kind}/`,
      {
        schema: {
          tags: boxTags,
          summary:
            kind === 'reset_password'
              ? 'Mail a new password to the secondary email (202: queued while dimail is down)'
              : 'Mail a one-time login link to the secondary email (202: queued while dimail is down)',
          params: withId,
          response: { 200: mailboxSchema, 202: mailboxSchema },
        },
      },
      async (request, reply) => {
        const { mailbox, outcome } = await domains.mailboxSecret(
          user(request),
          request.params.slug,
          request.params.id,
          kind,
          requestParty(request),
        );
        return reply.code(outcome === 'done' ? 200 : 202).send(serializeMailbox(mailbox));
      },
    );

  // --- Invitations ---
  const invitationTags = ['mail domain invitations'];
  const invitationOf = (
    role: Parameters<typeof invitationAbilities>[0],
    i: Awaited<ReturnType<MailDomainService['invitation']>>['invitation'],
  ): z.infer<typeof domainInvitationSchema> => ({
    id: i.id,
    created_at: i.createdAt.toISOString(),
    email: i.email,
    domain: i.domainId,
    role: i.role,
    issuer: i.issuerId,
    is_expired: i.isExpired,
    abilities: invitationAbilities(role),
  });
  const accessCreated = z.object({ detail: z.string() });

  app.get(
    `${base}/:slug/invitations/`,
    {
      schema: {
        tags: invitationTags,
        summary: "The domain's invitations",
        params: slugParams,
        querystring: pageQuery,
        response: { 200: pageOf(domainInvitationSchema) },
      },
    },
    async (request) => {
      const page = request.query;
      const { role, rows, count } = await domains.invitations(
        user(request),
        request.params.slug,
        page.page_size,
        offsetOf(page),
      );
      return paged(
        request,
        config,
        page,
        count,
        rows.map((i) => invitationOf(role, i)),
      );
    },
  );

  app.post(
    `${base}/:slug/invitations/`,
    {
      schema: {
        tags: invitationTags,
        summary: 'Invite someone to manage the domain (a colleague with an account gets the access at once)',
        params: slugParams,
        body: z.object({ email: email(), role: role.default('viewer') }),
        response: { 201: z.union([domainInvitationSchema, accessCreated]) },
      },
    },
    async (request, reply) => {
      const me = user(request);
      const outcome = await domains.invite(
        me,
        request.params.slug,
        request.body.email,
        request.body.role,
        requestParty(request),
      );
      if (outcome.kind === 'access') return reply.code(201).send({ detail: EXISTING_USER_DETAIL });
      const { role: mine } = await domains.domain(me, request.params.slug);
      return reply.code(201).send(invitationOf(mine, outcome.invitation));
    },
  );

  app.get(
    `${base}/:slug/invitations/:id/`,
    {
      schema: {
        tags: invitationTags,
        summary: 'An invitation',
        params: withId,
        response: { 200: domainInvitationSchema },
      },
    },
    async (request) => {
      const { role, invitation } = await domains.invitation(
        user(request),
        request.params.slug,
        request.params.id,
      );
      return invitationOf(role, invitation);
    },
  );

  app.post(
    `${base}/:slug/invitations/:id/refresh/`,
    {
      schema: {
        tags: invitationTags,
        summary: 'Renew an invitation for another validity period and mail it again',
        params: withId,
        response: { 200: domainInvitationSchema, 201: accessCreated },
      },
    },
    async (request, reply) => {
      const me = user(request);
      const outcome = await domains.refreshInvitation(
        me,
        request.params.slug,
        request.params.id,
        requestParty(request),
      );
      if (outcome.kind === 'access') return reply.code(201).send({ detail: EXISTING_USER_DETAIL });
      const { role: mine } = await domains.domain(me, request.params.slug);
      return invitationOf(mine, outcome.invitation);
    },
  );

  app.delete(
    `${base}/:slug/invitations/:id/`,
    { schema: { tags: invitationTags, summary: 'Cancel an invitation', params: withId } },
    async (request, reply) => {
      await domains.cancelInvitation(
        user(request),
        request.params.slug,
        request.params.id,
        requestParty(request),
      );
      return reply.code(204).send();
    },
  );

  // --- Aliases ---
  const aliasTags = ['aliases'];
  const aliasOf = (domain: z.infer<typeof mailDomainSchema>, a: MailAlias): z.infer<typeof aliasSchema> => ({
    id: a.id,
    local_part: a.localPart,
    destination: a.destination,
    domain,
    status: a.status,
  });

  app.get(
    `${base}/:slug/aliases/`,
    {
      schema: {
        tags: aliasTags,
        summary: "The domain's aliases, by local part",
        params: slugParams,
        querystring: pageQuery,
        response: { 200: pageOf(aliasSchema) },
      },
    },
    async (request) => {
      const page = request.query;
      const me = user(request);
      const found = await domains.domain(me, request.params.slug);
      const { rows, count } = await domains.aliases(me, request.params.slug, page.page_size, offsetOf(page));
      const domain = serializeDomain(found);
      return paged(
        request,
        config,
        page,
        count,
        rows.map((a) => aliasOf(domain, a)),
      );
    },
  );

  app.post(
    `${base}/:slug/aliases/`,
    {
      schema: {
        tags: aliasTags,
        summary: 'Forward an address of the domain to another (the domain must be enabled)',
        params: slugParams,
        body: z.object({ local_part: localPart(100), destination: destination() }),
        response: { 201: aliasSchema },
      },
    },
    async (request, reply) => {
      const made = await domains.createAlias(
        user(request),
        request.params.slug,
        { localPart: request.body.local_part, destination: request.body.destination },
        requestParty(request),
      );
      return reply.code(201).send(aliasOf(serializeDomain(made), made.alias));
    },
  );

  // people's bulk action answers at aliases/ and at its action route aliases/delete/, which its front end calls.
  for (const path of ['aliases/', 'aliases/delete/'])
    app.delete(
      `${base}/:slug/${path}`,
      {
        schema: {
          tags: aliasTags,
          summary: 'Delete every destination of an alias (?local_part=, required)',
          params: slugParams,
          querystring: z.object({ local_part: requiredText(100) }),
        },
      },
      async (request, reply) => {
        await domains.deleteAlias(
          user(request),
          request.params.slug,
          { localPart: request.query.local_part.toLowerCase() },
          requestParty(request),
        );
        return reply.code(204).send();
      },
    );

  app.delete(
    `${base}/:slug/aliases/:id/`,
    { schema: { tags: aliasTags, summary: 'Delete one alias', params: withId } },
    async (request, reply) => {
      await domains.deleteAlias(
        user(request),
        request.params.slug,
        { id: request.params.id },
        requestParty(request),
      );
      return reply.code(204).send();
    },
  );
}
