// Filing a document for an agent on behalf of a trusted back-end: the owner by sub or email (else an owner
// invitation), the idempotency record and the notification, all in one transaction.
import type { Config } from '../platform/config.ts';
import type { Database, Db } from '../platform/database.ts';
import { ValidationFailed } from '../platform/errors.ts';
import { findUserBySub, findUsersByEmail, type User } from '../users/index.ts';
import {
  findIdempotent,
  insertDocument,
  insertDocumentAccess,
  insertDocumentInvitation,
  recordIdempotent,
} from './queries.ts';
import type { Document } from './schema.ts';

export interface FilingInput {
  title: string;
  content: string;
  sub: string;
  email: string;
  language?: string | undefined;
  send_notification_email: boolean;
  message?: string | undefined;
  subject?: string | undefined;
}

export interface OwnerNotification {
  document: Document;
  to: string;
  language: string;
  subject?: string;
  message?: string;
}

/** What runs in the creating transaction once the document exists (the notification email). */
export type NotifyOwner = (tx: Db, notification: OwnerNotification) => Promise<void>;

class IdempotentRetry extends Error {}

async function ownerFor(tx: Db, input: FilingInput, config: Config): Promise<User | undefined> {
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

export class OwnerFiling {
  private readonly notify: NotifyOwner[] = [];

  constructor(
    private readonly database: Database,
    private readonly config: Config,
  ) {}

  afterFiling(hook: NotifyOwner): void {
    this.notify.push(hook);
  }

  /** The id of the new document, or of the one filed earlier under the same idempotency key. */
  async file(input: FilingInput, idempotencyKey: string | undefined): Promise<{ id: string }> {
    const replay = async () => {
      const earlier = idempotencyKey ? await findIdempotent(this.database.db, idempotencyKey) : undefined;
      return earlier ? { id: String(earlier.response.id) } : undefined;
    };
    const earlier = await replay();
    if (earlier) return earlier;
    try {
      return await this.database.db.transaction(async (tx) => {
        const owner = await ownerFor(tx, input, this.config);
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
        if (idempotencyKey && !(await recordIdempotent(tx, idempotencyKey, 201, { id: document.id })))
          throw new IdempotentRetry();
        if (input.send_notification_email) {
          const notification: OwnerNotification = {
            document,
            to: owner?.email ?? input.email,
            language: input.language ?? owner?.language ?? 'en-us',
            ...(input.subject ? { subject: input.subject } : {}),
            ...(input.message ? { message: input.message } : {}),
          };
          for (const hook of this.notify) await hook(tx, notification);
        }
        return { id: document.id };
      });
    } catch (err) {
      const first = err instanceof IdempotentRetry || idempotencyKey ? await replay() : undefined;
      if (first) return first;
      throw err;
    }
  }
}
