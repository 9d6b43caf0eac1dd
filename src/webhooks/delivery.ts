// Sends a team's membership changes to its webhooks (DESIGN.md §12) from the job queue, after the change committed:
// one delivery at a time per webhook, oldest first, retried with exponential backoff and jitter, never in a request.

import type { Database } from '../platform/database.ts';
import type { JobHandler } from '../platform/job-queue.ts';
import { OutboundRefused } from './outbound.ts';
import { DeliveryFailed } from './protocol.ts';
import {
  deliveryOf,
  finishDelivery,
  leaseWebhook,
  oldestDelivery,
  type PendingDelivery,
  postponeDelivery,
  releaseWebhook,
} from './queries.ts';
import type { Protocol } from './schema.ts';
import { SecretUnreadable, type WebhookSecrets } from './secrets.ts';

export const WEBHOOK_JOB = 'webhooks.deliver';

/** A failure that the same delivery would meet again: refused before anything reached the receiver. */
function isPermanent(err: unknown): boolean {
  return (
    (err instanceof DeliveryFailed && err.status === null) ||
    err instanceof OutboundRefused ||
    err instanceof SecretUnreadable
  );
}

/**
 * Attempts before a delivery is given up: the pauses reach the hour cap after 12, so 36 make about a day (between
 * half a day and a day with the jitter) — an outage of a receiver for a night loses nothing. The webhook shows the
 * last error meanwhile.
 */
export const MAX_ATTEMPTS = 36;

/** What a delivery sends: the receiver, the change, and who it is about (by the `sub` other apps know). */
export interface Delivery {
  url: string;
  protocol: Protocol;
  secret: string | null;
  teamName: string;
  action: 'add' | 'remove';
  member: { sub: string | null; email: string | null };
}

/** Sends one delivery by its protocol; throws with a message for the webhook's `last_error` when it fails. */
export type Deliver = (delivery: Delivery) => Promise<void>;

/**
 * The pause after the n-th failed attempt: 2 s, 4 s, 8 s … capped at an hour, each drawn between half and all of it
 * (jitter), so receivers coming back from an outage are not hit by every Desk at the same instant.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(2_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface DeliveryOptions {
  deliver: Deliver;
  secrets: WebhookSecrets;
  /** The longest one delivery may take (every request of it): the webhook's lease outlasts it. */
  timeoutMs: number;
  now?: () => number;
  random?: () => number;
}

/** The job of one delivery: `{ delivery: id }`, queued by the trigger that wrote the delivery. */
export function webhookJobHandler(database: Database, options: DeliveryOptions): JobHandler {
  const now = options.now ?? Date.now;
  return async (payload) => {
    const db = database.db;
    const id = Number(payload.delivery);
    const delivery = Number.isSafeInteger(id) ? await deliveryOf(db, id) : undefined;
    // Sent already, or its webhook (or team) deleted since: nothing to do.
    if (!delivery) return;
    const token = crypto.randomUUID();
    const start = now();
    if (
      !(await leaseWebhook(
        db,
        delivery.webhookId,
        token,
        new Date(start),
        new Date(start + options.timeoutMs + 10_000),
      ))
    )
      // Another worker is sending to this webhook: this one waits its turn.
      return { runAgainAt: new Date(start + 500) };
    try {
      const head = await oldestDelivery(db, delivery.webhookId);
      if (head && head.id !== delivery.id)
        // An older change is still to be sent (maybe waiting for a retry): the receiver gets them in order.
        return { runAgainAt: new Date(Math.max(head.nextAttemptAt.getTime(), start + 250)) };
      // Read again under the lease: another run may have sent it, or failed it and set its next attempt, since.
      const current = await deliveryOf(db, delivery.id);
      if (!current) return;
      if (current.nextAttemptAt.getTime() > start) return { runAgainAt: current.nextAttemptAt };
      return await attempt(current);
    } finally {
      await releaseWebhook(db, delivery.webhookId, token);
    }
  };

  async function attempt(delivery: PendingDelivery) {
    const db = database.db;
    let error: string;
    try {
      await options.deliver({
        url: delivery.url,
        protocol: delivery.protocol,
        secret:
          delivery.secret === null ? null : options.secrets.decrypt(delivery.secret, delivery.webhookId),
        teamName: delivery.teamName,
        action: delivery.action,
        member: { sub: delivery.sub, email: delivery.email },
      });
      await finishDelivery(db, delivery, { at: new Date(now()), error: null });
      return;
    } catch (err) {
      error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      // Sending it again cannot help (no sub or email to send, no token, an address Desk may not reach): the
      // delivery is dropped at once, so the changes after it are not held for a day of retries.
      if (isPermanent(err)) {
        await finishDelivery(db, delivery, {
          at: new Date(now()),
          error: `Not sent: ${error}`.slice(0, 500),
        });
        return;
      }
    }
    const attempts = delivery.attempts + 1;
    if (attempts >= MAX_ATTEMPTS) {
      await finishDelivery(db, delivery, {
        at: new Date(now()),
        error: `Gave up after ${attempts} attempts: ${error}`.slice(0, 500),
      });
      return;
    }
    const retryAt = new Date(now() + retryDelayMs(attempts, options.random));
    await postponeDelivery(db, delivery, { retryAt, error });
    return { runAgainAt: retryAt };
  }
}
