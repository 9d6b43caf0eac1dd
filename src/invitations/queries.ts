// All SQL on invitations, with expiry computed in SQL against the caller's clock.
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../platform/database.ts';
import { scimClients } from '../scim/schema.ts';
import { type Role, teamAccesses, teams } from '../teams/index.ts';
import { type Invitation, invitations } from './schema.ts';

export interface InvitationRow extends Invitation {
  isExpired: boolean;
  total: number;
}

const expired = (cutoff: Date) =>
  sql<boolean>`${invitations.updatedAt} < ${cutoff.toISOString()}::timestamptz`;

export async function listInvitations(
  db: Db,
  teamId: string,
  cutoff: Date,
  limit: number,
  offset: number,
): Promise<InvitationRow[]> {
  const rows = await db
    .select({
      invitation: invitations,
      isExpired: expired(cutoff),
      total: sql<number>`count(*) over ()::int`,
    })
    .from(invitations)
    .where(eq(invitations.teamId, teamId))
    .orderBy(desc(invitations.createdAt), desc(invitations.id))
    .limit(limit)
    .offset(offset);
  return rows.map((r) => ({ ...r.invitation, isExpired: r.isExpired, total: r.total }));
}

export async function findInvitation(
  db: Db,
  teamId: string,
  id: string,
  cutoff: Date,
): Promise<InvitationRow | undefined> {
  const [row] = await db
    .select({ invitation: invitations, isExpired: expired(cutoff) })
    .from(invitations)
    .where(and(eq(invitations.teamId, teamId), eq(invitations.id, id)))
    .limit(1);
  return row ? { ...row.invitation, isExpired: row.isExpired, total: 1 } : undefined;
}

/**
 * Inserts unless a valid invitation for that email (any case) exists in the team; undefined then. An expired one is
 * replaced: the unique index knows nothing of expiry, so it is deleted first, in the caller's transaction.
 */
export async function insertInvitation(
  tx: Db,
  values: { teamId: string; email: string; role: Role; issuerId: string; createdAt: Date },
  cutoff: Date,
): Promise<Invitation | undefined> {
  await tx
    .delete(invitations)
    .where(
      and(
        eq(invitations.teamId, values.teamId),
        sql`lower(${invitations.email}) = lower(${values.email})`,
        expired(cutoff),
      ),
    );
  const [row] = await tx
    .insert(invitations)
    .values({ ...values, updatedAt: values.createdAt })
    .onConflictDoNothing()
    .returning();
  return row;
}

export async function deleteInvitation(db: Db, id: string): Promise<void> {
  await db.delete(invitations).where(eq(invitations.id, id));
}

/**
 * DESIGN.md §4: every valid invitation for this email becomes a team access (an existing access is
 * kept as it is), then those invitations are deleted. Two statements whatever the number of teams; returns the
 * accesses made.
 */
export async function convertInvitations(
  tx: Db,
  userId: string,
  email: string,
  cutoff: Date,
): Promise<{ id: string; teamId: string; role: Role }[]> {
  const valid = and(sql`lower(${invitations.email}) = lower(${email})`, gte(invitations.updatedAt, cutoff));
  // DESIGN.md §9: a team a directory manages takes its members from the directory only; an invitation made before it
  // was managed is void (deleted below with the rest), never a side door into it.
  const unmanaged = sql`not exists (select 1 from ${teams} t join ${scimClients} c on c.id = t.scim_client_id
    where t.id = ${invitations.teamId} and c.revoked_at is null)`;
  const converted = await tx
    .insert(teamAccesses)
    .select(
      tx
        .select({
          id: sql<string>`gen_random_uuid()`.as('id'),
          teamId: invitations.teamId,
          userId: sql<string>`${userId}::uuid`.as('user_id'),
          role: invitations.role,
          createdAt: sql<Date>`now()`.as('created_at'),
          updatedAt: sql<Date>`now()`.as('updated_at'),
        })
        .from(invitations)
        .where(and(valid, unmanaged)),
    )
    .onConflictDoNothing()
    .returning({ id: teamAccesses.id, teamId: teamAccesses.teamId, role: teamAccesses.role });
  await tx.delete(invitations).where(valid);
  return converted;
}
