// The floor of each measured path: a bare Fastify route doing the database and store work Desk does for it, with the
// raw drivers (postgres.js tagged queries or PGlite's query(), ioredis or the memory store) and JSON.stringify. The SQL
// is Desk's own text (bench/floors checks it statement by statement), so what separates the two is Desk's code.
import { createHash } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import postgres from 'postgres';
import type { Config } from '../../src/platform/config.ts';
import { accessAbilities, type Role, teamAbilities } from '../../src/teams/index.ts';
import type { User } from '../../src/users/schema.ts';
import type { SentStatement } from '../../test/support/statements.ts';

/** The raw driver, as the floor uses it: rows come as arrays, in the order selected (two columns may share a name). */
export interface RawDatabase {
  readonly kind: 'postgres' | 'pglite';
  /** A tagged statement. */
  rows<T extends unknown[]>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]>;
  /**
   * A statement Desk sent, with the parameters Desk gave it (search builds its SQL from the words typed), named or
   * not as Desk sent it.
   */
  replay<T extends unknown[]>(text: string, params: unknown[], named: boolean): Promise<T[]>;
  /** While set, the text of every statement sent is pushed here, to compare with Desk's. */
  recording: string[] | null;
  close(): Promise<void>;
}

/** The text a tagged template sends: `$1`, `$2`… in place of the values, as both drivers number them. */
function textOf(strings: TemplateStringsArray): string {
  return strings.reduce((text, part, i) => (i === 0 ? part : `${text}$${i}${part}`), '');
}

/** postgres.js with Desk's pool size and session settings (search depends on the trigram threshold). */
export function postgresFloor(url: string): RawDatabase {
  const sql = postgres(url, {
    max: 10,
    onnotice: () => {},
    connection: { statement_timeout: 15_000, 'pg_trgm.word_similarity_threshold': 0.5 },
  });
  const raw: RawDatabase = {
    kind: 'postgres',
    recording: null,
    async rows<T extends unknown[]>(strings: TemplateStringsArray, ...values: unknown[]) {
      raw.recording?.push(textOf(strings));
      return (await sql(strings, ...(values as never[])).values()) as unknown as T[];
    },
    async replay<T extends unknown[]>(text: string, params: unknown[], named: boolean) {
      raw.recording?.push(text);
      // Named where Desk names it (src/platform/prepared-queries.ts, namedStatements): PostgreSQL may then keep a generic plan.
      return (await sql.unsafe(text, params as never[], { prepare: named }).values()) as unknown as T[];
    },
    close: () => sql.end({ timeout: 5 }),
  };
  return raw;
}

/** The PGlite instance Desk's embedded database runs on (one session: Desk and the floor take turns on it). */
export function pgliteFloor(client: PGlite): RawDatabase {
  const raw: RawDatabase = {
    kind: 'pglite',
    recording: null,
    rows<T extends unknown[]>(strings: TemplateStringsArray, ...values: unknown[]) {
      return raw.replay<T>(textOf(strings), values, true);
    },
    async replay<T extends unknown[]>(text: string, params: unknown[]) {
      raw.recording?.push(text);
      return (await client.query<T>(text, params, { rowMode: 'array' })).rows;
    },
    close: async () => {},
  };
  return raw;
}

/** The store read the floor does: Redis under Desk's key prefix, or Desk's own memory store. */
export interface RawStore {
  get(key: string): Promise<string | null>;
}

export function redisFloor(client: Redis, prefix: string): RawStore {
  return { get: (key) => client.get(prefix + key) };
}

export interface FloorDeps {
  db: RawDatabase;
  kv: RawStore;
  config: Config;
  /** Audience → service provider id: Desk keeps the same map in process once a service has called. */
  serviceProviders: Map<string, string>;
  /** Desk's search statements for each searcher and query measured, by searchKey (filled once Desk has answered). */
  searches: Map<string, SentStatement[]>;
  /** The server the routes go on (bench/floors' BENCH_STACK: Desk's own HTTP stack); a bare Fastify by default. */
  server?: () => Promise<FastifyInstance>;
  /**
   * The signed-in user of a session id, instead of the raw Redis read and user query (bench/floors' BENCH_SESSION:
   * Desk's SessionStore and findActiveUserById through Drizzle).
   */
  signedIn?: (sessionId: string) => Promise<UserRow | undefined>;
}

type UserRow = [
  id: string,
  sub: string | null,
  email: string | null,
  name: string,
  language: string,
  timezone: string,
  isActive: boolean,
  isStaff: boolean,
  isSuperuser: boolean,
  password: string | null,
  organizationId: string | null,
  lastLogin: Date | null,
  createdAt: Date,
  updatedAt: Date,
];
/** A user as the floor's raw user query answers it (its columns in the table's order). */
export function userRowOf(u: User): UserRow {
  return [
    u.id,
    u.sub,
    u.email,
    u.name,
    u.language,
    u.timezone,
    u.isActive,
    u.isStaff,
    u.isSuperuser,
    u.password,
    u.organizationId,
    u.lastLogin,
    u.createdAt,
    u.updatedAt,
  ];
}
type OrganizationRow = [string, string, boolean, unknown, Date, Date, string[], string[]];
type TeamRow = [string, string, boolean, string | null, Date, Date, Role, string[]];
type AccessRow = [string, Role, string, string, string | null, number, number];
type SearchRow = [string, string | null, string, number];

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

function send(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}

function refuse(reply: FastifyReply, status: number): FastifyReply {
  return send(reply.code(status), { detail: status === 401 ? 'Not authenticated.' : 'Not found.' });
}

function pageSize(request: FastifyRequest): number {
  const given = Number((request.query as Record<string, string | undefined>).page_size ?? 20);
  return Math.min(Number.isInteger(given) && given > 0 ? given : 20, 100);
}

/** Which recorded search a request replays: the searcher's cookie and the path with its query. */
export function searchKey(cookie: string, path: string): string {
  return `${cookie}\n${path}`;
}

export async function startFloor({
  db,
  kv,
  config,
  serviceProviders,
  searches,
  server,
  signedIn,
}: FloorDeps): Promise<{
  app: FastifyInstance;
  url: string;
}> {
  const cookiePattern = new RegExp(`(?:^|;\\s*)${config.SESSION_COOKIE_NAME}=([^;]*)`);
  const absoluteMs = config.SESSION_COOKIE_AGE * 1000;
  const idleMs = config.SESSION_IDLE_TIMEOUT * 1000;

  /** Desk's session read (GET of the hashed id) and its user query, word for word. */
  async function sessionUser(request: FastifyRequest): Promise<UserRow | undefined> {
    const id = cookiePattern.exec(request.headers.cookie ?? '')?.[1];
    if (!id) return undefined;
    if (signedIn) return signedIn(id);
    const raw = await kv.get(`session:${sha256(id)}`);
    if (!raw) return undefined;
    const data = JSON.parse(raw) as {
      userId: string;
      createdAt: number;
      lastSeenAt: number;
      loggingOut?: boolean;
    };
    const now = Date.now();
    if (data.loggingOut || now >= data.createdAt + absoluteMs || now >= data.lastSeenAt + idleMs)
      return undefined;
    const [user] =
      await db.rows<UserRow>`select "id", "sub", "email", "name", "language", "timezone", "is_active", "is_staff", "is_superuser", "password", "organization_id", "last_login", "created_at", "updated_at" from "users" where ("users"."id" = ${data.userId} and ("users"."is_active" = ${true} and not exists (select 1 from "organizations" where "organizations"."id" = "users"."organization_id" and not "organizations"."is_active"))) limit ${1}`;
    return user;
  }

  const team = ([id, name, , , createdAt, updatedAt, role, accessIds]: TeamRow) => ({
    id,
    name,
    accesses: accessIds,
    member_count: accessIds.length,
    role,
    abilities: teamAbilities(role),
    created_at: createdAt.toISOString(),
    updated_at: updatedAt.toISOString(),
  });

  const nextPage = (request: FastifyRequest, size: number, count: number) => {
    if (size >= count) return null;
    const url = new URL(request.url, config.PUBLIC_URL);
    url.searchParams.set('page', '2');
    return url.href;
  };

  const app = server ? await server() : Fastify({ logger: false });

  app.get('/api/v1.0/users/me/', async (request, reply) => {
    const user = await sessionUser(request);
    if (!user) return refuse(reply, 401);
    const [id, , email, name, language, timezone, , isStaff, isSuperuser, , organizationId] = user;
    // As Desk: the organization and whether the agent manages a mail domain (abilities.mailboxes), side by side.
    const [organizations, mailDomains] = await Promise.all([
      organizationId
        ? db.rows<OrganizationRow>`select "id", "name", "is_active", "metadata", "created_at", "updated_at", (select coalesce(json_agg(r.registration_id order by r.registration_id), '[]'::json) from organization_registration_ids r where r.organization_id = "id"), (select coalesce(json_agg(d.domain order by d.domain), '[]'::json) from organization_domains d where d.organization_id = "id") from "organizations" where "organizations"."id" = ${organizationId} limit ${1}`
        : [],
      db.rows<
        [string]
      >`select "id" from "mail_domain_accesses" where "mail_domain_accesses"."user_id" = ${id} limit ${1}`,
    ]);
    const organization = organizations[0];
    return send(reply, {
      id,
      email,
      name,
      language,
      timezone,
      is_staff: isStaff,
      is_superuser: isSuperuser,
      organization: organization
        ? { id: organization[0], name: organization[1], registration_id_list: organization[6] }
        : null,
      abilities: {
        teams: {
          can_view: config.FEATURE_TEAMS_DISPLAY,
          can_create: config.FEATURE_TEAMS_DISPLAY && config.FEATURE_TEAMS_CREATE,
        },
        contacts: {
          can_view: config.FEATURE_CONTACTS_DISPLAY,
          can_create: config.FEATURE_CONTACTS_DISPLAY && config.FEATURE_CONTACTS_CREATE,
        },
        mailboxes: { can_view: mailDomains.length > 0, can_create: false },
      },
    });
  });

  app.get('/api/v1.0/teams/', async (request, reply) => {
    const user = await sessionUser(request);
    if (!user) return refuse(reply, 401);
    const rows =
      await db.rows<TeamRow>`select "teams"."id", "teams"."name", "teams"."is_visible_all_service_providers", "teams"."organization_id", "teams"."created_at", "teams"."updated_at", "team_accesses"."role", (select coalesce(json_agg(ta.id order by ta.created_at, ta.id), '[]'::json) from team_accesses ta where ta.team_id = "teams"."id") from "team_accesses" inner join "teams" on "teams"."id" = "team_accesses"."team_id" where "team_accesses"."user_id" = ${user[0]} order by "teams"."name" asc, "teams"."id" asc`;
    return send(reply, rows.map(team));
  });

  app.get('/api/v1.0/teams/:id/accesses/', async (request, reply) => {
    const user = await sessionUser(request);
    if (!user) return refuse(reply, 401);
    const teamId = (request.params as { id: string }).id;
    const [mine] =
      await db.rows<TeamRow>`select "teams"."id", "teams"."name", "teams"."is_visible_all_service_providers", "teams"."organization_id", "teams"."created_at", "teams"."updated_at", "team_accesses"."role", (select coalesce(json_agg(ta.id order by ta.created_at, ta.id), '[]'::json) from team_accesses ta where ta.team_id = "teams"."id") from "team_accesses" inner join "teams" on "teams"."id" = "team_accesses"."team_id" where ("team_accesses"."team_id" = ${teamId} and "team_accesses"."user_id" = ${user[0]}) limit ${1}`;
    if (!mine) return refuse(reply, 404);
    const size = pageSize(request);
    const rows =
      await db.rows<AccessRow>`select "team_accesses"."id", "team_accesses"."role", "users"."id", "users"."name", "users"."email", (select count(*)::int from "team_accesses" o where o.team_id = ${teamId} and o.role = 'owner'), count(*) over ()::int from "team_accesses" inner join "users" on "users"."id" = "team_accesses"."user_id" where "team_accesses"."team_id" = ${teamId} order by case "team_accesses"."role" when 'owner' then 3 when 'administrator' then 2 else 1 end desc, "team_accesses"."id" asc limit ${size} offset ${0}`;
    const count = rows[0]?.[6] ?? 0;
    return send(reply, {
      count,
      next: nextPage(request, size, count),
      previous: null,
      results: rows.map(([id, role, userId, name, email, ownerCount]) => ({
        id,
        user: { id: userId, name, email },
        role,
        abilities: accessAbilities({
          requesterRole: mine[6],
          targetRole: role,
          isSelf: userId === user[0],
          ownerCount,
        }),
      })),
    });
  });

  app.get('/api/v1.0/users/', async (request, reply) => {
    const user = await sessionUser(request);
    if (!user) return refuse(reply, 401);
    const statements = searches.get(searchKey(request.headers.cookie ?? '', request.url));
    if (!statements?.length) return refuse(reply, 404);
    // Desk's answer: the rows of its last ranked look-up, and its count query's number when it sent one.
    let rows: SearchRow[] = [];
    let counted: number | undefined;
    for (const { text, params, named } of statements) {
      const result = await db.replay<SearchRow | [number]>(text, params, named);
      if (result[0]?.length === 1) counted = (result[0] as [number])[0];
      else rows = result as SearchRow[];
    }
    const count = counted ?? rows[0]?.[3] ?? 0;
    return send(reply, {
      count,
      next: nextPage(request, 20, count),
      previous: null,
      results: rows.map(([id, email, name]) => ({ id, email, name })),
    });
  });

  app.get('/resource-server/v1.0/teams/', async (request, reply) => {
    const token = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return refuse(reply, 401);
    const cached = await kv.get(`rs-introspection:${sha256(token)}`);
    if (!cached) return refuse(reply, 401);
    const claims = JSON.parse(cached) as Record<string, unknown>;
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    const audience = claims[config.OIDC_RS_AUDIENCE_CLAIM];
    const serviceProviderId = typeof audience === 'string' ? serviceProviders.get(audience) : undefined;
    if (
      claims.active !== true ||
      typeof claims.sub !== 'string' ||
      (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) ||
      !scopes.some((s) => config.OIDC_RS_SCOPES.includes(s)) ||
      !serviceProviderId
    )
      return refuse(reply, 401);
    const [user] =
      await db.rows<UserRow>`select "id", "sub", "email", "name", "language", "timezone", "is_active", "is_staff", "is_superuser", "password", "organization_id", "last_login", "created_at", "updated_at" from "users" where ("users"."sub" = ${claims.sub} and ("users"."is_active" = ${true} and not exists (select 1 from "organizations" where "organizations"."id" = "users"."organization_id" and not "organizations"."is_active"))) limit ${1}`;
    if (!user) return refuse(reply, 401);
    const rows =
      await db.rows<TeamRow>`select "teams"."id", "teams"."name", "teams"."is_visible_all_service_providers", "teams"."organization_id", "teams"."created_at", "teams"."updated_at", "team_accesses"."role", (select coalesce(json_agg(ta.id order by ta.created_at, ta.id), '[]'::json) from team_accesses ta where ta.team_id = "teams"."id") from "team_accesses" inner join "teams" on "teams"."id" = "team_accesses"."team_id" where ("team_accesses"."user_id" = ${user[0]} and ("teams"."is_visible_all_service_providers" = ${true} or exists (select 1 from team_service_providers tsp where tsp.team_id = "teams"."id" and tsp.service_provider_id = ${serviceProviderId}))) order by "teams"."name" asc, "teams"."id" asc`;
    return send(reply, rows.map(team));
  });

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}
