// Mail: rendering (MJML → HTML plus text), the outbox (mail jobs), delivery over SMTP, development previews.
import type { Db } from '../platform/database.ts';
import type { JobOutcome } from '../platform/job-queue.ts';
import { enqueueJob } from '../platform/jobs.ts';
import { languageOf, TEMPLATES, type TemplateContext, type TemplateName } from './templates.ts';

export { escapeHtml, SAMPLES, TEMPLATES, type TemplateContext, type TemplateName } from './templates.ts';

export const MAIL_JOB = 'mail';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

export interface MailMessage extends RenderedMail {
  to: string;
}

/** Delivers one message (SMTP in production); throws to have the job retried. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

// MJML (with its HTML parser, CSS inliner and minifier) takes 0.3 s and 50 MB to load: the first mail rendered loads
// it, not the start, and a Desk that renders no mail never holds it.
let compiler: Promise<typeof import('mjml')['default']> | undefined;
function mjmlCompiler() {
  compiler ??= import('mjml').then(
    (module) => module.default,
    (err: unknown) => {
      compiler = undefined;
      throw err;
    },
  );
  return compiler;
}

export async function renderMail<T extends TemplateName>(
  template: T,
  language: string,
  context: TemplateContext<T>,
): Promise<RenderedMail> {
  const render = TEMPLATES[template] as (
    lang: ReturnType<typeof languageOf>,
    c: TemplateContext<T>,
  ) => {
    subject: string;
    mjml: string;
    text: string;
  };
  const { subject, mjml, text } = render(languageOf(language), context);
  const { html, errors } = await (await mjmlCompiler())(mjml, { validationLevel: 'soft' });
  if (errors.length) throw new Error(`template ${template} does not compile: ${errors[0]?.message ?? ''}`);
  return { subject, html, text };
}

export interface QueuedMail<T extends TemplateName = TemplateName> {
  to: string;
  template: T;
  language: string;
  context: TemplateContext<T>;
}

/** An outbox mail as its job stores it. */
export interface OutboxMail<T extends TemplateName = TemplateName> extends QueuedMail<T> {
  /** Context keys whose values the outbox forgets once the mail is sent. */
  secret?: string[];
}

export interface EnqueueMailOptions<T extends TemplateName> {
  /**
   * Context keys holding secrets (a new password): sent in the mail, then replaced by SENT_SECRET in the outbox, and
   * never shown by the back office.
   */
  secret?: (keyof TemplateContext<T> & string)[];
}

/** What a secret of an outbox mail reads once the mail is sent. */
export const SENT_SECRET = '[sent]';

/** Puts a mail in the outbox within the caller's transaction: sent after commit, never if it rolls back. */
export async function enqueueMail<T extends TemplateName>(
  tx: Db,
  mail: QueuedMail<T>,
  options: EnqueueMailOptions<T> = {},
): Promise<void> {
  const stored: OutboxMail<T> = { ...mail, ...(options.secret?.length ? { secret: options.secret } : {}) };
  await enqueueJob(tx, MAIL_JOB, { ...stored });
}

/** The job that renders and sends an outbox mail, then has the outbox forget the mail's secrets. */
export function mailJobHandler(mailer: Mailer) {
  return async (payload: Record<string, unknown>): Promise<JobOutcome | undefined> => {
    const mail = payload as unknown as OutboxMail;
    const rendered = await renderMail(mail.template, mail.language, mail.context);
    await mailer.send({ to: mail.to, ...rendered });
    if (!mail.secret?.length) return undefined;
    const context: Record<string, unknown> = { ...mail.context };
    for (const key of mail.secret) if (key in context) context[key] = SENT_SECRET;
    return { payload: { ...payload, context } };
  };
}
