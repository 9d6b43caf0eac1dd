// All SQL on organizations: found by registration id or mail domain, created once even when sign-ins race, listed,
// merged and changed by staff.
import { and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { type Db, escapeLike, rowsOf } from '../platform/database.ts';
import { preparedPerDatabase } from '../platform/prepared-queries.ts';
import { users } from '../users/index.ts';
import {
  type Organization,
  organizationDomains,
  organizationRegistrationIds,
  organizations,
} from './schema.ts';

export interface OrganizationView extends Organization {
  registrationIds: string[];
  domains: string[];
}

const registrationIdsOf = sql<
  string[]
>`(select coalesce(json_agg(r.registration_id order by r.registration_id), '[]'::json) from organization_registration_ids r where r.organization_id = ${organizations.id})`;
const domainsOf = sql<
  string[]
>`(select coalesce(json_agg(d.domain order by d.domain), '[]'::json) from organization_domains d where d.organization_id = ${organizations.id})`;

// users/me reads its agent's organization on every call: built once (sql/organizations.sql).
const byId = preparedPerDatabase((db) =>
  db
    .select({ organization: organizations, registrationIds: registrationIdsOf, domains: domainsOf })
    .from(organizations)
    .where(eq(organizations.id, sql.placeholder('id')))
    .limit(1)
    .prepare('organizations_by_id'),
);

export async function organizationById(db: Db, id: string): Promise<OrganizationView | undefined> {
  const [row] = await byId(db).execute({ id });
  return row
    ? { ...row.organization, registrationIds: row.registrationIds, domains: row.domains }
    : undefined;
}

async function byRegistrationId(db: Db, registrationId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: organizationRegistrationIds.organizationId })
    .from(organizationRegistrationIds)
    .where(eq(organizationRegistrationIds.registrationId, registrationId))
    .limit(1);
  return row?.id;
}

async function byDomain(db: Db, domain: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: organizationDomains.organizationId })
    .from(organizationDomains)
    .where(eq(organizationDomains.domain, domain))
    .limit(1);
  return row?.id;
}

/** The existing organization a sign-in's keys name (registration id first, then mail domain), never made here. */
export async function organizationNamedBy(
  db: Db,
  { registrationId, domain }: Pick<OrganizationKeys, 'registrationId' | 'domain'>,
): Promise<string | undefined> {
  const byId = registrationId ? await byRegistrationId(db, registrationId) : undefined;
  return byId ?? (domain ? await byDomain(db, domain) : undefined);
}

/** An organization a sign-in holds: its row is locked (FOR KEY SHARE) until the transaction ends. */
export interface HeldOrganization {
  id: string;
  isActive: boolean;
  /** Made by this transaction (not found). */
  created?: boolean;
}

/** What a sign-in knows of an organization: its keys, and the name the provider gave, if any. */
export interface OrganizationKeys {
  registrationId?: string | undefined;
  domain?: string | undefined;
  name?: string | undefined;
}

/**
 * Locks the organization against removal for the rest of the transaction (a merge deletes the merged row: it waits
 * for this transaction, which may then still point users and keys at it); undefined when it is already gone.
 */
async function hold(tx: Db, id: string): Promise<HeldOrganization | undefined> {
  const [row] = await tx
    .select({ id: organizations.id, isActive: organizations.isActive })
    .from(organizations)
    .where(eq(organizations.id, id))
    .for('key share');
  return row;
}

async function findOrCreateOnce(
  tx: Db,
  { registrationId, domain, name }: OrganizationKeys,
): Promise<HeldOrganization | undefined> {
  if (registrationId) {
    const found = await byRegistrationId(tx, registrationId);
    if (found) return hold(tx, found);
  }
  if (domain) {
    const found = await byDomain(tx, domain);
    if (found) {
      const held = await hold(tx, found);
      // The id is now known to belong here: the next sign-in finds it directly.
      if (held && registrationId)
        await tx
          .insert(organizationRegistrationIds)
          .values({ registrationId, organizationId: found })
          .onConflictDoNothing();
      return held;
    }
  }
  const key = registrationId ?? domain;
  if (!key) throw new Error('an organization needs a registration id or a mail domain');
  // people's convention: an organization named by its registration id has no name yet (a registry plugin, the web
  // app's display and staff may give it one); a mail domain reads well enough.
  const [created] = await tx
    .insert(organizations)
    .values({ name: name ?? key })
    .returning({ id: organizations.id, isActive: organizations.isActive });
  if (!created) throw new Error('insert returned no organization');
  const claimed = registrationId
    ? await tx
        .insert(organizationRegistrationIds)
        .values({ registrationId, organizationId: created.id })
        .onConflictDoNothing()
        .returning()
    : await tx
        .insert(organizationDomains)
        .values({ domain: domain ?? '', organizationId: created.id })
        .onConflictDoNothing()
        .returning();
  if (claimed.length) return { ...created, created: true };
  await tx.delete(organizations).where(eq(organizations.id, created.id));
  const winner = registrationId
    ? await byRegistrationId(tx, registrationId)
    : await byDomain(tx, domain ?? '');
  return winner ? hold(tx, winner) : undefined;
}

/** More merges than this while one sign-in runs are not worth waiting out. */
const MERGED_MEANWHILE_ATTEMPTS = 5;

/**
 * The organization user `userId` belongs to, held as a sign-in holds it; null when they have none. A merge that
 * removed it meanwhile moved the user too: read again. undefined only when merges kept removing it.
 */
export async function holdOrganizationOfUser(
  tx: Db,
  userId: string,
): Promise<HeldOrganization | null | undefined> {
  for (let attempt = 0; attempt < MERGED_MEANWHILE_ATTEMPTS; attempt++) {
    const [row] = await tx
      .select({ organizationId: users.organizationId })
      .from(users)
      .where(eq(users.id, userId));
    if (!row?.organizationId) return null;
    const held = await hold(tx, row.organizationId);
    if (held) return held;
  }
  return undefined;
}

/**
 * DESIGN.md §7: the organization of a registration id, else of a mail domain, else a new one named after what is
 * known, held until the transaction ends. Call inside a transaction: a racing creator of the same key waits on its
 * unique key, finds it taken, and this creation is undone for the winner's organization. A merge that removed the
 * organization between reading the key and holding the row has moved the key to the merged-into one: read again.
 * undefined only when merges kept removing it, MERGED_MEANWHILE_ATTEMPTS times.
 */
export async function findOrCreateOrganization(
  tx: Db,
  keys: OrganizationKeys,
): Promise<HeldOrganization | undefined> {
  for (let attempt = 0; attempt < MERGED_MEANWHILE_ATTEMPTS; attempt++) {
    const held = await findOrCreateOnce(tx, keys);
    if (held) return held;
  }
  return undefined;
}

export async function listOrganizations(
  db: Db,
  { q, limit, offset }: { q?: string; limit: number; offset: number },
): Promise<{ rows: OrganizationView[]; count: number }> {
  const conditions: SQL[] = [];
  if (q) {
    const pattern = `%${escapeLike(q.toLowerCase())}%`;
    conditions.push(sql`(lower(${organizations.name}) like ${pattern}
      or exists (select 1 from organization_registration_ids r where r.organization_id = ${organizations.id} and r.registration_id like ${pattern})
      or exists (select 1 from organization_domains d where d.organization_id = ${organizations.id} and d.domain like ${pattern}))`);
  }
  const rows = await db
    .select({
      organization: organizations,
      registrationIds: registrationIdsOf,
      domains: domainsOf,
      total: sql<number>`count(*) over ()::int`,
    })
    .from(organizations)
    .where(and(...conditions))
    .orderBy(asc(organizations.name), asc(organizations.id))
    .limit(limit)
    .offset(offset);
  return {
    rows: rows.map((r) => ({ ...r.organization, registrationIds: r.registrationIds, domains: r.domains })),
    count: rows[0]?.total ?? 0,
  };
}

export async function insertOrganization(
  tx: Db,
  values: { name: string; metadata: Record<string, unknown>; registrationIds: string[]; domains: string[] },
): Promise<string> {
  const [created] = await tx
    .insert(organizations)
    .values({ name: values.name, metadata: values.metadata })
    .returning({ id: organizations.id });
  if (!created) throw new Error('insert returned no organization');
  await setKeys(tx, created.id, values);
  return created.id;
}

/** Replaces an organization's ids and domains; a key another organization holds is refused by the database. */
export async function setKeys(
  tx: Db,
  organizationId: string,
  { registrationIds, domains }: { registrationIds?: string[]; domains?: string[] },
): Promise<void> {
  if (registrationIds) {
    await tx
      .delete(organizationRegistrationIds)
      .where(eq(organizationRegistrationIds.organizationId, organizationId));
    if (registrationIds.length)
      await tx
        .insert(organizationRegistrationIds)
        .values(registrationIds.map((registrationId) => ({ registrationId, organizationId })));
  }
  if (domains) {
    await tx.delete(organizationDomains).where(eq(organizationDomains.organizationId, organizationId));
    if (domains.length)
      await tx.insert(organizationDomains).values(domains.map((domain) => ({ domain, organizationId })));
  }
}

/** Changes the organization; false when it no longer exists (merged away meanwhile). */
export async function updateOrganization(
  tx: Db,
  id: string,
  values: Partial<Pick<Organization, 'name' | 'isActive' | 'metadata'>>,
): Promise<boolean> {
  const changed = await tx
    .update(organizations)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(organizations.id, id))
    .returning({ id: organizations.id });
  return changed.length > 0;
}

export interface LockedOrganization {
  id: string;
  name: string;
  isActive: boolean;
}

/**
 * Locks the organizations that still exist among `ids`, always in the order of their ids, so two merges of the
 * same pair (A into B and B into A) wait for each other instead of crossing; read after the lock is granted, so a
 * row a concurrent merge deleted is simply absent.
 */
export async function lockOrganizations(tx: Db, ids: string[]): Promise<LockedOrganization[]> {
  return rowsOf<LockedOrganization>(
    await tx.execute(
      sql`select id, name, is_active as "isActive" from organizations where id in (${sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )}) order by id for update`,
    ),
  );
}

/**
 * The SCIM userNames (lower-cased) both organizations provision, at most `limit`: userName is unique within an
 * organization (RFC 7643 §4.1.1, compared case-insensitively), so a merge with any of them would break that. Probed
 * through the unique index on (organization_id, lower(user_name)).
 */
export async function scimUserNamesInBoth(tx: Db, from: string, into: string, limit = 20): Promise<string[]> {
  return rowsOf<{ user_name: string }>(
    await tx.execute(sql`
      select lower(a.user_name) as user_name from scim_users a
      where a.organization_id = ${from}::uuid
        and exists (select 1 from scim_users b
          where b.organization_id = ${into}::uuid and lower(b.user_name) = lower(a.user_name))
      order by 1 limit ${limit}`),
  ).map((r) => r.user_name);
}

/**
 * Moves every user, team, SCIM client, SCIM user, registration id and domain of `from` into `into`, then deletes
 * `from`; both locked first.
 */
export async function mergeOrganizations(
  tx: Db,
  from: string,
  into: string,
): Promise<{ users: number; teams: number }> {
  const movedUsers = rowsOf(
    await tx.execute(
      sql`update users set organization_id = ${into}::uuid where organization_id = ${from}::uuid returning id`,
    ),
  ).length;
  const movedTeams = rowsOf(
    await tx.execute(
      sql`update teams set organization_id = ${into}::uuid where organization_id = ${from}::uuid returning id`,
    ),
  ).length;
  // SCIM (DESIGN.md §9): the clients move with the users and teams they manage (scimUserNamesInBoth checked first).
  await tx.execute(
    sql`update scim_clients set organization_id = ${into}::uuid where organization_id = ${from}::uuid`,
  );
  await tx.execute(
    sql`update scim_users set organization_id = ${into}::uuid where organization_id = ${from}::uuid`,
  );
  await tx
    .update(organizationRegistrationIds)
    .set({ organizationId: into })
    .where(eq(organizationRegistrationIds.organizationId, from));
  await tx
    .update(organizationDomains)
    .set({ organizationId: into })
    .where(eq(organizationDomains.organizationId, from));
  await tx.delete(organizations).where(eq(organizations.id, from));
  return { users: movedUsers, teams: movedTeams };
}

export async function organizationsExist(db: Db, ids: string[]): Promise<number> {
  const rows = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(inArray(organizations.id, ids));
  return rows.length;
}

interface Unassigned {
  id: string;
  domain: string;
}

/**
 * Gives every user who signed in before organizations existed the organization of their mail domain, a batch per
 * transaction so a large users table is never locked whole. Staff accounts (no sub) keep none. Returns how many.
 */
export async function assignOrganizationsByDomain(
  db: Db & { transaction: Db['transaction'] },
  batchSize = 500,
): Promise<number> {
  let assigned = 0;
  for (;;) {
    const moved = await db.transaction(async (tx) => {
      const batch = rowsOf<Unassigned>(
        await tx.execute(sql`
          select id, lower(split_part(email, '@', 2)) as domain from users
          where organization_id is null and sub is not null and email like '%_@_%'
          order by id limit ${batchSize} for update skip locked`),
      );
      const byDomainIds = new Map<string, string[]>();
      for (const row of batch) byDomainIds.set(row.domain, [...(byDomainIds.get(row.domain) ?? []), row.id]);
      for (const [domain, ids] of byDomainIds) {
        const organization = await findOrCreateOrganization(tx, { domain });
        if (!organization) throw new Error(`the organization of ${domain} kept being merged away`);
        await tx.execute(
          sql`update users set organization_id = ${organization.id}::uuid where id in (${sql.join(
            ids.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})`,
        );
      }
      return batch.length;
    });
    assigned += moved;
    if (moved < batchSize) return assigned;
  }
}

/** An organization without a name yet: named by one of its registration ids (people's convention). */
const namedByRegistrationId = sql`exists (select 1 from organization_registration_ids r
  where r.organization_id = ${organizations.id} and r.registration_id = ${organizations.name})`;

/** The registration id an organization is still named by, or undefined (named since, or gone). */
export async function registrationIdNaming(db: Db, id: string): Promise<string | undefined> {
  const [row] = await db
    .select({ name: organizations.name })
    .from(organizations)
    .where(and(eq(organizations.id, id), namedByRegistrationId));
  return row?.name;
}

/**
 * Names an organization still named by registration id `from`, locked until the transaction ends; false when it is
 * named otherwise by now (staff renamed it, or a merge removed it): their choice wins.
 */
export async function renameUnnamed(
  tx: Db,
  id: string,
  from: string,
  values: { name: string; metadata?: Record<string, unknown> },
): Promise<boolean> {
  const changed = await tx
    .update(organizations)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(organizations.id, id), eq(organizations.name, from), namedByRegistrationId))
    .returning({ id: organizations.id });
  return changed.length > 0;
}

/** The organization's metadata, read under a lock that a rename in the same transaction then keeps. */
export async function lockedMetadata(tx: Db, id: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await tx
    .select({ metadata: organizations.metadata })
    .from(organizations)
    .where(eq(organizations.id, id))
    .for('update');
  return row?.metadata;
}

/**
 * Queues a job of `kind` for every organization still named by a registration id that never had one, `spacingMs`
 * apart from `now` on. Pods starting together take turns (a transaction-scoped advisory lock, which a transaction
 * pooler keeps): each organization is queued once.
 */
export async function queueForEveryUnnamed(
  db: Db,
  kind: string,
  now: Date,
  spacingMs: number,
): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${kind}))`);
    const queued = await tx.execute(sql`
      insert into jobs (kind, payload, run_at)
      select ${kind}, jsonb_build_object('organizationId', o.id),
        ${now.toISOString()}::timestamptz + (row_number() over (order by o.created_at, o.id) - 1) * ${spacingMs} * interval '1 millisecond'
      from organizations o
      where exists (select 1 from organization_registration_ids r where r.organization_id = o.id and r.registration_id = o.name)
        and not exists (select 1 from jobs j where j.kind = ${kind} and j.payload->>'organizationId' = o.id::text)
      returning id`);
    return rowsOf(queued).length;
  });
}

/**
 * The organizations that list `name`, or a domain it is under, among their email domains (organization_domains,
 * DESIGN.md §7): `mail.example.fr` is under `example.fr`.
 */
export async function organizationsOfEmailDomain(db: Db, name: string): Promise<string[]> {
  const labels = name.split('.');
  const candidates = labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
  const rows = rowsOf<{ organization_id: string }>(
    await db.execute(
      sql`select distinct organization_id from organization_domains where domain in (${sql.join(
        candidates.map((c) => sql`${c}`),
        sql`, `,
      )})`,
    ),
  );
  return rows.map((r) => r.organization_id);
}
