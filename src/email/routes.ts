// Development-only mail previews (/__debug__/mail/ lists them: {template}_{html,txt}) and the outbox (/__debug__/outbox).
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import { NotFound } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { idParams } from '../platform/input.ts';
import { type QueuedMail, renderMail } from './index.ts';
import { mailJob, recentMails } from './outbox.ts';
import { SAMPLES, TEMPLATES, type TemplateName } from './templates.ts';

export function mailDebugRoutes(
  app: App,
  { config, database }: { config: Config; database: Database },
): void {
  // Unauthenticated and showing other people's mail: only on DEBUG (never allowed in production).
  if (!config.DEBUG) return;
  app.get('/__debug__/mail/', { schema: { hide: true } }, async () =>
    Object.keys(TEMPLATES).map((template) => ({
      template,
      html: `/__debug__/mail/${template}_html`,
      text: `/__debug__/mail/${template}_txt`,
      french: `/__debug__/mail/${template}_html?lang=fr-fr`,
    })),
  );

  app.get(
    '/__debug__/mail/:name',
    {
      schema: {
        hide: true,
        params: z.object({ name: z.string() }),
        querystring: z.object({ lang: z.string().optional() }),
      },
    },
    async (request, reply) => {
      const match = /^(.+)_(html|txt)$/.exec(request.params.name);
      const template = match?.[1] as TemplateName | undefined;
      if (!match || !template || !(template in TEMPLATES))
        throw new NotFound(`No mail template named ${request.params.name}.`);
      const rendered = await renderMail(template, request.query.lang ?? 'en-us', SAMPLES[template]);
      if (match[2] === 'txt') return reply.type('text/plain; charset=utf-8').send(rendered.text);
      return reply.type('text/html; charset=utf-8').send(rendered.html);
    },
  );

  app.get('/__debug__/outbox', { schema: { hide: true } }, async () => {
    const rows = await recentMails(database.db, 50);
    return rows.map((job) => {
      const mail = job.payload as unknown as QueuedMail;
      return {
        id: job.id,
        to: mail.to,
        template: mail.template,
        language: mail.language,
        status: job.status,
        attempts: job.attempts,
        last_error: job.lastError,
        created_at: job.createdAt.toISOString(),
        preview: `/__debug__/outbox/${job.id}`,
      };
    });
  });

  app.get(
    '/__debug__/outbox/:id',
    { schema: { hide: true, params: idParams('id') } },
    async (request, reply) => {
      const job = await mailJob(database.db, request.params.id);
      if (!job) throw new NotFound();
      const mail = job.payload as unknown as QueuedMail;
      const rendered = await renderMail(mail.template, mail.language, mail.context);
      return reply.type('text/html; charset=utf-8').send(rendered.html);
    },
  );
}
