// All SQL of team webhooks: the webhooks of a team, and the deliveries the job queue sends in order.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../platform/database.ts';
import { teams } from '../teams/index.ts';
import { type Protocol, type TeamWebhook, teamWebhookDeliveries, teamWebhooks } from './schema.ts';

export async function webhooksOf(db: Db, teamId: string): Promise<TeamWebhook[]> {
  return db
    .select()
    .from(teamWebhooks)
    .where(eq(teamWebhooks.teamId, teamId))
    .orderBy(asc(teamWebhooks.createdAt), asc(teamWebhooks.id));
}

export async function webhookOf(db: Db, teamId: string, id: string): Promise<TeamWebhook | undefined> {
  const [row] = await db
    .select()
    .from(teamWebhooks)
    .where(and(eq(teamWebhooks.teamId, teamId), eq(teamWebhooks.id, id)))
    .limit(1);
  return row;
}

/** How many webhooks the team has, its row held until the transaction ends (two additions at once count in turn). */
export async function countWebhooksLocked(tx: Db, teamId: string): Promise<number> {
  await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, teamId)).for('update');
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(teamWebhooks)
    .where(eq(teamWebhooks.teamId, teamId));
  return row?.n ?? 0;
}

export async function insertWebhook(
  tx: Db,
  values: { id: string; teamId: string; url: string; protocol: Protocol; secret: string | null },
): Promise<TeamWebhook> {
  const [row] = await tx.insert(teamWebhooks).values(values).returning();
  if (!row) throw new Error('insert returned no webhook');
  return row;
}

/** Deletes the webhook and its deliveries not yet sent; false when it was not there. */
export async function deleteWebhook(tx: Db, teamId: string, id: string): Promise<boolean> {
  const rows = await tx
    .delete(teamWebhooks)
    .where(and(eq(teamWebhooks.teamId, teamId), eq(teamWebhooks.id, id)))
    .returning({ id: teamWebhooks.id });
  return rows.length > 0;
}

/** A delivery with what sending it needs: its webhook and the team's name (Matrix says it in its reason). */
export interface PendingDelivery {
  id: number;
  webhookId: string;
  action: 'add' | 'remove';
  sub: string | null;
  email: string | null;
  attempts: number;
  nextAttemptAt: Date;
  url: string;
  protocol: Protocol;
  secret: string | null;
  teamName: string;
}

export async function deliveryOf(db: Db, id: number): Promise<PendingDelivery | undefined> {
  const [row] = await db
    .select({
      id: teamWebhookDeliveries.id,
      webhookId: teamWebhookDeliveries.webhookId,
      action: teamWebhookDeliveries.action,
      sub: teamWebhookDeliveries.sub,
      email: teamWebhookDeliveries.email,
      attempts: teamWebhookDeliveries.attempts,
      nextAttemptAt: teamWebhookDeliveries.nextAttemptAt,
      url: teamWebhooks.url,
      protocol: teamWebhooks.protocol,
      secret: teamWebhooks.secret,
      teamName: teams.name,
    })
    .from(teamWebhookDeliveries)
    .innerJoin(teamWebhooks, eq(teamWebhooks.id, teamWebhookDeliveries.webhookId))
    .innerJoin(teams, eq(teams.id, teamWebhooks.teamId))
    .where(eq(teamWebhookDeliveries.id, id))
    .limit(1);
  return row;
}

/**
 * Takes the webhook for one delivery until `until`, unless another worker holds it: one statement, so two pods
 * cannot both send to one webhook at once (the order the receiver sees is the order of the changes).
 */
export async function leaseWebhook(
  db: Db,
  id: string,
  token: string,
  now: Date,
  until: Date,
): Promise<boolean> {
  const rows = await db
    .update(teamWebhooks)
    .set({ deliveringUntil: until, deliveryToken: token })
    .where(
      and(
        eq(teamWebhooks.id, id),
        sql`(${teamWebhooks.deliveringUntil} is null or ${teamWebhooks.deliveringUntil} < ${now.toISOString()}::timestamptz)`,
      ),
    )
    .returning({ id: teamWebhooks.id });
  return rows.length > 0;
}

export async function releaseWebhook(db: Db, id: string, token: string): Promise<void> {
  await db
    .update(teamWebhooks)
    .set({ deliveringUntil: null, deliveryToken: null })
    .where(and(eq(teamWebhooks.id, id), eq(teamWebhooks.deliveryToken, token)));
}

/** The webhook's oldest delivery not yet sent: the only one that may be sent now. */
export async function oldestDelivery(
  db: Db,
  webhookId: string,
): Promise<{ id: number; nextAttemptAt: Date } | undefined> {
  const [row] = await db
    .select({ id: teamWebhookDeliveries.id, nextAttemptAt: teamWebhookDeliveries.nextAttemptAt })
    .from(teamWebhookDeliveries)
    .where(eq(teamWebhookDeliveries.webhookId, webhookId))
    .orderBy(asc(teamWebhookDeliveries.id))
    .limit(1);
  return row;
}

/** Sent, or given up: the delivery goes and the webhook says how the last attempt went, in one transaction. */
export async function finishDelivery(
  db: Db,
  delivery: PendingDelivery,
  outcome: { at: Date; error: string | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(teamWebhookDeliveries).where(eq(teamWebhookDeliveries.id, delivery.id));
    await tx
      .update(teamWebhooks)
      .set(
        outcome.error === null
          ? { status: 'success', lastError: null, lastSuccessAt: outcome.at }
          : { status: 'failure', lastError: outcome.error },
      )
      .where(eq(teamWebhooks.id, delivery.webhookId));
  });
}

/** A failed attempt: the delivery waits until `retryAt`, the webhook shows the error meanwhile. */
export async function postponeDelivery(
  db: Db,
  delivery: PendingDelivery,
  outcome: { retryAt: Date; error: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(teamWebhookDeliveries)
      .set({ attempts: delivery.attempts + 1, nextAttemptAt: outcome.retryAt })
      .where(eq(teamWebhookDeliveries.id, delivery.id));
    await tx
      .update(teamWebhooks)
      .set({ status: 'failure', lastError: outcome.error })
      .where(eq(teamWebhooks.id, delivery.webhookId));
  });
}
