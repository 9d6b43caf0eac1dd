// Benchmark: SCIM at 1,000,000 provisioned users over 100 organizations on PostgreSQL: `GET /scim/v2/Users` with a
// `userName eq` and a `userName co` filter over HTTP against the statement listUsers sends, run raw through the same
// driver; then a 10,000-user initial sync (POST /Users one by one, and 4 at a time as Entra does) against plain INSERTs.
// SCIM_BENCH_USERS=100000 makes the population smaller (SCIM_BENCH_ORGANIZATIONS, _REQUESTS, _CONCURRENCY, _SYNC too).
import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { buildDesk } from '../src/app.ts';
import { SYSTEM } from '../src/audit/index.ts';
import { configFrom } from '../src/platform/config.ts';
import { DEFAULT_PAGE } from '../src/scim/discovery.ts';
import { parseFilter } from '../src/scim/filter.ts';
import { userFilterSql } from '../src/scim/filter-sql.ts';
import { ScimClientService, tokenDigest } from '../src/scim/index.ts';
import { listUsers } from '../src/scim/queries.ts';
import { FIRST, LAST } from '../test/support/population.ts';
import { profileWhile } from './support/cpu-profile.ts';
import { DEFAULT_POSTGRES, type OwnDatabase, ownDatabase, postgresServer } from './support/isolation.ts';
import { percentile } from './support/stats.ts';

const SERVER = postgresServer() ?? DEFAULT_POSTGRES;
const SIZE = Number(process.env.SCIM_BENCH_USERS ?? 1_000_000);
const ORGANIZATIONS = Number(process.env.SCIM_BENCH_ORGANIZATIONS ?? 100);
const REQUESTS = Number(process.env.SCIM_BENCH_REQUESTS ?? 500);
const CONCURRENCY = Number(process.env.SCIM_BENCH_CONCURRENCY ?? 4);
const SYNC = Number(process.env.SCIM_BENCH_SYNC ?? 10_000);
// The aims for the two list queries.
const AIM_EQ_MS = 20;
const AIM_CO_MS = 50;
// A `co` fragment matches "a handful" of the organization's users: between these many.
const CO_MATCHES = [2, 20] as const;
// A fixed name: a run interrupted before its drop leaves it, and the next run replaces it (it is this benchmark's own).
const DB_NAME = 'desk_bench_scim';

const number = new Intl.NumberFormat('en-US');
const fmt = (n: number) => number.format(Math.round(n));
const ms = (n: number) => n.toFixed(n < 10 ? 2 : 1);
const secs = (n: number) => `${(n / 1000).toFixed(1)} s`;

/** Runs `work` on every item, `concurrency` at a time; the time of each and of the whole. */
async function timed<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        const started = performance.now();
        await work(item);
        times.push(performance.now() - started);
      }
    }),
  );
  return { times, totalMs: performance.now() - t0, p50: percentile(times, 50), p95: percentile(times, 95) };
}

function pick<T>(from: T[], n: number): T[] {
  return Array.from({ length: n }, () => from[Math.floor(Math.random() * from.length)] as T);
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const array = (texts: string[]) => `array[${texts.map(literal).join(',')}]`;
// An address part from a name: no accents, no spaces or apostrophes.
const part = (column: string) => `regexp_replace(lower(unaccent(${column})), '[^a-z0-9-]', '', 'g')`;

let own: OwnDatabase | undefined;
async function dropOwn(): Promise<void> {
  const db = own;
  own = undefined;
  await db?.drop().catch((e: unknown) => console.error(`drop ${db.name}: ${e}`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void dropOwn().finally(() => process.exit(130));
  });

/**
 * Fills the organizations, one SCIM client each, and SIZE users provisioned by them (users + scim_users, userName =
 * email), in SQL. The secondary indexes of both tables are dropped during the load and built again after it, with
 * their own definitions (pg_get_indexdef): building an index once is faster than updating it a million times.
 */
async function fill(sql: postgres.Sql, measuredOrganization: string): Promise<void> {
  await sql.unsafe(`insert into organizations (name)
    select 'SCIM bench organization ' || lpad(n::text, 3, '0') from generate_series(1, ${ORGANIZATIONS - 1}) as n`);
  // The others' clients get tokens nobody knows: their users only need a client to belong to.
  const others = await sql<
    { id: string }[]
  >`select id from organizations where id <> ${measuredOrganization}`;
  for (const o of others)
    await sql`insert into scim_clients (organization_id, name, token_hash)
      values (${o.id}, 'Entra ID', ${tokenDigest(randomBytes(32).toString('hex'))})`;
  const indexes = await sql<{ name: string; definition: string }[]>`
    select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
    from pg_index i
    where i.indrelid in ('users'::regclass, 'scim_users'::regclass)
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`;
  await sql.begin(async (tx) => {
    await tx.unsafe(`set local work_mem = '512MB'`);
    for (const index of indexes) await tx.unsafe(`drop index ${index.name}`);
    await tx.unsafe(`
      with numbered as (
        select id, row_number() over (order by name, id) - 1 as n from organizations
      ), source as (
        select g, o.id as organization_id, f, l,
          ${part('f')} || '.' || ${part('l')} || '.' || g || '@example.gouv.fr' as email
        from generate_series(1, ${SIZE}) as g
        cross join lateral (select
          (${array(FIRST)})[1 + (g::bigint * 7919) % ${FIRST.length}] as f,
          (${array(LAST)})[1 + (g::bigint * 104729) % ${LAST.length}] as l) names
        join numbered o on o.n = g % ${ORGANIZATIONS}
      ), inserted as (
        insert into users (name, email, organization_id)
        select f || ' ' || l, email, organization_id from source
        returning id, email
      )
      insert into scim_users (user_id, organization_id, client_id, user_name, external_id, given_name, family_name,
        formatted, display_name, emails)
      select i.id, s.organization_id, c.id, s.email, gen_random_uuid()::text, s.f, s.l, s.f || ' ' || s.l,
        s.f || ' ' || s.l, jsonb_build_array(jsonb_build_object('value', s.email, 'type', 'work', 'primary', true))
      from inserted i
      join source s on s.email = i.email
      join scim_clients c on c.organization_id = s.organization_id`);
  });
  await sql.unsafe(`set maintenance_work_mem = '1GB'`);
  for (const index of indexes) await sql.unsafe(index.definition);
  await sql`analyze users`;
  await sql`analyze scim_users`;
}

/** The statement listUsers sends for a filter, as the driver receives it (text and parameters). */
function statementOf(
  capture: { last?: { text: string; params: unknown[] } },
  run: () => Promise<unknown>,
): Promise<{ text: string; params: unknown[] }> {
  capture.last = undefined;
  return run().then(() => {
    if (!capture.last) throw new Error('listUsers sent no statement');
    return capture.last;
  });
}

/** The statement with its filter value (the one bound parameter equal to `value`) replaced. */
function withValue(statement: { params: unknown[] }, value: unknown) {
  const at = statement.params.flatMap((p, i) => (p === value ? [i] : []));
  if (at.length !== 1)
    throw new Error(`expected the filter value once among the parameters, found ${at.length}`);
  const index = at[0] as number;
  return (next: unknown) => statement.params.map((p, i) => (i === index ? next : p));
}

async function main(): Promise<void> {
  const started = performance.now();
  const startLoad = loadavg()[0]?.toFixed(1);
  own = await ownDatabase(SERVER, DB_NAME, { replace: true });
  const desk = await buildDesk(
    configFrom({
      LOG_LEVEL: 'silent',
      DATABASE_URL: own.url,
      DESK_DEV_IDP: 'false',
      BURST_THROTTLE_RATES: 'off',
      SUSTAINED_THROTTLE_RATES: 'off',
    }),
    { runJobs: false },
  );
  await desk.database.migrate();
  await desk.app.listen({ port: 0, host: '127.0.0.1' });
  const address = desk.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/scim/v2`;
  // The raw driver: postgres.js as Desk opens it (prepared statements, no type fetch), as many connections as
  // requests run at once.
  const sql = postgres(own.url, { max: CONCURRENCY, prepare: true, fetch_types: false, onnotice: () => {} });
  const clients = new ScimClientService(desk.database);
  const newClient = async (organization: string) => {
    const [{ id } = { id: '' }] = await sql<{ id: string }[]>`
      insert into organizations (name) values (${organization}) returning id`;
    return { organizationId: id, token: (await clients.create(id, 'Entra ID', { actor: SYSTEM })).token };
  };

  // ---- data ----
  const measured = await newClient('SCIM bench organization 000');
  let t0 = performance.now();
  await fill(sql, measured.organizationId);
  const loadMs = performance.now() - t0;
  const perOrganization = SIZE / ORGANIZATIONS;
  console.log(
    `Workload: ${fmt(SIZE)} provisioned users (users + scim_users, userName = email) in ${ORGANIZATIONS} organizations ` +
      `of ${fmt(perOrganization)}, one SCIM client each; loaded in SQL and analysed in ${secs(loadMs)}; PostgreSQL, database ${DB_NAME}.`,
  );
  console.log(
    `Lists: ${REQUESTS} requests per filter, ${CONCURRENCY} at a time, by the client of one organization, over HTTP ` +
      `(keep-alive, loopback) to a Desk in this process; the raw SQL is the statement listUsers sends (captured from ` +
      `Drizzle's logger), run through postgres.js with the same parameters and concurrency.`,
  );

  // ---- lists: eq and co ----
  const auth = { authorization: `Bearer ${measured.token}` };
  const userNames = (
    await sql<{ user_name: string }[]>`
      select user_name from scim_users where organization_id = ${measured.organizationId}`
  ).map((r) => r.user_name);
  const candidates = await sql<{ fragment: string; n: number }[]>`
    with candidate as (
      select distinct substr(local, 1 + floor(random() * greatest(1, length(local) - 5))::int, 4 + floor(random() * 3)::int) as fragment
      from (select split_part(lower(user_name), '@', 1) as local from scim_users
            where organization_id = ${measured.organizationId} order by random() limit 400) s)
    select fragment, (select count(*)::int from scim_users u
      where u.organization_id = ${measured.organizationId} and lower(u.user_name) like '%' || fragment || '%') as n
    from candidate`;
  const fragments = candidates
    .filter((c) => c.n >= CO_MATCHES[0] && c.n <= CO_MATCHES[1] && c.fragment.length >= 4)
    .slice(0, 60);
  if (!fragments.length) throw new Error('no fragment matches a handful of users');
  const meanMatches = fragments.reduce((s, f) => s + f.n, 0) / fragments.length;

  const capture: { last?: { text: string; params: unknown[] } } = {};
  desk.database.queries.logQuery = (...args: unknown[]) => {
    capture.last = { text: String(args[0]), params: (args[1] as unknown[]) ?? [] };
  };
  const listOf = (filter: string) => () =>
    listUsers(desk.database.db, measured.organizationId, userFilterSql(parseFilter(filter)), 0, DEFAULT_PAGE);
  const sample = userNames[0] ?? '';
  const eqStatement = await statementOf(capture, listOf(`userName eq "${sample}"`));
  const firstFragment = fragments[0]?.fragment ?? '';
  const coStatement = await statementOf(capture, listOf(`userName co "${firstFragment}"`));

  const eqParams = withValue(eqStatement, sample);
  const coParams = withValue(coStatement, `%${firstFragment}%`);

  const http = async (filter: string, expectAtLeast: number) => {
    const res = await fetch(`${base}/Users?filter=${encodeURIComponent(filter)}`, { headers: auth });
    const body = (await res.json()) as { totalResults?: number };
    if (res.status !== 200 || (body.totalResults ?? 0) < expectAtLeast)
      throw new Error(`${filter}: status ${res.status}, ${JSON.stringify(body).slice(0, 200)}`);
  };
  const raw = async (text: string, params: unknown[], expectAtLeast: number) => {
    const rows = await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true });
    if (rows.length < expectAtLeast) throw new Error(`raw SQL found ${rows.length} rows`);
  };
  const eqUsers = pick(userNames, REQUESTS);
  const coFragments = pick(fragments, REQUESTS).map((f) => f.fragment);
  const runEq = () => ({
    http: () => timed(eqUsers, CONCURRENCY, (u) => http(`userName eq "${u}"`, 1)),
    sql: () => timed(eqUsers, CONCURRENCY, (u) => raw(eqStatement.text, eqParams(u), 1)),
  });
  const runCo = () => ({
    http: () => timed(coFragments, CONCURRENCY, (f) => http(`userName co "${f}"`, 1)),
    sql: () => timed(coFragments, CONCURRENCY, (f) => raw(coStatement.text, coParams(`%${f}%`), 1)),
  });
  // Warm-up: caches, prepared statements (and their generic plans, from the sixth execution on) on both sides.
  for (const run of [runEq(), runCo()]) {
    await run.http();
    await run.sql();
  }
  const eqHttp = await runEq().http();
  const eqSql = await runEq().sql();
  const coHttp = await runCo().http();
  const coSql = await runCo().sql();

  const explain = async (text: string, params: unknown[]) =>
    (await sql.unsafe(`explain (analyze, buffers) ${text}`, params as postgres.ParameterOrJSON<never>[])).map(
      (r) => String((r as Record<string, unknown>)['QUERY PLAN']),
    );
  if (process.env.SCIM_BENCH_PROFILE === '1') {
    // The client's fetches run in this process too: their time is in the profile, under undici.
    const summary = await profileWhile(async () => void (await runEq().http()));
    const busy = summary.samples - summary.idle;
    console.log(
      `CPU profile while the eq requests run (${summary.samples} samples, ${summary.idle} idle), top 20 of busy:`,
    );
    for (const f of summary.functions.slice(0, 20))
      console.log(`  ${((f.samples / busy) * 100).toFixed(1)}%  ${f.name}  ${f.where}`);
    for (const pk of summary.packages.slice(0, 12))
      console.log(`  ${((pk.samples / busy) * 100).toFixed(1)}%  ${pk.name}`);
  }
  const eqPlan = await explain(eqStatement.text, eqParams(eqUsers[0]));
  const coPlan = await explain(coStatement.text, coParams(`%${coFragments[0]}%`));

  console.log(
    `userName eq: ${REQUESTS} existing users of the organization, at random. userName co: ${fragments.length} fragments ` +
      `of 4–6 characters of their addresses, each matching ${CO_MATCHES[0]}–${CO_MATCHES[1]} of the organization's users ` +
      `(${meanMatches.toFixed(1)} on average), at random.`,
  );
  console.log(
    '| filter | HTTP p50 ms | HTTP p95 ms | raw SQL p50 ms | raw SQL p95 ms | HTTP/SQL p95 | aim p95 | met |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, h, s, aim] of [
    ['userName eq "…"', eqHttp, eqSql, AIM_EQ_MS],
    ['userName co "…"', coHttp, coSql, AIM_CO_MS],
  ] as const)
    console.log(
      `| ${name} | ${ms(h.p50)} | ${ms(h.p95)} | ${ms(s.p50)} | ${ms(s.p95)} | ${(h.p95 / s.p95).toFixed(1)}× | < ${aim} ms | ${h.p95 < aim ? 'yes' : 'NO'} |`,
    );
  console.log(`\nThe statement (both filters; $2 is the value, bound):\n${coStatement.text}`);
  console.log(`\nEXPLAIN (ANALYZE, BUFFERS), userName eq:\n${eqPlan.join('\n')}`);
  console.log(`\nEXPLAIN (ANALYZE, BUFFERS), userName co "${coFragments[0]}":\n${coPlan.join('\n')}`);

  // ---- initial sync ----
  const body = (k: number, domain: string) => {
    const given = FIRST[k % FIRST.length] ?? 'Camille';
    const family = LAST[(k * 7) % LAST.length] ?? 'Martin';
    const address = `${given}.${family}.${k}@${domain}`
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9.@-]/g, '')
      .toLowerCase();
    // What Entra ID's provisioning engine POSTs (its documented request, enterprise extension included).
    return {
      schemas: [
        'urn:ietf:params:scim:schemas:core:2.0:User',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      ],
      externalId: randomUUID(),
      userName: address,
      active: true,
      displayName: `${given} ${family}`,
      emails: [{ primary: true, type: 'work', value: address }],
      meta: { resourceType: 'User' },
      name: { formatted: `${given} ${family}`, familyName: family, givenName: given },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
        department: 'Numérique',
        employeeNumber: String(k),
      },
    };
  };
  const post = (token: string, domain: string) => async (k: number) => {
    const res = await fetch(`${base}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body(k, domain)),
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST /Users: status ${res.status}, ${text.slice(0, 300)}`);
  };
  const insert = (organizationId: string, clientId: string, domain: string) => async (k: number) => {
    const b = body(k, domain);
    await sql.begin(async (tx) => {
      const [user] = await tx<{ id: string }[]>`
        insert into users (name, email, organization_id) values (${b.displayName}, ${b.userName}, ${organizationId})
        returning id`;
      await tx`insert into scim_users (user_id, organization_id, client_id, user_name, external_id, given_name,
          family_name, formatted, display_name, emails)
        values (${user?.id ?? ''}, ${organizationId}, ${clientId}, ${b.userName}, ${b.externalId}, ${b.name.givenName},
          ${b.name.familyName}, ${b.name.formatted}, ${b.displayName}, ${sql.json(b.emails)})`;
    });
  };
  const clientOf = async (organizationId: string) =>
    (await sql<{ id: string }[]>`select id from scim_clients where organization_id = ${organizationId}`)[0]
      ?.id ?? '';
  const keys = Array.from({ length: SYNC }, (_, k) => k);
  const sync = [];
  for (const [label, concurrency] of [
    ['one after the other', 1],
    [`${CONCURRENCY} at a time`, CONCURRENCY],
  ] as const) {
    const tag = label === 'one after the other' ? 'sequential' : 'concurrent';
    const viaHttp = await newClient(`SCIM bench sync ${tag}`);
    const h = await timed(keys, concurrency, post(viaHttp.token, `sync-${tag}.example.gouv.fr`));
    const plain = await newClient(`SCIM bench insert ${tag}`);
    const s = await timed(
      keys,
      concurrency,
      insert(plain.organizationId, await clientOf(plain.organizationId), `insert-${tag}.example.gouv.fr`),
    );
    sync.push({ label, h, s });
  }
  console.log(
    `\nInitial sync: ${fmt(SYNC)} new users POSTed to /Users (Entra-shaped bodies, enterprise extension included) into an ` +
      `empty organization, against the same users as plain INSERTs (users + scim_users, one transaction per user) ` +
      `through postgres.js; ${fmt(SIZE)} users already in the database.`,
  );
  console.log(
    '| sync | POST p50 ms | POST p95 ms | POST total | INSERT p50 ms | INSERT p95 ms | INSERT total | POST/INSERT total |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { label, h, s } of sync)
    console.log(
      `| ${label} | ${ms(h.p50)} | ${ms(h.p95)} | ${secs(h.totalMs)} (${ms(h.totalMs / SYNC)} ms/user) | ${ms(s.p50)} | ${ms(s.p95)} | ${secs(s.totalMs)} | ${(h.totalMs / s.totalMs).toFixed(1)}× |`,
    );

  await sql.end();
  await desk.close();
  await dropOwn();
  t0 = performance.now();
  console.log(
    `\nWhole run: ${secs(t0 - started)} (database ${DB_NAME} dropped); load average at the end ${loadavg()[0]?.toFixed(1)} (at the start ${startLoad}).`,
  );
}

await main().catch(async (e: unknown) => {
  await dropOwn();
  throw e;
});
