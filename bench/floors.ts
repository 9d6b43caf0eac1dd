// Benchmark: each hot path of Desk against its floor, a bare route doing the same database and store work with the raw
// drivers, in the same run on the same data, loaded from a separate process; on PostgreSQL + Redis, then embedded.
import { createHash, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { buildDesk, type Desk } from '../src/app.ts';
import { configFrom } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/database.ts';
import { createHttpServer } from '../src/platform/http.ts';
import { type KeyValueStore, MemoryStore, RedisStore } from '../src/platform/kv.ts';
import { findActiveUserById } from '../src/users/index.ts';
import { freePort } from '../test/support/desk.ts';
import { recordStatements, type SentStatement } from '../test/support/statements.ts';
import { type Measure, measureApart } from './load.ts';
import { profileWhile } from './support/cpu-profile.ts';
import {
  type FloorDeps,
  pgliteFloor,
  postgresFloor,
  type RawDatabase,
  type RawStore,
  redisFloor,
  searchKey,
  startFloor,
  userRowOf,
} from './support/floor-app.ts';
import { type Exec, type FloorData, fillFloorData, SMALL_ORGANIZATION } from './support/floor-data.ts';
import {
  DEFAULT_POSTGRES,
  DEFAULT_REDIS,
  forgetPrefix,
  ownDatabase,
  ownPrefix,
  postgresServer,
} from './support/isolation.ts';
import { machineCpuFrom } from './support/machine-cpu.ts';

/** Measured seconds per side and path (after a 2 s warm-up). */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
/**
 * BENCH_CONTROL=1 also measures each path's floor against itself in every round (a third side, the floor again): the
 * spread of a ratio that is 1 by construction, which says how far one run's ratio can be trusted on this machine.
 */
const CONTROL = process.env.BENCH_CONTROL === '1';
/**
 * BENCH_STACK=1 also measures, in every round, the floor's routes served by Desk's own HTTP stack (createHttpServer:
 * its Fastify settings, hooks, CORS, cookies, error handling; no resource policy): against the bare floor, what the
 * stack costs; Desk against it, what Desk's own request work (session, Drizzle, the route) costs.
 */
const STACK = process.env.BENCH_STACK === '1';
/**
 * BENCH_SESSION=1 also measures, in every round, the floor on Desk's HTTP stack reading its session as Desk does
 * (SessionStore.get, then findActiveUserById through Drizzle): against the stack floor, what Desk's session read costs.
 */
const SESSION = process.env.BENCH_SESSION === '1';

/** A side measured besides Desk and the floor in every round, after both: compared with the floor, and Desk with it. */
interface Extra {
  label: string;
  url: string;
}
/**
 * Rounds per path, the two sides alternating (Desk then floor, then floor then Desk, …): the ratio of each round, and
 * their median, compare measurements seconds apart, not a drifting machine's minutes apart.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 20;
/** Users in all on PostgreSQL (at least 13,000: the big team takes its members from the population). */
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
/** Users in all on PGlite. */
const EMBEDDED_USERS = Number(process.env.BENCH_EMBEDDED_USERS ?? 100_000);
/** BENCH_EMBEDDED=0 leaves out the embedded section. */
const EMBEDDED = process.env.BENCH_EMBEDDED !== '0';
/**
 * BENCH_PLAN_CACHE_MODE=force_generic_plan (or force_custom_plan) sets PostgreSQL's plan_cache_mode on the measured
 * database, for Desk and the floor alike: whether a named statement is planned anew on each call, which PostgreSQL
 * otherwise decides per connection from the statement's first calls.
 */
const PLAN_CACHE_MODE = ((mode) => {
  if (mode === undefined || mode === '') return undefined;
  if (!['auto', 'force_generic_plan', 'force_custom_plan'].includes(mode))
    throw new Error('BENCH_PLAN_CACHE_MODE: auto, force_generic_plan or force_custom_plan.');
  return mode;
})(process.env.BENCH_PLAN_CACHE_MODE);
/** BENCH_PROFILE=0 leaves out the CPU profile of users/me. */
const PROFILE = process.env.BENCH_PROFILE !== '0';
/** The server the own database is made on (DATABASE_URL when it is PostgreSQL) and the Redis the own prefix is in. */
const POSTGRES_SERVER = postgresServer() ?? DEFAULT_POSTGRES;
const REDIS_URL = process.env.REDIS_URL ?? DEFAULT_REDIS;
const DATABASE_NAME = 'desk_bench_floors';
const AIM = 0.7;
const SEARCHES = [
  ['prefix', 'mar'],
  ['full name', 'Hélène Marchetti'],
  ['typo', 'jhon smithers'],
] as const;
/** Searches in the small organization (SMALL_ORGANIZATION agents): the size of most people deployments. */
const SMALL_SEARCHES = [
  ['prefix', 'mar'],
  ['full name', 'camille rousseau'],
] as const;

/** Undone in reverse order at the end, also on Ctrl-C: only what this run created. */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (const undo of cleanups.splice(0).reverse()) await undo().catch((err: unknown) => console.error(err));
}
process.once('SIGINT', () => {
  void cleanUp().finally(() => process.exit(130));
});

interface HotPath {
  label: string;
  path: string;
  headers: Record<string, string>;
}

/** A side's measurement and the CPU this process spent per request answered during it (all its threads). */
interface Measured extends Measure {
  cpuUs: number;
  /**
   * What the machine spent per request answered (µs, from /proc; undefined where there is none): PostgreSQL's
   * processes, Redis's, and all of it (the load generator included).
   */
  machine?: { postgres: number; redis: number; busy: number } | undefined;
}

interface Row {
  path: HotPath;
  /** The round of the median ratio. */
  desk: Measured;
  floor: Measured;
  /** Desk/floor in each round, in order. */
  ratios: number[];
  /** Desk's machine CPU per request against the floor's in each round (from /proc): PostgreSQL's, and all of it. */
  machineRatios?: { postgres: number[]; busy: number[] } | undefined;
  /** Each extra side (BENCH_CONTROL, BENCH_STACK, BENCH_SESSION): its ratio to the floor, and Desk's to it, in each round. */
  extras: { label: string; overFloor: number[]; deskOver: number[]; errors: number }[];
}

interface Setup {
  title: string;
  desk: Desk;
  deskUrl: string;
  db: RawDatabase;
  kv: RawStore;
  data: FloorData;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const thousands = (n: number) => n.toLocaleString('en');

function deskSettings(url: string, databaseUrl: string) {
  return configFrom({
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: url,
    PORT: new URL(url).port,
    DESK_DEV_IDP: 'false',
    BURST_THROTTLE_RATES: 'off',
    SUSTAINED_THROTTLE_RATES: 'off',
    // The resource server is configured, but its provider is never called: the introspection is in the cache.
    OIDC_OP_URL: 'http://127.0.0.1:9/bench-provider',
    OIDC_RS_CLIENT_ID: 'desk',
    OIDC_RS_CLIENT_SECRET: 'bench-secret',
    OIDC_RS_BACKEND: 'json',
  });
}

/** Sessions for the two agents and a cached introspection of a token for the first: the measured requests' proofs. */
async function hotPaths(desk: Desk, data: FloorData): Promise<HotPath[]> {
  const csrf = `csrftoken=${randomBytes(16).toString('hex')}`;
  const cookie = async (userId: string) =>
    `${desk.config.SESSION_COOKIE_NAME}=${(await desk.sessions.create(userId)).id}; ${csrf}`;
  const agent = { cookie: await cookie(data.agent.id) };
  const owner = { cookie: await cookie(data.owner.id) };
  const smallAgent = { cookie: await cookie(data.smallAgent.id) };
  const token = randomBytes(32).toString('base64url');
  const claims = {
    active: true,
    sub: data.agent.sub,
    scope: 'openid groups',
    client_id: data.serviceProvider.audience,
    exp: Math.floor(Date.now() / 1000) + 3600,
  };
  await desk.kv.set(`rs-introspection:${sha256(token)}`, JSON.stringify(claims), 3_600_000);
  return [
    { label: 'users/me', path: '/api/v1.0/users/me/', headers: agent },
    { label: 'teams list (20 teams)', path: '/api/v1.0/teams/', headers: agent },
    {
      label: 'accesses, 100 of 1,000',
      path: `/api/v1.0/teams/${data.bigTeamId}/accesses/?page_size=100`,
      headers: owner,
    },
    ...SEARCHES.map(([kind, q]) => ({
      label: `search, ${kind} "${q}"`,
      path: `/api/v1.0/users/?q=${encodeURIComponent(q)}`,
      headers: agent,
    })),
    ...SMALL_SEARCHES.map(([kind, q]) => ({
      label: `search at ${thousands(SMALL_ORGANIZATION)}, ${kind} "${q}"`,
      path: `/api/v1.0/users/?q=${encodeURIComponent(q)}`,
      headers: smallAgent,
    })),
    {
      label: 'resource server teams (cached)',
      path: '/resource-server/v1.0/teams/',
      headers: { authorization: `Bearer ${token}` },
    },
  ];
}

/** Desk's statements for one request, and whether each went named (test/support/statements.ts). */
async function deskStatements(desk: Desk, url: string, path: HotPath) {
  const recording = recordStatements(desk.database);
  try {
    const res = await fetch(url + path.path, { headers: path.headers });
    return { status: res.status, body: await res.text(), sent: recording.sent };
  } finally {
    recording.stop();
  }
}

async function floorStatements(db: RawDatabase, url: string, path: HotPath) {
  db.recording = [];
  try {
    const res = await fetch(url + path.path, { headers: path.headers });
    return { status: res.status, body: await res.text(), sent: db.recording };
  } finally {
    db.recording = null;
  }
}

/** Runs both sides of each path once: the floor must send Desk's statements and answer Desk's JSON. */
async function check(
  setup: Setup,
  floorUrl: string,
  paths: HotPath[],
  searches: Map<string, SentStatement[]>,
) {
  const lines: string[] = [];
  let failures = 0;
  for (const path of paths) {
    // Once before looking: a first call does one-off work (the service provider's row is made on its first call).
    await fetch(setup.deskUrl + path.path, { headers: path.headers }).then((res) => res.arrayBuffer());
    const desk = await deskStatements(setup.desk, setup.deskUrl, path);
    const q = new URL(path.path, setup.deskUrl).searchParams.get('q');
    // Search: the floor replays what Desk sent after its session's user query (for this searcher and query).
    if (q !== null) searches.set(searchKey(path.headers.cookie ?? '', path.path), desk.sent.slice(1));
    const floor = await floorStatements(setup.db, floorUrl, path);
    const sameSql =
      desk.sent.length === floor.sent.length &&
      desk.sent.every((s, i) => oneLine(s.text) === oneLine(floor.sent[i] ?? ''));
    const sameBody =
      desk.status === 200 &&
      floor.status === 200 &&
      isDeepStrictEqual(JSON.parse(desk.body), JSON.parse(floor.body));
    if (!sameSql || !sameBody) failures += 1;
    lines.push(
      `  ${path.label}: ${desk.sent.length} statements (${desk.sent.filter((st) => st.named).length} named)` +
        `${sameSql ? ', the same SQL' : `, floor ${floor.sent.length}: SQL DIFFERS`}; ` +
        (sameBody
          ? `the same JSON (${thousands(Buffer.byteLength(desk.body))} bytes)`
          : `JSON DIFFERS (Desk ${desk.status}, floor ${floor.status})`),
    );
    const differing = desk.sent.findIndex((st, i) => oneLine(st.text) !== oneLine(floor.sent[i] ?? ''));
    if (differing >= 0) {
      const [a, b] = [oneLine(desk.sent[differing]?.text ?? ''), oneLine(floor.sent[differing] ?? '')];
      let at = 0;
      while (at < a.length && a[at] === b[at]) at += 1;
      const around = (text: string) => `…${text.slice(Math.max(0, at - 60), at + 60)}…`;
      lines.push(
        `    statement ${differing + 1}, Desk:  ${around(a)}`,
        `    statement ${differing + 1}, floor: ${around(b)}`,
      );
    }
  }
  console.log(`Checked once per path (Desk's query log against the floor's statements, and both answers):`);
  console.log(lines.join('\n'));
  if (failures) console.log(`  ${failures} path(s) differ: their ratios below do not compare the same work.`);
}

function ms(m: Measure): string {
  return `${m.p50.toFixed(1)} / ${m.p99.toFixed(1)}`;
}

/** The item of the median value (the lower one of an even count). */
function medianBy<T>(items: T[], value: (item: T) => number): T | undefined {
  return [...items].sort((a, b) => value(a) - value(b))[Math.floor((items.length - 1) / 2)];
}

/** Desk's requests per second against its floor's. */
function ratioOf(desk: Measure, floor: Measure): number {
  return desk.requestsPerSecond / Math.max(floor.requestsPerSecond, Number.MIN_VALUE);
}

function printTable(rows: Row[]): void {
  console.log(
    `The round of the median ratio of ${ROUNDS} (CPU: this process's, all threads, per request answered):`,
  );
  console.log(
    '| path | Desk req/s | floor req/s | Desk/floor, median | each round | Desk p50/p99 ms | floor p50/p99 ms | CPU µs/request Desk / floor | errors Desk/floor |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const ratioText = (desk: Measure, floor: Measure) =>
    floor.requestsPerSecond > 0 ? ratioOf(desk, floor).toFixed(2) : '—';
  for (const { path, desk, floor, ratios } of rows)
    console.log(
      `| ${path.label} | ${desk.requestsPerSecond.toFixed(0)} | ${floor.requestsPerSecond.toFixed(0)} | ` +
        `${ratioText(desk, floor)} | ${ratios.map((r) => r.toFixed(2)).join(', ')} | ${ms(desk)} | ${ms(floor)} | ` +
        `${desk.cpuUs.toFixed(0)} / ${floor.cpuUs.toFixed(0)} | ${desk.errors}/${floor.errors} |`,
    );
  const each = (ratios: number[]) =>
    `median ${(medianBy(ratios, (r) => r) ?? Number.NaN).toFixed(2)} (each round: ${ratios.map((r) => r.toFixed(2)).join(', ')})`;
  // The database and the store share the cores with both servers: a side's throughput follows what a request costs
  // them all, not only this process.
  for (const { path, desk, floor, machineRatios } of rows)
    if (machineRatios && desk.machine && floor.machine)
      console.log(
        `${path.label}: the machine's CPU per request (from /proc), Desk against the floor: all of it (the load ` +
          `generator included) ${each(machineRatios.busy)}, PostgreSQL's ${each(machineRatios.postgres)}; in the ` +
          `median round PostgreSQL ${desk.machine.postgres.toFixed(0)} / ${floor.machine.postgres.toFixed(0)} µs, Redis ` +
          `${desk.machine.redis.toFixed(0)} / ${floor.machine.redis.toFixed(0)}, all ${desk.machine.busy.toFixed(0)} / ` +
          `${floor.machine.busy.toFixed(0)}.`,
      );
  for (const { path, extras } of rows)
    for (const extra of extras)
      console.log(
        `${path.label}: ${extra.label} against the floor ${each(extra.overFloor)}; ` +
          `Desk against it ${each(extra.deskOver)}; ${extra.errors} errors.`,
      );
  const ratio = (r: Row) => ratioOf(r.desk, r.floor);
  const meet = rows.filter((r) => ratio(r) >= AIM).map((r) => r.path.label);
  const miss = rows.filter((r) => ratio(r) < AIM).map((r) => `${r.path.label} (${ratio(r).toFixed(2)})`);
  console.log(
    `At ≥ ${AIM} of the floor: ${meet.length} of ${rows.length}${meet.length ? ` (${meet.join('; ')})` : ''}.`,
  );
  console.log(`Below ${AIM}: ${miss.length ? miss.join('; ') : 'none'}.`);
}

/**
 * Waits for the requests autocannon gave up on at the end of a run: the server still answers them, in the order they
 * came (PGlite's one session, the pool's queue), so one more request answers once they are done.
 */
async function settle(base: string, path: HotPath): Promise<void> {
  await fetch(base + path.path, { headers: path.headers, signal: AbortSignal.timeout(120_000) }).then((res) =>
    res.arrayBuffer(),
  );
}

/** Each round's Desk/floor of the machine's CPU per request, when /proc gave it for every side measured. */
function machineRatiosOf(rounds: { desk: Measured; floor: Measured }[]): Row['machineRatios'] {
  const pairs = rounds.flatMap(({ desk, floor }) =>
    desk.machine && floor.machine ? [[desk.machine, floor.machine] as const] : [],
  );
  if (pairs.length < rounds.length) return undefined;
  return {
    postgres: pairs.map(([desk, floor]) => desk.postgres / Math.max(floor.postgres, 1)),
    busy: pairs.map(([desk, floor]) => desk.busy / Math.max(floor.busy, 1)),
  };
}

async function measureAll(setup: Setup, floorUrl: string, paths: HotPath[], extras: Extra[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const path of paths) {
    const job = (side: string, base: string) => ({
      name: `${path.label} (${side})`,
      url: base + path.path,
      headers: path.headers,
      connections: CONNECTIONS,
      warmupSeconds: WARMUP_SECONDS,
      seconds: SECONDS,
      // PGlite answers one statement at a time: a slow search keeps 20 connections waiting longer than 10 s.
      timeoutSeconds: 60,
    });
    process.stderr.write(`  measuring ${path.label}…\n`);
    // The warm-up apart, so that the CPU counted is the measured seconds' only.
    const side = async (name: string, base: string): Promise<Measured> => {
      await measureApart({ ...job(name, base), seconds: WARMUP_SECONDS, warmupSeconds: 0 });
      await settle(base, path);
      const before = process.cpuUsage();
      const spent = machineCpuFrom();
      const m = await measureApart({ ...job(name, base), warmupSeconds: 0 });
      const { user, system } = process.cpuUsage(before);
      const machine = spent();
      await settle(base, path);
      const answered = Math.max(m.requestsPerSecond * SECONDS, 1);
      const per = (us: number) => us / answered;
      return {
        ...m,
        cpuUs: per(user + system),
        machine: machine && {
          postgres: per(machine.byProgram.get('postgres') ?? 0),
          redis: per(machine.byProgram.get('redis-server') ?? 0),
          busy: per(machine.busy),
        },
      };
    };
    const rounds: { desk: Measured; floor: Measured; ratio: number; extras: Measured[] }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const deskFirst = round % 2 === 0;
      const first = await side(deskFirst ? 'Desk' : 'floor', deskFirst ? setup.deskUrl : floorUrl);
      const second = await side(deskFirst ? 'floor' : 'Desk', deskFirst ? floorUrl : setup.deskUrl);
      const [desk, floor] = deskFirst ? [first, second] : [second, first];
      // The extra sides come last, so in odd rounds they follow the floor and in even ones Desk.
      const measured: Measured[] = [];
      for (const extra of extras) measured.push(await side(extra.label, extra.url));
      rounds.push({ desk, floor, ratio: ratioOf(desk, floor), extras: measured });
    }
    const median = medianBy(rounds, (r) => r.ratio);
    if (median)
      rows.push({
        path,
        desk: median.desk,
        floor: median.floor,
        ratios: rounds.map((r) => r.ratio),
        machineRatios: machineRatiosOf(rounds),
        extras: extras.map((extra, i) => ({
          label: extra.label,
          overFloor: rounds.map((r) => ratioOf(r.extras[i] as Measured, r.floor)),
          deskOver: rounds.map((r) => ratioOf(r.desk, r.extras[i] as Measured)),
          errors: rounds.reduce((sum, r) => sum + (r.extras[i]?.errors ?? 0), 0),
        })),
      });
  }
  return rows;
}

/** The CPU profile of this process while one side answers the path under load, and the requests it answered. */
async function profileSide(url: string, path: HotPath) {
  let answered = 0;
  const summary = await profileWhile(async () => {
    const m = await measureApart({
      name: 'profile',
      url: url + path.path,
      headers: path.headers,
      connections: CONNECTIONS,
      warmupSeconds: 0,
      seconds: SECONDS,
    });
    answered = m.requestsPerSecond * SECONDS;
  });
  await settle(url, path);
  return { summary, answered: Math.max(answered, 1) };
}

/**
 * Where a request's time goes: Desk's top functions, then the CPU this process spent per request answered, by
 * package, for Desk and for its floor under the same load (both servers share the process and the machine's
 * cores with the database: what Desk spends beyond its floor is what it takes from them).
 */
async function printProfile(setup: Setup, floorUrl: string, path: HotPath): Promise<void> {
  const desk = await profileSide(setup.deskUrl, path);
  const floor = await profileSide(floorUrl, path);
  const { summary } = desk;
  const busy = summary.samples - summary.idle;
  const pct = (n: number, of: number) => `${((n / Math.max(of, 1)) * 100).toFixed(1)}%`;
  console.log(
    `\nCPU profile of this process while Desk answers GET ${path.path} (${setup.title}), ${SECONDS} s under the same load, ` +
      `sampled every 500 µs: ${thousands(summary.samples)} samples, ${pct(summary.idle, summary.samples)} idle.`,
  );
  console.log('Top 15 functions by self time:');
  console.log('| # | function | file:line | % of samples | % of busy |');
  console.log('|---|---|---|---|---|');
  summary.functions.slice(0, Number(process.env.BENCH_PROFILE_TOP ?? 15)).forEach((f, i) => {
    console.log(
      `| ${i + 1} | ${f.name} | ${f.where} | ${pct(f.samples, summary.samples)} | ${pct(f.samples, busy)} |`,
    );
  });
  // 500 µs a sample: µs of this process's CPU per request answered.
  const perRequest = (samples: number, answered: number) => ((samples * 500) / answered).toFixed(0);
  const floorOf = new Map(floor.summary.packages.map((p) => [p.name, p.samples]));
  const floorBusy = floor.summary.samples - floor.summary.idle;
  console.log(
    `CPU of this process per request, by package (top 12 of Desk's; native and node: built-in time counted to the ` +
      `package that called it): Desk ${perRequest(busy, desk.answered)} µs, floor ${perRequest(floorBusy, floor.answered)} µs in all.`,
  );
  console.log('| package | Desk µs/request | floor µs/request |');
  console.log('|---|---|---|');
  for (const p of summary.packages.slice(0, 12))
    console.log(
      `| ${p.name} | ${perRequest(p.samples, desk.answered)} | ${perRequest(floorOf.get(p.name) ?? 0, floor.answered)} |`,
    );
}

async function runSection(setup: Setup, note: string, profile: boolean): Promise<void> {
  const searches = new Map<string, SentStatement[]>();
  const { desk } = setup;
  // Every floor answers the same routes from the same data; they differ in their server and their session read.
  const startOne = async (more: Pick<FloorDeps, 'server' | 'signedIn'> = {}) => {
    const started = await startFloor({
      db: setup.db,
      kv: setup.kv,
      config: desk.config,
      serviceProviders: new Map([[setup.data.serviceProvider.audience, setup.data.serviceProvider.id]]),
      searches,
      ...more,
    });
    cleanups.push(() => started.app.close());
    return started;
  };
  const floor = await startOne();
  const extras: Extra[] = CONTROL ? [{ label: 'the floor again (control)', url: floor.url }] : [];
  const deskStack = () => createHttpServer(desk.config);
  if (STACK)
    extras.push({
      label: "the floor on Desk's HTTP stack",
      url: (await startOne({ server: deskStack })).url,
    });
  if (SESSION) {
    const signedIn = async (id: string) => {
      const session = await desk.sessions.get(id);
      if (!session || session.data.loggingOut) return undefined;
      const user = await findActiveUserById(desk.database.db, session.data.userId);
      return user ? userRowOf(user) : undefined;
    };
    const { url } = await startOne({ server: deskStack, signedIn });
    extras.push({ label: "the floor on Desk's HTTP stack with Desk's session read", url });
  }
  const all = await hotPaths(setup.desk, setup.data);
  // BENCH_PATHS="users/me,accesses" measures only the paths whose names start with one of these.
  const only = (process.env.BENCH_PATHS ?? '').split(',').filter(Boolean);
  const paths = only.length ? all.filter((p) => only.some((o) => p.label.startsWith(o))) : all;
  console.log(note);
  console.log(
    `Load: autocannon in a separate process, ${CONNECTIONS} connections, per path ${ROUNDS} rounds of ${WARMUP_SECONDS} s ` +
      `warm-up then ${SECONDS} s per side, the sides alternating (Desk first in odd rounds, the floor in even ones)` +
      `${extras.map((e) => `, then ${e.label}`).join('')}; ` +
      `both servers in this process (Node ${process.version}, ` +
      `${cpus().length} CPUs). Floor: bare Fastify, raw driver, JSON.stringify.`,
  );
  await check(setup, floor.url, paths, searches);
  const rows = await measureAll(setup, floor.url, paths, extras);
  printTable(rows);
  // BENCH_PROFILE_PATHS names the profiled paths, by the start of their labels, `;` between them (labels hold commas);
  // default: users/me and the prefix search in the small organization.
  const wanted = process.env.BENCH_PROFILE_PATHS?.split(';').filter(Boolean) ?? [
    'users/me',
    `search at ${thousands(SMALL_ORGANIZATION)}, prefix`,
  ];
  const profiled = paths.filter((p) => wanted.some((w) => p.label.startsWith(w)));
  if (profile) for (const path of profiled) await printProfile(setup, floor.url, path);
}

async function postgresSection(): Promise<void> {
  // Set as the database's own default: every session on it, Desk's and the floor's alike, starts with it.
  const own = await ownDatabase(POSTGRES_SERVER, DATABASE_NAME, {
    replace: true,
    settings: PLAN_CACHE_MODE ? { plan_cache_mode: PLAN_CACHE_MODE } : {},
  });
  cleanups.push(() => own.drop());
  const prefix = ownPrefix('floors');
  const kv = new RedisStore(REDIS_URL, { prefix });
  const redis = new Redis(REDIS_URL);
  cleanups.push(async () => {
    await forgetPrefix(redis, prefix);
    redis.disconnect();
    await kv.close();
  });
  const deskUrl = `http://127.0.0.1:${await freePort()}`;
  const desk = await buildDesk(deskSettings(deskUrl, own.url), { kv, runJobs: false });
  cleanups.push(() => desk.close());
  await desk.database.migrate();
  const filler = postgres(own.url, { max: 1, onnotice: () => {} });
  const started = performance.now();
  const exec: Exec = async (text) => [...(await filler.unsafe(text))];
  const data = await fillFloorData(exec, USERS);
  const filled = (performance.now() - started) / 1000;
  // The fill's dirty pages written now, not by a checkpoint in the middle of a measurement.
  await filler`checkpoint`;
  const [{ server_version: version } = { server_version: '?' }] = await filler<
    { server_version: string }[]
  >`show server_version`;
  await filler.end();
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  await desk.app.listen({ port: Number(new URL(deskUrl).port), host: '127.0.0.1' });
  const db = postgresFloor(own.url);
  cleanups.push(() => db.close());
  console.log(
    `\n## PostgreSQL ${version} + Redis ${redisVersion}${PLAN_CACHE_MODE ? `, plan_cache_mode = ${PLAN_CACHE_MODE}` : ''}`,
  );
  await runSection(
    { title: 'PostgreSQL + Redis', desk, deskUrl, db, kv: redisFloor(redis, prefix), data },
    `Workload: ${thousands(data.users)} users in one organization (French names, 1 in 50 inactive), an agent in 20 ` +
      `teams of 10 (20 linked to a service provider), a team of 1,000; beside it an organization of ` +
      `${thousands(SMALL_ORGANIZATION)} agents, one of whom searches it; filled in ${filled.toFixed(1)} s into ` +
      `database ${own.name}${own.replaced ? ' (replacing one an interrupted run left)' : ''} and Redis keys ${prefix}*, ` +
      'both removed at the end.',
    PROFILE,
  );
}

async function embeddedSection(): Promise<void> {
  const database = openDatabase('pglite://memory', '');
  cleanups.push(() => database.close());
  await database.migrate();
  const kv: KeyValueStore = new MemoryStore();
  cleanups.push(() => kv.close());
  const client = (database.db as unknown as { $client: PGlite }).$client;
  const deskUrl = `http://127.0.0.1:${await freePort()}`;
  const desk = await buildDesk(deskSettings(deskUrl, 'pglite://memory'), { database, kv, runJobs: false });
  cleanups.push(() => desk.close());
  const started = performance.now();
  const data = await fillFloorData(
    async (text) => (await client.query<Record<string, unknown>>(text)).rows,
    EMBEDDED_USERS,
  );
  const filled = (performance.now() - started) / 1000;
  await desk.app.listen({ port: Number(new URL(deskUrl).port), host: '127.0.0.1' });
  console.log('\n## Embedded default: PGlite (in memory) + memory store');
  await runSection(
    { title: 'embedded', desk, deskUrl, db: pgliteFloor(client), kv: { get: (key) => kv.get(key) }, data },
    `Workload: the same data${EMBEDDED_USERS < USERS ? `, with ${thousands(data.users)} users instead of ${thousands(USERS)} (PGlite fills slowly)` : ` (${thousands(data.users)} users)`}, ` +
      `filled in ${filled.toFixed(1)} s; Desk and the floor share the one PGlite session, as Desk's requests do.`,
    false,
  );
}

try {
  await postgresSection();
  await cleanUp();
  if (EMBEDDED) await embeddedSection();
} finally {
  await cleanUp();
}
