// POST /api/v1.0/documents/create-for-owner/: a trusted back-end files a document for an agent, who owns it at once or at first sign-in.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Config, LANGUAGES } from '../platform/config.ts';
import type { Database, Db } from '../platform/database.ts';
import { HttpError, NotAuthenticated, ValidationFailed } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { email, requiredText, text } from '../platform/input.ts';
import { findUserBySub, findUsersByEmail, type User } from '../users/index.ts';
import {
  findIdempotent,
  insertDocument,
  insertDocumentAccess,
  insertDocumentInvitation,
  recordIdempotent,
} from './queries.ts';
import type { Document } from './schema.ts';

/** Largest content accepted, in characters; beyond it the answer is 413. */
export const CONTENT_MAX_CHARS = 500_000;

class ContentTooLarge extends HttpError {
  readonly statusCode = 413;
  constructor() {
    super(`content is too large: at most ${CONTENT_MAX_CHARS} characters.`);
  }
}

class IdempotentRetry extends Error {}

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

export interface OwnerNotification {
  document: Document;
  to: string;
  language: string;
  subject?: string;
  message?: string;
}

/** What runs in the creating transaction once the document exists (the notification email). */
export type NotifyOwner = (tx: Db, notification: OwnerNotification) => Promise<void>;

export interface CreateForOwnerDeps {
  config: Config;
  database: Database;
  notify: NotifyOwner[];
}

async function ownerFor(tx: Db, input: CreateForOwnerBody, config: Config): Promise<User | undefined> {
  const bySub = await findUserBySub(tx, input.sub);
  if (bySub) return bySub;
  const sameEmail = await findUsersByEmail(tx, input.email);
  if (config.OIDC_FALLBACK_TO_EMAIL_FOR_IDENTIFICATION) {
    if (sameEmail.length > 1)
      throw new ValidationFailed({ email: ['Several accounts use this email address.'] });
    // Found by email: their sub stays as it is (some providers give a new sub at each login).
    return sameEmail[0];
  }
  if (sameEmail.length && !config.OIDC_ALLOW_DUPLICATE_EMAILS)
    throw new ValidationFailed({ email: ['This email belongs to another user than this sub.'] });
  return undefined;
}

export function createForOwnerRoute(app: App, { config, database, notify }: CreateForOwnerDeps): void {
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
      const input = request.body;
      if (input.content.length > CONTENT_MAX_CHARS) throw new ContentTooLarge();
      const idempotencyHeader = request.headers['idempotency-key'];
      const key =
        typeof idempotencyHeader === 'string'
          ? createHash('sha256').update(token).update('\n').update(idempotencyHeader).digest('hex')
          : undefined;
      const replay = async () => {
        const earlier = key ? await findIdempotent(database.db, key) : undefined;
        return earlier ? { id: String(earlier.response.id) } : undefined;
      };
      const earlier = await replay();
      if (earlier) return reply.code(201).send(earlier);
      try {
        const created = await database.db.transaction(async (tx) => {
          const owner = await ownerFor(tx, input, config);
          const document = await insertDocument(tx, {
            title: input.title,
            content: input.content,
            creatorId: null,
          });
          if (owner)
            await insertDocumentAccess(tx, { documentId: document.id, userId: owner.id, role: 'owner' });
          else
            await insertDocumentInvitation(tx, {
              documentId: document.id,
              email: input.email,
              role: 'owner',
              issuerId: null,
            });
          // A concurrent retry recorded its answer first: roll this one back and answer with that one.
          if (key && !(await recordIdempotent(tx, key, 201, { id: document.id })))
            throw new IdempotentRetry();
          if (input.send_notification_email) {
            const notification: OwnerNotification = {
              document,
              to: owner?.email ?? input.email,
              language: input.language ?? owner?.language ?? 'en-us',
              ...(input.subject ? { subject: input.subject } : {}),
              ...(input.message ? { message: input.message } : {}),
            };
            for (const hook of notify) await hook(tx, notification);
          }
          return { id: document.id };
        });
        return reply.code(201).send(created);
      } catch (err) {
        const first = err instanceof IdempotentRetry || key ? await replay() : undefined;
        if (first) return reply.code(201).send(first);
        throw err;
      }
    },
  );
}
