// Benchmark: `desk import people` of a national deployment (1,000,000 users, 100,000 teams, 2,000,000 accesses) on
// PostgreSQL, rows/s per Desk table against a plain COPY of the same rows into a second migrated Desk database, the
// whole import's time against the 5-minute aim, and a second import of the unchanged source (it should write nothing).
// IMPORT_BENCH_SCALE=0.1 makes everything ten times smaller; IMPORT_BENCH_BATCH_SIZES=2000,5000,20000 imports once
// per batch size (each into a fresh database; the first is the one compared with COPY and imported again).
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import type { Progress, TableResult } from '../src/import/index.ts';
import { importPeople } from '../src/import/index.ts';
import { peopleTables } from '../src/import/people.ts';
import { progressOn } from '../src/import/progress.ts';
import { openDatabase } from '../src/platform/database.ts';
import {
  DEFAULT_POSTGRES,
  type OwnDatabase,
  ownDatabase,
  postgresServer,
  uniqueName,
} from './support/isolation.ts';
import { CHILDREN, createPeopleSource, fillPeople, peopleSizes, teamCount } from './support/people-data.ts';

const SERVER = postgresServer() ?? DEFAULT_POSTGRES;
const SCALE = Number(process.env.IMPORT_BENCH_SCALE ?? 1);
const BATCH_SIZES = (process.env.IMPORT_BENCH_BATCH_SIZES ?? '5000').split(',').map(Number);
const AIM_SECONDS = 300;
const AIM_RATIO = 0.5;
const VALIDITY_SECONDS = 604_800;
// As `desk import people` opens Desk's database: a batch may take longer than a request's statement is allowed.
const QUERY_TIMEOUT_SECONDS = 600;

const number = new Intl.NumberFormat('en-US');
const fmt = (n: number) => number.format(Math.round(n));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Every database this run made, dropped at the end whatever happens (and on Ctrl-C). */
const made: OwnDatabase[] = [];
async function dropAll(): Promise<void> {
  for (const own of made.splice(0))
    await own.drop().catch((e: unknown) => console.error(`drop ${own.name}: ${e}`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void dropAll().finally(() => process.exit(130));
  });

async function own(name: string): Promise<OwnDatabase> {
  const db = await ownDatabase(SERVER, name);
  made.push(db);
  return db;
}

async function release(db: OwnDatabase): Promise<void> {
  const i = made.indexOf(db);
  if (i >= 0) made.splice(i, 1);
  await db.drop();
}

/** On the server as a whole: starts each measured phase without the previous phase's dirty pages to write. */
async function checkpoint(): Promise<void> {
  const sql = postgres(SERVER, { max: 1, onnotice: () => {} });
  try {
    await sql`CHECKPOINT`;
  } finally {
    await sql.end();
  }
}

async function migratedDesk(name: string) {
  const target = await own(name);
  const database = openDatabase(target.url, '', { queryTimeoutSeconds: QUERY_TIMEOUT_SECONDS });
  await database.migrate();
  return { target, database };
}

interface Span {
  start: number;
  end: number;
}

/** The import's own progress events, timed: a table runs from its start to its end; before the first, deletions. */
function timed(inner: Progress, t0: () => number) {
  const spans = new Map<string, Span>();
  let firstStart = 0;
  const progress: Progress = {
    start(table, total) {
      const now = performance.now();
      if (!firstStart) firstStart = now;
      spans.set(table, { start: now, end: now });
      inner.start(table, total);
    },
    advance(table, done) {
      inner.advance(table, done);
    },
    end(result) {
      const span = spans.get(result.table);
      if (span) span.end = performance.now();
      inner.end(result);
    },
  };
  return {
    progress,
    seconds: (table: string) => {
      const s = spans.get(table);
      return s ? (s.end - s.start) / 1000 : 0;
    },
    /** Before the first table: the pass deleting the rows gone from the source (it reads every source id). */
    deletionPass: () => (firstStart - t0()) / 1000,
  };
}

interface ImportRun {
  batchSize: number;
  wallSeconds: number;
  tables: TableResult[];
  seconds: (table: string) => number;
  deletionSeconds: number;
  problems: Map<string, number>;
}

async function runImport(from: string, url: string, batchSize: number): Promise<ImportRun> {
  const database = openDatabase(url, '', { queryTimeoutSeconds: QUERY_TIMEOUT_SECONDS });
  let t0 = 0;
  const clock = timed(progressOn(process.stderr), () => t0);
  const problems = new Map<string, number>();
  try {
    t0 = performance.now();
    const result = await importPeople({
      from,
      db: database.db,
      batchSize,
      invitationValiditySeconds: VALIDITY_SECONDS,
      progress: clock.progress,
      onProblem: (p) => {
        const key = `${p.table}: ${p.problem} (${p.outcome})`;
        problems.set(key, (problems.get(key) ?? 0) + 1);
      },
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    return {
      batchSize,
      wallSeconds,
      tables: result.tables,
      seconds: clock.seconds,
      deletionSeconds: clock.deletionPass(),
      problems,
    };
  } finally {
    await database.close();
  }
}

/** Rows inserted, updated and deleted in Desk's tables so far (the server's statistics, flushed when sessions end). */
async function writesIn(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    let previous = -1;
    for (let i = 0; i < 10; i++) {
      const [row] = await sql<{ n: string }[]>`
        SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text AS n FROM pg_stat_user_tables`;
      const n = Number(row?.n ?? 0);
      if (n === previous) return n;
      previous = n;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    return previous;
  } finally {
    await sql.end();
  }
}

async function walPosition(): Promise<string> {
  const sql = postgres(SERVER, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ lsn: string }[]>`SELECT pg_current_wal_lsn()::text AS lsn`;
    return row?.lsn ?? '0/0';
  } finally {
    await sql.end();
  }
}

async function walSince(lsn: string): Promise<number> {
  const sql = postgres(SERVER, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<
      { n: string }[]
    >`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ${lsn}::pg_lsn)::text AS n`;
    return Number(row?.n ?? 0);
  } finally {
    await sql.end();
  }
}

/**
 * The baseline: each Desk table's rows COPY'd out of the imported database into a fresh migrated one, in order. Each
 * table on connections of its own: postgres.js 3.4 may leave a connection paused after a COPY stream
 * (porsager/postgres#499, #1016), and the next statement on it never answers.
 */
async function copyBaseline(fromUrl: string, toUrl: string, tables: string[]) {
  const times = new Map<string, { rows: number; seconds: number }>();
  for (const table of tables) {
    const from = postgres(fromUrl, { max: 1, onnotice: () => {} });
    const to = postgres(toUrl, { max: 1, onnotice: () => {} });
    try {
      const columns = (
        await from<{ column_name: string }[]>`
          SELECT column_name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`
      ).map((c) => `"${c.column_name}"`);
      const list = columns.join(', ');
      await to`SELECT 1`;
      const t0 = performance.now();
      const out = await from.unsafe(`COPY (SELECT ${list} FROM ${table}) TO STDOUT`).readable();
      const into = await to.unsafe(`COPY ${table} (${list}) FROM STDIN`).writable();
      await pipeline(out, into);
      const seconds = (performance.now() - t0) / 1000;
      times.set(table, { rows: 0, seconds });
    } finally {
      await from.end({ timeout: 1 });
      await to.end({ timeout: 1 });
    }
    const count = postgres(toUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] = await count.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`);
      const entry = times.get(table);
      if (entry) entry.rows = row?.n ?? 0;
    } finally {
      await count.end();
    }
  }
  return times;
}

async function versions() {
  const sql = postgres(SERVER, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ v: string }[]>`SELECT version() AS v`;
    const settings = await sql<{ name: string; setting: string; unit: string | null }[]>`
      SELECT name, setting, unit FROM pg_settings
      WHERE name IN ('shared_buffers', 'max_wal_size', 'synchronous_commit', 'work_mem', 'maintenance_work_mem')
      ORDER BY name`;
    return {
      postgres: row?.v.split(' on ')[0] ?? '?',
      settings: settings.map((s) => `${s.name}=${s.setting}${s.unit ?? ''}`).join(', '),
    };
  } finally {
    await sql.end();
  }
}

async function main(): Promise<void> {
  const sizes = peopleSizes(SCALE);
  const v = await versions();
  const cpu = cpus();
  console.log(
    `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${v.postgres} (${v.settings}); ${new Date().toISOString()}.`,
  );

  const teams = teamCount(sizes);
  console.log(
    `Workload: people v1.26 source of ${fmt(sizes.organizations)} organizations, ${fmt(sizes.users)} users, ${fmt(teams)} teams (${fmt(sizes.rootTeams)} roots × ${1 + CHILDREN}), ${fmt(teams * sizes.accessesPerTeam)} team accesses, ${fmt(sizes.invitations)} invitations, ${fmt(sizes.contacts)} contacts (scale ${SCALE}); importPeople in-process into a fresh migrated Desk database, batch size ${BATCH_SIZES.join(', ')}; baseline: COPY of the imported rows, table by table, into a second fresh migrated Desk database.`,
  );

  const t0 = performance.now();
  const source = await createPeopleSource(SERVER);
  made.push(source);
  const counts = await fillPeople(source.url, sizes);
  console.log(
    `Source ${source.name} filled in ${secs(performance.now() - t0)}: ${Object.entries(counts)
      .map(([t, n]) => `${t} ${fmt(n)}`)
      .join(', ')}.`,
  );

  // One import per batch size, each into a fresh database; the first stays for the second run and the baseline.
  const runs: ImportRun[] = [];
  let primary: OwnDatabase | undefined;
  for (const batchSize of BATCH_SIZES) {
    const { target, database } = await migratedDesk(uniqueName('import'));
    await database.close();
    await checkpoint();
    const run = await runImport(source.url, target.url, batchSize);
    runs.push(run);
    console.log(
      `Import, batch size ${fmt(batchSize)}: ${run.wallSeconds.toFixed(1)} s (deletion pass ${run.deletionSeconds.toFixed(1)} s).`,
    );
    if (primary) await release(target);
    else primary = target;
  }
  const first = runs[0];
  if (!primary || !first) throw new Error('no import ran');
  if (first.problems.size) {
    console.log('Rows reported (not taken as they were):');
    for (const [what, n] of first.problems) console.log(`  ${fmt(n)} × ${what}`);
  }

  // The same source again: nothing to create, update or delete.
  const writesBefore = await writesIn(primary.url);
  await checkpoint();
  const wal = await walPosition();
  const again = await runImport(source.url, primary.url, first.batchSize);
  const walBytes = await walSince(wal);
  const writesAfter = await writesIn(primary.url);
  const sum = (run: ImportRun, c: 'created' | 'updated' | 'deleted' | 'unchanged' | 'read') =>
    run.tables.reduce((n, t) => n + t[c], 0);

  // The baseline, in the import's order (a referenced table first).
  const { target: baseline, database: baselineDb } = await migratedDesk(uniqueName('import_copy'));
  await baselineDb.close();
  await checkpoint();
  const order = peopleTables({ invitationValiditySeconds: VALIDITY_SECONDS, now: Date.now() }).map(
    (p) => p.table,
  );
  const c0 = performance.now();
  const copies = await copyBaseline(primary.url, baseline.url, order);
  const copySeconds = (performance.now() - c0) / 1000;
  // The import also writes imported_rows (what it created, so a later run deletes only that): COPY'd apart.
  const bookkeeping = await copyBaseline(primary.url, baseline.url, ['imported_rows']);

  const heads = [
    'Desk table',
    'rows',
    'import s',
    `import rows/s (batch ${fmt(first.batchSize)})`,
    ...runs.slice(1).map((r) => `import rows/s (batch ${fmt(r.batchSize)})`),
    'COPY s',
    'COPY rows/s',
    'import/COPY',
    `≥ ${AIM_RATIO}×`,
    '2nd run s',
  ];
  console.log(`\n| ${heads.join(' | ')} |`);
  console.log(`|${heads.map(() => '---|').join('')}`);
  let met = 0;
  let measured = 0;
  for (const result of first.tables) {
    const copy = copies.get(result.table);
    const rows = copy?.rows ?? 0;
    if (!rows && !result.read) continue;
    const seconds = first.seconds(result.table);
    const rate = (run: ImportRun) => {
      const s = run.seconds(result.table);
      return s > 0 ? fmt(rows / s) : '–';
    };
    const copyRate = copy && copy.seconds > 0 ? rows / copy.seconds : 0;
    const ratio = seconds > 0 && copy ? copy.seconds / seconds : 0;
    measured += 1;
    if (ratio >= AIM_RATIO) met += 1;
    const cells = [
      result.table,
      `${fmt(rows)}${result.read !== rows ? ` (of ${fmt(result.read)} read)` : ''}`,
      seconds.toFixed(2),
      rate(first),
      ...runs.slice(1).map(rate),
      copy?.seconds.toFixed(2) ?? '–',
      fmt(copyRate),
      `${ratio.toFixed(2)}×`,
      ratio >= AIM_RATIO ? 'yes' : 'no',
      again.seconds(result.table).toFixed(2),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  const ir = bookkeeping.get('imported_rows');
  console.log(
    `\nWhole import (batch ${fmt(first.batchSize)}): ${first.wallSeconds.toFixed(1)} s, aim < ${AIM_SECONDS} s: ${first.wallSeconds < AIM_SECONDS ? 'met' : 'NOT met'}; ` +
      `the tables' COPY: ${copySeconds.toFixed(1)} s (plus imported_rows, ${fmt(ir?.rows ?? 0)} rows the import also writes: ${ir?.seconds.toFixed(1) ?? '?'} s); ` +
      `import/COPY overall ${(copySeconds / first.wallSeconds).toFixed(2)}×. Tables at ≥ ${AIM_RATIO}× of COPY: ${met} of ${measured}.`,
  );
  for (const run of runs.slice(1))
    console.log(`Import with batch size ${fmt(run.batchSize)}: ${run.wallSeconds.toFixed(1)} s.`);
  console.log(
    `Second import, unchanged source: ${again.wallSeconds.toFixed(1)} s (deletion pass ${again.deletionSeconds.toFixed(1)} s); ` +
      `read ${fmt(sum(again, 'read'))}, created ${fmt(sum(again, 'created'))}, updated ${fmt(sum(again, 'updated'))}, deleted ${fmt(sum(again, 'deleted'))}, unchanged ${fmt(sum(again, 'unchanged'))}; ` +
      `rows written per the server's statistics: ${fmt(writesAfter - writesBefore)}; WAL written on the server meanwhile: ${(walBytes / 2 ** 20).toFixed(1)} MiB.`,
  );
  await release(baseline);
}

await main().finally(dropAll);
