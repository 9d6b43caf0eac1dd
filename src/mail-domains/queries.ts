// All SQL on mail domains, their accesses, invitations, mailboxes and aliases. A domain is always read with the
// requester's role in the same statement: no role, no row (DESIGN.md §11: no role → 404).
import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import { type Db, escapeLike, rowsOf } from '../platform/database.ts';
import { preparedPerDatabase } from '../platform/prepared-queries.ts';
import { jobs } from '../platform/schema.ts';
import { users } from '../users/index.ts';
import {
  type DomainRole,
  type MailAlias,
  type Mailbox,
  type MailDomain,
  type MailDomainInvitation,
  mailAliases,
  mailboxes,
  mailDomainAccesses,
  mailDomainInvitations,
  mailDomains,
} from './schema.ts';

export interface DomainWithRole {
  domain: MailDomain;
  role: DomainRole;
  mailboxCount: number;
}

// Named in full: drizzle leaves a column unqualified in a query of one table, and an unqualified "id" here would be
// the mailbox's own (every count 0, as the back office's list showed).
const mailboxCount = sql<number>`(select count(*)::int from mailboxes mb where mb.domain_id = "mail_domains"."id")`;

export type DomainOrdering = 'name' | '-name' | 'created_at' | '-created_at';

export async function myDomains(
  db: Db,
  userId: string,
  ordering: DomainOrdering,
  limit: number,
  offset: number,
): Promise<{ rows: DomainWithRole[]; count: number }> {
  const column = ordering.endsWith('name') ? mailDomains.name : mailDomains.createdAt;
  const direction = ordering.startsWith('-') ? desc : asc;
  const rows = await db
    .select({
      domain: mailDomains,
      role: mailDomainAccesses.role,
      mailboxCount,
      total: sql<number>`count(*) over ()::int`,
    })
    .from(mailDomainAccesses)
    .innerJoin(mailDomains, eq(mailDomains.id, mailDomainAccesses.domainId))
    .where(eq(mailDomainAccesses.userId, userId))
    .orderBy(direction(column), asc(mailDomains.id))
    .limit(limit)
    .offset(offset);
  return { rows, count: rows[0]?.total ?? 0 };
}

/** The domain by slug as this user sees it (with their role), or nothing when they have no role on it. */
export async function domainOf(db: Db, slug: string, userId: string): Promise<DomainWithRole | undefined> {
  const [row] = await db
    .select({ domain: mailDomains, role: mailDomainAccesses.role, mailboxCount })
    .from(mailDomainAccesses)
    .innerJoin(mailDomains, eq(mailDomains.id, mailDomainAccesses.domainId))
    .where(and(eq(mailDomains.slug, slug), eq(mailDomainAccesses.userId, userId)))
    .limit(1);
  return row;
}

export async function domainById(db: Db, id: string): Promise<MailDomain | undefined> {
  const [row] = await db.select().from(mailDomains).where(eq(mailDomains.id, id)).limit(1);
  return row;
}

export async function domainByName(db: Db, name: string): Promise<MailDomain | undefined> {
  const [row] = await db.select().from(mailDomains).where(eq(mailDomains.name, name)).limit(1);
  return row;
}

export async function slugTaken(db: Db, slug: string): Promise<boolean> {
  const [row] = await db
    .select({ id: mailDomains.id })
    .from(mailDomains)
    .where(eq(mailDomains.slug, slug))
    .limit(1);
  return Boolean(row);
}

/** Changes a domain, mailbox or alias by id, its updated_at with it; the row as it is now. */
async function updateRow<T extends typeof mailDomains | typeof mailboxes | typeof mailAliases>(
  db: Db,
  table: T,
  id: string,
  values: Partial<T['$inferSelect']>,
): Promise<T['$inferSelect'] | undefined> {
  const t = table as typeof mailDomains;
  const [row] = await db
    .update(t)
    .set({ ...(values as Partial<MailDomain>), updatedAt: new Date() })
    .where(eq(t.id, id))
    .returning();
  return row as T['$inferSelect'] | undefined;
}

export async function insertDomain(
  tx: Db,
  values: { name: string; slug: string; supportEmail: string; organizationId: string | null },
): Promise<MailDomain | undefined> {
  const [row] = await tx.insert(mailDomains).values(values).onConflictDoNothing().returning();
  return row;
}

export function updateDomain(
  db: Db,
  id: string,
  values: Partial<Omit<MailDomain, 'id' | 'createdAt'>>,
): Promise<MailDomain | undefined> {
  return updateRow(db, mailDomains, id, values);
}

export async function deleteDomain(tx: Db, id: string): Promise<void> {
  await tx.delete(mailDomains).where(eq(mailDomains.id, id));
}

/** The domains the periodic check looks at: every one but the disabled. */
export async function checkableDomainIds(db: Db): Promise<string[]> {
  const rows = await db
    .select({ id: mailDomains.id })
    .from(mailDomains)
    .where(sql`${mailDomains.status} <> 'disabled'`)
    .orderBy(asc(mailDomains.lastCheckedAt), asc(mailDomains.id));
  return rows.map((r) => r.id);
}

/** The language of the domain's earliest owner: the status mails to its support address are in it. */
export async function ownerLanguage(db: Db, domainId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ language: users.language })
    .from(mailDomainAccesses)
    .innerJoin(users, eq(users.id, mailDomainAccesses.userId))
    .where(and(eq(mailDomainAccesses.domainId, domainId), eq(mailDomainAccesses.role, 'owner')))
    .orderBy(asc(mailDomainAccesses.createdAt))
    .limit(1);
  return row?.language;
}

// --- Accesses ---

export interface DomainAccessView {
  id: string;
  userId: string;
  userName: string;
  userEmail: string | null;
  role: DomainRole;
}

const accessView = {
  id: mailDomainAccesses.id,
  userId: users.id,
  userName: users.name,
  userEmail: users.email,
  role: mailDomainAccesses.role,
};

export type DomainAccessOrdering =
  | 'role'
  | '-role'
  | 'user__name'
  | '-user__name'
  | 'user__email'
  | '-user__email';

export async function listAccesses(
  db: Db,
  domainId: string,
  ordering: DomainAccessOrdering | undefined,
  limit: number,
  offset: number,
): Promise<{ rows: DomainAccessView[]; count: number }> {
  const orderings: Record<DomainAccessOrdering, SQL> = {
    role: sql`array_position(array['viewer','administrator','owner']::text[], ${mailDomainAccesses.role}::text)`,
    '-role': sql`array_position(array['viewer','administrator','owner']::text[], ${mailDomainAccesses.role}::text) desc`,
    user__name: sql`${users.name}`,
    '-user__name': sql`${users.name} desc`,
    user__email: sql`${users.email}`,
    '-user__email': sql`${users.email} desc`,
  };
  const rows = await db
    .select({ ...accessView, total: sql<number>`count(*) over ()::int` })
    .from(mailDomainAccesses)
    .innerJoin(users, eq(users.id, mailDomainAccesses.userId))
    .where(eq(mailDomainAccesses.domainId, domainId))
    .orderBy(ordering ? orderings[ordering] : desc(mailDomainAccesses.createdAt), asc(mailDomainAccesses.id))
    .limit(limit)
    .offset(offset);
  return { rows, count: rows[0]?.total ?? 0 };
}

export async function accessOf(
  db: Db,
  domainId: string,
  accessId: string,
): Promise<DomainAccessView | undefined> {
  const [row] = await db
    .select(accessView)
    .from(mailDomainAccesses)
    .innerJoin(users, eq(users.id, mailDomainAccesses.userId))
    .where(and(eq(mailDomainAccesses.domainId, domainId), eq(mailDomainAccesses.id, accessId)))
    .limit(1);
  return row;
}

export async function insertDomainAccess(
  tx: Db,
  domainId: string,
  userId: string,
  role: DomainRole,
): Promise<{ id: string } | undefined> {
  const [row] = await tx
    .insert(mailDomainAccesses)
    .values({ domainId, userId, role })
    .onConflictDoNothing()
    .returning({ id: mailDomainAccesses.id });
  return row;
}

/**
 * Changes a role unless that leaves the domain without an owner: the owners are locked (FOR UPDATE) first, so two
 * owners demoting each other at once cannot both succeed. Answers false when it would remove the last owner.
 */
export async function setDomainAccessRole(tx: Db, domainId: string, accessId: string, role: DomainRole) {
  if (role !== 'owner' && !(await keepsAnOwner(tx, domainId, accessId))) return false;
  await tx
    .update(mailDomainAccesses)
    .set({ role, updatedAt: new Date() })
    .where(and(eq(mailDomainAccesses.id, accessId), eq(mailDomainAccesses.domainId, domainId)));
  return true;
}

export async function deleteDomainAccess(tx: Db, domainId: string, accessId: string): Promise<boolean> {
  if (!(await keepsAnOwner(tx, domainId, accessId))) return false;
  await tx
    .delete(mailDomainAccesses)
    .where(and(eq(mailDomainAccesses.id, accessId), eq(mailDomainAccesses.domainId, domainId)));
  return true;
}

/** Whether the domain keeps an owner without this access (locking the owners' rows until the transaction ends). */
async function keepsAnOwner(tx: Db, domainId: string, accessId: string): Promise<boolean> {
  const owners = rowsOf<{ id: string }>(
    await tx.execute(
      sql`select id from mail_domain_accesses where domain_id = ${domainId} and role = 'owner' for update`,
    ),
  );
  return !owners.some((o) => o.id === accessId) || owners.length > 1;
}

/** Active users of the requester's organization without an access to the domain (people's accesses/users/). */
export async function availableUsers(
  db: Db,
  domainId: string,
  organizationId: string | null,
  q: string | undefined,
) {
  const words = q
    ? sql`and (unaccent(${users.name}) ilike unaccent(${`%${escapeLike(q)}%`}) or ${users.email} ilike ${`%${escapeLike(q)}%`})`
    : sql``;
  const org = organizationId
    ? sql`${users.organizationId} = ${organizationId}`
    : sql`${users.organizationId} is null`;
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(
      sql`${users.isActive} and ${org} and not exists (select 1 from mail_domain_accesses a where a.domain_id = ${domainId} and a.user_id = ${users.id}) ${words}`,
    )
    .orderBy(desc(users.createdAt))
    .limit(100);
}

/** The tables whose rows belong to one domain and are read the same way. */
type DomainRows = typeof mailboxes | typeof mailAliases;

/** One row of a domain's mailboxes or aliases, by id (undefined when it is another domain's). */
async function rowOfDomain<T extends DomainRows>(
  db: Db,
  table: T,
  domainId: string | null,
  id: string,
): Promise<T['$inferSelect'] | undefined> {
  const t = table as DomainRows;
  const [row] = await db
    .select()
    .from(t)
    .where(domainId ? and(eq(t.domainId, domainId), eq(t.id, id)) : eq(t.id, id))
    .limit(1);
  return row as T['$inferSelect'] | undefined;
}

/** A page of a domain's mailboxes or aliases, with the count of all in the same statement. */
async function pageOfDomain<T extends DomainRows>(
  db: Db,
  table: T,
  domainId: string,
  order: SQL[],
  limit: number,
  offset: number,
): Promise<{ rows: T['$inferSelect'][]; count: number }> {
  const t = table as DomainRows;
  const rows = await db
    .select({ row: t, total: sql<number>`count(*) over ()::int` })
    .from(t)
    .where(eq(t.domainId, domainId))
    .orderBy(...order, asc(t.id))
    .limit(limit)
    .offset(offset);
  return { rows: rows.map((r) => r.row as T['$inferSelect']), count: rows[0]?.total ?? 0 };
}

// --- Mailboxes ---

export function listMailboxes(db: Db, domainId: string, limit: number, offset: number) {
  return pageOfDomain(db, mailboxes, domainId, [desc(mailboxes.createdAt)], limit, offset);
}

export function mailboxOf(db: Db, domainId: string, id: string): Promise<Mailbox | undefined> {
  return rowOfDomain(db, mailboxes, domainId, id);
}

export function mailboxById(db: Db, id: string): Promise<Mailbox | undefined> {
  return rowOfDomain(db, mailboxes, null, id);
}

export async function pendingMailboxIds(db: Db, domainId: string): Promise<string[]> {
  const rows = await db
    .select({ id: mailboxes.id })
    .from(mailboxes)
    .where(and(eq(mailboxes.domainId, domainId), eq(mailboxes.status, 'pending')))
    .orderBy(asc(mailboxes.createdAt));
  return rows.map((r) => r.id);
}

/** Which of the two unique keys a new or renamed mailbox would break, if any. */
export async function mailboxClash(
  db: Db,
  domainId: string,
  m: { localPart?: string; firstName: string; lastName: string },
  except?: string,
): Promise<'local_part' | 'display_name' | undefined> {
  const rows = rowsOf<{ local_part: string; first_name: string; last_name: string }>(
    await db.execute(sql`select local_part, first_name, last_name from mailboxes
      where domain_id = ${domainId} and id <> ${except ?? '00000000-0000-0000-0000-000000000000'}::uuid
        and (local_part = ${m.localPart ?? ''}
          or (lower(first_name) = lower(${m.firstName}) and lower(last_name) = lower(${m.lastName})))
      limit 2`),
  );
  if (m.localPart && rows.some((r) => r.local_part === m.localPart)) return 'local_part';
  return rows.length ? 'display_name' : undefined;
}

export async function insertMailbox(
  tx: Db,
  values: Pick<Mailbox, 'domainId' | 'firstName' | 'lastName' | 'localPart' | 'secondaryEmail'>,
): Promise<Mailbox | undefined> {
  const [row] = await tx.insert(mailboxes).values(values).onConflictDoNothing().returning();
  return row;
}

export function updateMailbox(
  db: Db,
  id: string,
  values: Partial<Omit<Mailbox, 'id' | 'createdAt' | 'domainId'>>,
): Promise<Mailbox | undefined> {
  return updateRow(db, mailboxes, id, values);
}

export async function deleteMailbox(tx: Db, id: string): Promise<void> {
  await tx.delete(mailboxes).where(eq(mailboxes.id, id));
}

// --- Aliases ---

export function listAliases(db: Db, domainId: string, limit: number, offset: number) {
  return pageOfDomain(
    db,
    mailAliases,
    domainId,
    [asc(mailAliases.localPart), asc(mailAliases.destination)],
    limit,
    offset,
  );
}

export function aliasOf(db: Db, domainId: string, id: string): Promise<MailAlias | undefined> {
  return rowOfDomain(db, mailAliases, domainId, id);
}

export function aliasById(db: Db, id: string): Promise<MailAlias | undefined> {
  return rowOfDomain(db, mailAliases, null, id);
}

export async function insertAlias(
  tx: Db,
  values: Pick<MailAlias, 'domainId' | 'localPart' | 'destination'>,
): Promise<MailAlias | undefined> {
  const [row] = await tx.insert(mailAliases).values(values).onConflictDoNothing().returning();
  return row;
}

export function updateAlias(
  db: Db,
  id: string,
  values: Partial<Pick<MailAlias, 'status' | 'lastError'>>,
): Promise<MailAlias | undefined> {
  return updateRow(db, mailAliases, id, values);
}

/** Deletes aliases by id, or every destination of a local part; answers what went. */
export async function deleteAliases(tx: Db, domainId: string, which: { id: string } | { localPart: string }) {
  return tx
    .delete(mailAliases)
    .where(
      and(
        eq(mailAliases.domainId, domainId),
        'id' in which ? eq(mailAliases.id, which.id) : eq(mailAliases.localPart, which.localPart),
      ),
    )
    .returning();
}

// --- Invitations ---

export interface DomainInvitationRow extends MailDomainInvitation {
  isExpired: boolean;
}

const invitationColumns = (cutoff: Date) => ({
  invitation: mailDomainInvitations,
  isExpired: sql<boolean>`${mailDomainInvitations.updatedAt} < ${cutoff.toISOString()}::timestamptz`,
});

export async function listDomainInvitations(
  db: Db,
  domainId: string,
  cutoff: Date,
  limit: number,
  offset: number,
) {
  const rows = await db
    .select({ ...invitationColumns(cutoff), total: sql<number>`count(*) over ()::int` })
    .from(mailDomainInvitations)
    .where(eq(mailDomainInvitations.domainId, domainId))
    .orderBy(desc(mailDomainInvitations.createdAt), asc(mailDomainInvitations.id))
    .limit(limit)
    .offset(offset);
  return {
    rows: rows.map((r) => ({ ...r.invitation, isExpired: r.isExpired })),
    count: rows[0]?.total ?? 0,
  };
}

export async function domainInvitationOf(
  db: Db,
  domainId: string,
  id: string,
  cutoff: Date,
): Promise<DomainInvitationRow | undefined> {
  const [row] = await db
    .select(invitationColumns(cutoff))
    .from(mailDomainInvitations)
    .where(and(eq(mailDomainInvitations.domainId, domainId), eq(mailDomainInvitations.id, id)))
    .limit(1);
  return row ? { ...row.invitation, isExpired: row.isExpired } : undefined;
}

/** One invitation per (domain, email): an expired one for that email is replaced. */
export async function insertDomainInvitation(
  tx: Db,
  values: { domainId: string; email: string; role: DomainRole; issuerId: string; at: Date },
  cutoff: Date,
): Promise<MailDomainInvitation | undefined> {
  await tx
    .delete(mailDomainInvitations)
    .where(
      sql`${mailDomainInvitations.domainId} = ${values.domainId} and lower(${mailDomainInvitations.email}) = lower(${values.email}) and ${mailDomainInvitations.updatedAt} < ${cutoff.toISOString()}::timestamptz`,
    );
  const [row] = await tx
    .insert(mailDomainInvitations)
    .values({
      domainId: values.domainId,
      email: values.email,
      role: values.role,
      issuerId: values.issuerId,
      createdAt: values.at,
      updatedAt: values.at,
    })
    .onConflictDoNothing()
    .returning();
  return row;
}

export async function touchDomainInvitation(tx: Db, id: string, at: Date): Promise<void> {
  await tx.update(mailDomainInvitations).set({ updatedAt: at }).where(eq(mailDomainInvitations.id, id));
}

export async function deleteDomainInvitation(tx: Db, id: string): Promise<void> {
  await tx.delete(mailDomainInvitations).where(eq(mailDomainInvitations.id, id));
}

/** Turns the user's valid domain invitations into accesses (an existing access is kept); answers the new ones. */
export async function convertDomainInvitations(
  tx: Db,
  userId: string,
  email: string,
  cutoff: Date,
  organizationId: string | null,
) {
  // Only invitations to domains of the user's organization (or of none): DESIGN.md §5 Isolation.
  const org = organizationId
    ? sql`(d.organization_id is null or d.organization_id = ${organizationId})`
    : sql`d.organization_id is null`;
  const taken = await tx
    .delete(mailDomainInvitations)
    .where(
      sql`lower(${mailDomainInvitations.email}) = lower(${email}) and ${mailDomainInvitations.updatedAt} >= ${cutoff.toISOString()}::timestamptz
        and exists (select 1 from mail_domains d where d.id = ${mailDomainInvitations.domainId} and ${org})`,
    )
    .returning();
  const created: { id: string; domainId: string; role: DomainRole }[] = [];
  for (const invitation of taken) {
    const access = await insertDomainAccess(tx, invitation.domainId, userId, invitation.role);
    if (access) created.push({ id: access.id, domainId: invitation.domainId, role: invitation.role });
  }
  return created;
}

// --- Jobs finishing the work on dimail ---

/** Marks a queued job done when no worker holds it (the request did the work itself in time). */
export async function finishQueuedJob(db: Db, jobId: string, now: Date): Promise<void> {
  await db
    .update(jobs)
    .set({ status: 'done', doneAt: now, lastError: null })
    .where(
      sql`${jobs.id} = ${jobId} and ${jobs.status} = 'pending' and (${jobs.lockedUntil} is null or ${jobs.lockedUntil} < ${now.toISOString()}::timestamptz)`,
    );
}

export async function deleteQueuedJob(db: Db, jobId: string): Promise<void> {
  await db.delete(jobs).where(and(eq(jobs.id, jobId), eq(jobs.status, 'pending')));
}

export async function queueJob(
  tx: Db,
  kind: string,
  payload: Record<string, unknown>,
  runAt: Date,
): Promise<string> {
  const [row] = await tx.insert(jobs).values({ kind, payload, runAt }).returning({ id: jobs.id });
  if (!row) throw new Error('insert returned no job');
  return row.id;
}

/** Queues a status check of every domain that has none waiting (the periodic job's fan-out). */
export async function queueDomainChecks(db: Db, kind: string, now: Date): Promise<number> {
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`insert into jobs (kind, payload, run_at)
      select ${kind}, jsonb_build_object('entity', 'domain', 'id', d.id::text, 'check', true), ${now.toISOString()}::timestamptz
      from mail_domains d
      where d.status <> 'disabled' and not exists (
        select 1 from jobs j where j.kind = ${kind} and j.status = 'pending'
          and j.payload->>'entity' = 'domain' and j.payload->>'id' = d.id::text)
      returning id`),
  );
  return rows.length;
}

// Asked by every users/me (the web app's first call): built once, named, one round trip per call.
const domainAccessOf = preparedPerDatabase((db) =>
  db
    .select({ id: mailDomainAccesses.id })
    .from(mailDomainAccesses)
    .where(eq(mailDomainAccesses.userId, sql.placeholder('userId')))
    .limit(1)
    .prepare('mail_domain_access_of'),
);

/** Whether the user has a role on any mail domain (people's abilities.mailboxes.can_view). */
export async function hasDomainAccess(db: Db, userId: string): Promise<boolean> {
  const [row] = await domainAccessOf(db).execute({ userId });
  return Boolean(row);
}

// --- The staff back office ---

export interface AdminDomainRow {
  domain: MailDomain;
  organizationName: string | null;
  mailboxCount: number;
}

/** Every domain (staff), newest first; `q` in the name, `status` exact. */
export async function adminDomains(
  db: Db,
  filters: { q?: string; status?: string },
  limit: number,
  offset: number,
): Promise<{ rows: AdminDomainRow[]; count: number }> {
  const conditions: SQL[] = [];
  if (filters.q)
    conditions.push(sql`${mailDomains.name} ilike ${`%${escapeLike(filters.q.toLowerCase())}%`}`);
  if (filters.status) conditions.push(eq(mailDomains.status, filters.status as MailDomain['status']));
  const rows = await db
    .select({
      domain: mailDomains,
      organizationName: sql<
        string | null
      >`(select o.name from organizations o where o.id = ${mailDomains.organizationId})`,
      mailboxCount,
      total: sql<number>`count(*) over ()::int`,
    })
    .from(mailDomains)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(mailDomains.createdAt), asc(mailDomains.id))
    .limit(limit)
    .offset(offset);
  return { rows, count: rows[0]?.total ?? 0 };
}

export async function adminDomain(db: Db, id: string): Promise<AdminDomainRow | undefined> {
  const [row] = await db
    .select({
      domain: mailDomains,
      organizationName: sql<
        string | null
      >`(select o.name from organizations o where o.id = ${mailDomains.organizationId})`,
      mailboxCount,
    })
    .from(mailDomains)
    .where(eq(mailDomains.id, id))
    .limit(1);
  return row;
}
