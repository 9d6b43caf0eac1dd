// The staff back office's view of mail domains (DESIGN.md §8, §11): every domain, its status and last check, and a
// check forced now.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit, requestParty } from '../audit/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import { NotFound } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { idParams, text } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { actionRequiredDetails } from './platform.ts';
import { type AdminDomainRow, adminDomain, adminDomains } from './queries.ts';
import { DOMAIN_STATUSES } from './schema.ts';
import type { MailDomainService } from './service.ts';

export const adminMailDomainSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  status: z.enum(DOMAIN_STATUSES),
  organization: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  support_email: z.string(),
  count_mailboxes: z.number().int(),
  last_checked_at: z.string().nullable(),
  created_at: z.string(),
  action_required_details: z.record(z.string(), z.string()),
});

function serialize({
  domain,
  organizationName,
  mailboxCount,
}: AdminDomainRow): z.infer<typeof adminMailDomainSchema> {
  return {
    id: domain.id,
    name: domain.name,
    slug: domain.slug,
    status: domain.status,
    organization: domain.organizationId ? { id: domain.organizationId, name: organizationName ?? '' } : null,
    support_email: domain.supportEmail,
    count_mailboxes: mailboxCount,
    last_checked_at: domain.lastCheckedAt ? domain.lastCheckedAt.toISOString() : null,
    created_at: domain.createdAt.toISOString(),
    action_required_details: actionRequiredDetails(domain.lastCheckDetails),
  };
}

export function adminMailDomainRoutes(
  app: App,
  { config, database, domains }: { config: Config; database: Database; domains: MailDomainService },
): void {
  const tags = ['admin'];
  app.get(
    '/api/v1.0/admin/mail-domains/',
    {
      schema: {
        tags,
        summary: 'Every mail domain, its status and last check',
        querystring: pageQuery.extend({
          q: text(150).optional(),
          status: z.enum(DOMAIN_STATUSES).optional(),
        }),
        response: { 200: pageOf(adminMailDomainSchema) },
      },
    },
    async (
      request: FastifyRequest<{
        Querystring: { q?: string; status?: string; page: number; page_size: number };
      }>,
    ) => {
      const { q, status, ...page } = request.query;
      const { rows, count } = await adminDomains(
        database.db,
        { ...(q ? { q } : {}), ...(status ? { status } : {}) },
        page.page_size,
        offsetOf(page),
      );
      return paged(request, config, page, count, rows.map(serialize));
    },
  );

  app.post(
    '/api/v1.0/admin/mail-domains/:id/check/',
    {
      schema: {
        tags,
        summary: "Check a domain's status at dimail now (503 when dimail does not answer)",
        params: idParams('id'),
        response: { 200: adminMailDomainSchema },
      },
    },
    async (request) => {
      const found = await adminDomain(database.db, request.params.id);
      if (!found) throw new NotFound();
      await domains.checkNow(found.domain);
      const after = (await adminDomain(database.db, found.domain.id)) ?? found;
      await recordAudit(database.db, {
        ...requestParty(request),
        event: 'mail_domain.checked',
        target: { type: 'mail_domain', id: found.domain.id, label: found.domain.name },
        details: { from: found.domain.status, to: after.domain.status },
      });
      return serialize(after);
    },
  );
}
