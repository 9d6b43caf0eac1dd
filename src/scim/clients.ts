// SCIM clients (DESIGN.md §9 "Clients"): staff create, list and revoke an organization's clients; SCIM requests are
// authenticated by their bearer token, which Desk shows once and keeps only as a SHA-256 digest.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { type AuditContext, recordAudit } from '../audit/index.ts';
import { type Database, type Db, rowsOf } from '../platform/database.ts';
import { NotFound } from '../platform/errors.ts';
import { type ScimClient, scimClients } from './schema.ts';

/** Tokens start with this, so a leaked one is recognisable (secret scanners) and a wrong kind is refused unread. */
export const TOKEN_PREFIX = 'desk_scim_';

/** 32 random bytes in base64url without padding: 43 characters. */
const TOKEN_SHAPE = /^desk_scim_[A-Za-z0-9_-]{43}$/;

/** How stale last_used_at may be: a sync of 10,000 requests writes it once a minute, not 10,000 times. */
const LAST_USE_PRECISION_MS = 60_000;

/** How many of the users and groups a client manages its detail lists (the counts give the rest). */
const DETAIL_LIMIT = 100;

/** The digest a token is stored and looked up by. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface ScimClientSummary {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  usersCount: number;
  groupsCount: number;
}

export interface ScimClientDetail extends ScimClientSummary {
  users: { id: string; email: string | null; name: string; userName: string; isActive: boolean }[];
  groups: { id: string; name: string; membersCount: number }[];
}

export interface CreatedScimClient {
  id: string;
  name: string;
  /** The bearer token, in clear: this answer is the only place it ever appears. */
  token: string;
  createdAt: Date;
}

interface SummaryRow {
  id: string;
  name: string;
  created_at: Date | string;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
  users_count: number | string;
  groups_count: number | string;
}

// postgres.js and PGlite answer raw timestamps and bigints in different types.
const dateOf = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const maybeDate = (v: Date | string | null) => (v === null ? null : dateOf(v));

function summaryOf(row: SummaryRow): ScimClientSummary {
  return {
    id: row.id,
    name: row.name,
    createdAt: dateOf(row.created_at),
    lastUsedAt: maybeDate(row.last_used_at),
    revokedAt: maybeDate(row.revoked_at),
    usersCount: Number(row.users_count),
    groupsCount: Number(row.groups_count),
  };
}

/**
 * An organization's clients with what each manages, counted in the same statement. Groups are counted inside the
 * organization so the partial index teams_scim_organization_name_idx serves it (a merge moves clients and teams
 * together, so a client's teams are always in its organization).
 */
async function summaries(db: Db, organizationId: string, clientId?: string): Promise<ScimClientSummary[]> {
  const rows = rowsOf<SummaryRow>(
    await db.execute(sql`
      select c.id, c.name, c.created_at, c.last_used_at, c.revoked_at,
        (select count(*) from scim_users u where u.client_id = c.id) as users_count,
        (select count(*) from teams t
          where t.organization_id = c.organization_id and t.scim_client_id = c.id) as groups_count
      from scim_clients c
      where c.organization_id = ${organizationId}::uuid
        ${clientId ? sql`and c.id = ${clientId}::uuid` : sql``}
      order by c.created_at, c.id`),
  );
  return rows.map(summaryOf);
}

async function organizationExists(db: Db, id: string, lock = false): Promise<{ name: string } | undefined> {
  // FOR SHARE: a merge (which locks both organizations FOR UPDATE) cannot delete it under the insert that follows.
  const [row] = rowsOf<{ name: string }>(
    await db.execute(
      sql`select name from organizations where id = ${id}::uuid ${lock ? sql`for share` : sql``}`,
    ),
  );
  return row;
}

export class ScimClientService {
  constructor(
    private readonly database: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A new client of organization `organizationId`, and its token, returned here once and stored only as a digest.
   * A deactivated organization may get one (staff prepare a reactivation); its clients are refused until then.
   */
  async create(organizationId: string, name: string, context: AuditContext): Promise<CreatedScimClient> {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    return this.database.db.transaction(async (tx) => {
      const organization = await organizationExists(tx, organizationId, true);
      if (!organization) throw new NotFound();
      const [created] = await tx
        .insert(scimClients)
        .values({ organizationId, name, tokenHash: tokenDigest(token), createdAt: new Date(this.now()) })
        .returning({ id: scimClients.id, name: scimClients.name, createdAt: scimClients.createdAt });
      if (!created) throw new Error('insert into scim_clients returned no row');
      await recordAudit(tx, {
        ...context,
        event: 'scim_client.created',
        target: { type: 'scim_client', id: created.id, label: created.name },
        details: { organization_id: organizationId, organization_name: organization.name },
      });
      return { ...created, token };
    });
  }

  /** The organization's clients, oldest first, never with a token (Desk no longer has it). */
  async list(organizationId: string): Promise<ScimClientSummary[]> {
    if (!(await organizationExists(this.database.db, organizationId))) throw new NotFound();
    return summaries(this.database.db, organizationId);
  }

  /** One client with the first users and groups it manages, by name; another organization's client is 404. */
  async detail(organizationId: string, clientId: string): Promise<ScimClientDetail> {
    const db = this.database.db;
    const [summary] = await summaries(db, organizationId, clientId);
    if (!summary) throw new NotFound();
    const users = rowsOf<{
      id: string;
      email: string | null;
      name: string;
      user_name: string;
      is_active: boolean;
    }>(
      await db.execute(sql`
        select u.id, u.email, u.name, s.user_name, u.is_active
        from scim_users s join users u on u.id = s.user_id
        where s.client_id = ${clientId}::uuid
        order by lower(u.name), u.id
        limit ${DETAIL_LIMIT}`),
    );
    const groups = rowsOf<{ id: string; name: string; members_count: number | string }>(
      await db.execute(sql`
        select t.id, t.name, (select count(*) from team_accesses a where a.team_id = t.id) as members_count
        from teams t
        where t.organization_id = ${organizationId}::uuid and t.scim_client_id = ${clientId}::uuid
        order by lower(t.name), t.id
        limit ${DETAIL_LIMIT}`),
    );
    return {
      ...summary,
      users: users.map((u) => ({
        id: u.id,
        email: u.email,
        name: u.name,
        userName: u.user_name,
        isActive: u.is_active,
      })),
      groups: groups.map((g) => ({ id: g.id, name: g.name, membersCount: Number(g.members_count) })),
    };
  }

  /**
   * Revokes a client at once: its next request is refused. The row stays (users and teams still name it). Revoking a
   * revoked client changes nothing and is no event: of two revokes racing, the second waits for the first's row lock,
   * finds revoked_at set and writes nothing, so the log holds one `scim_client.revoked`.
   */
  async revoke(organizationId: string, clientId: string, context: AuditContext): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      const [revoked] = await tx
        .update(scimClients)
        .set({ revokedAt: new Date(this.now()) })
        .where(
          and(
            eq(scimClients.id, clientId),
            eq(scimClients.organizationId, organizationId),
            isNull(scimClients.revokedAt),
          ),
        )
        .returning({ id: scimClients.id, name: scimClients.name });
      if (!revoked) {
        const [exists] = await tx
          .select({ id: scimClients.id })
          .from(scimClients)
          .where(and(eq(scimClients.id, clientId), eq(scimClients.organizationId, organizationId)));
        if (!exists) throw new NotFound();
        return;
      }
      await recordAudit(tx, {
        ...context,
        event: 'scim_client.revoked',
        target: { type: 'scim_client', id: revoked.id, label: revoked.name },
        details: { organization_id: organizationId },
      });
    });
  }

  /**
   * The client a bearer token belongs to, or null: unknown, revoked, or of a deactivated organization. A token of
   * the wrong shape is refused before any query.
   *
   * The lookup is by digest through a unique index, so no secret is compared in JavaScript: what the index's
   * comparison could leak by timing is about the digest of the caller's own guess, and steering a guess's SHA-256
   * towards a stored digest byte by byte would need preimages. That is why no timingSafeEqual is needed here.
   */
  async authenticate(token: string): Promise<ScimClient | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const db = this.database.db;
    const [found] = rowsOf<{
      id: string;
      organization_id: string;
      name: string;
      token_hash: string;
      created_at: Date | string;
      last_used_at: Date | string | null;
      revoked_at: Date | string | null;
      organization_active: boolean;
    }>(
      await db.execute(sql`
        select c.id, c.organization_id, c.name, c.token_hash, c.created_at, c.last_used_at, c.revoked_at,
          o.is_active as organization_active
        from scim_clients c join organizations o on o.id = c.organization_id
        where c.token_hash = ${tokenDigest(token)}`),
    );
    if (!found || found.revoked_at !== null || !found.organization_active) return null;
    const now = new Date(this.now());
    const lastUsedAt = maybeDate(found.last_used_at);
    if (!lastUsedAt || now.getTime() - lastUsedAt.getTime() >= LAST_USE_PRECISION_MS) {
      // Conditional: of many requests racing past the read above, only the first of the minute writes.
      await db.execute(sql`
        update scim_clients set last_used_at = ${now.toISOString()}::timestamptz
        where id = ${found.id}::uuid
          and (last_used_at is null
            or last_used_at <= ${now.toISOString()}::timestamptz - interval '1 minute')`);
    }
    return {
      id: found.id,
      organizationId: found.organization_id,
      name: found.name,
      tokenHash: found.token_hash,
      createdAt: dateOf(found.created_at),
      lastUsedAt,
      revokedAt: null,
    };
  }
}
