// POST /api/v1.0/documents/create-for-owner/: a trusted back-end files a document for an agent (HTTP: token, body, idempotency key).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Config, LANGUAGES } from '../platform/config.ts';
import { HttpError, NotAuthenticated } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { email, requiredText, text } from '../platform/input.ts';
import type { OwnerFiling } from './filing.ts';

/** Largest content accepted, in characters; beyond it the answer is 413. */
export const CONTENT_MAX_CHARS = 500_000;

class ContentTooLarge extends HttpError {
  readonly statusCode = 413;
  constructor() {
    super(`content is too large: at most ${CONTENT_MAX_CHARS} characters.`);
  }
}

class InvalidServerToken extends NotAuthenticated {
  constructor(message: string) {
    super(message);
    this.headers['www-authenticate'] = 'Bearer realm="desk"';
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The caller's token digest when it is one of SERVER_TO_SERVER_API_TOKENS, compared in constant time. */
export function serverTokenOf(request: FastifyRequest, config: Config): Buffer {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(header) : null;
  if (!match?.[1])
    throw new InvalidServerToken('A server-to-server token is required (Authorization: Bearer <token>).');
  const given = digest(match[1]);
  let found = false;
  // Every configured token is compared, so timing does not tell how many or which ones nearly matched.
  for (const token of config.SERVER_TO_SERVER_API_TOKENS)
    if (timingSafeEqual(digest(token), given)) found = true;
  if (!found) throw new InvalidServerToken('Invalid server-to-server token.');
  return given;
}

const body = z.strictObject({
  title: requiredText(255),
  // Over the cap answers 413 (the handler), not 400: the content is well-formed, only too large.
  content: text(Number.MAX_SAFE_INTEGER, { trim: false }),
  sub: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x20-\x7e]+$/, 'Must be printable ASCII.'),
  email: email(),
  language: z.enum(LANGUAGES.map((l) => l.code) as [string, ...string[]]).optional(),
  send_notification_email: z.boolean().default(true),
  message: text(2_000).optional(),
  subject: requiredText(255).optional(),
});

export type CreateForOwnerBody = z.infer<typeof body>;

export interface CreateForOwnerDeps {
  config: Config;
  filing: OwnerFiling;
}

export function createForOwnerRoute(app: App, { config, filing }: CreateForOwnerDeps): void {
  app.post(
    '/api/v1.0/documents/create-for-owner/',
    {
      bodyLimit: CONTENT_MAX_CHARS * 4 + 65_536,
      schema: {
        tags: ['documents'],
        summary: 'Create a document on behalf of an agent (server-to-server)',
        security: [{ bearer: [] }],
        headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }).passthrough(),
        body,
        response: { 201: z.object({ id: z.uuid() }) },
      },
    },
    async (request, reply) => {
      const token = serverTokenOf(request, config);
      if (request.body.content.length > CONTENT_MAX_CHARS) throw new ContentTooLarge();
      const header = request.headers['idempotency-key'];
      // Keys are per calling back-end: two back-ends may pick the same key without meeting.
      const key =
        typeof header === 'string'
          ? createHash('sha256').update(token).update('\n').update(header).digest('hex')
          : undefined;
      return reply.code(201).send(await filing.file(request.body, key));
    },
  );
}
