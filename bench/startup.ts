// Benchmark: how long `desk start` takes before it answers, and how much memory it holds idle, run as a newcomer
// runs it (a child process with nothing set but PORT and DESK_DATA_DIR): on a fresh data folder, on that folder
// again, and on PostgreSQL and Redis; as `npm start` runs it (`node bin/desk.js start`) and from the built output
// (`node dist/cli.js start`). A bare Fastify server started the same way gives the machine's floor.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { Browser } from '../test/support/browser.ts';
import { freePort } from '../test/support/desk.ts';

/** The checkout measured: this one by default; another (an older commit unpacked elsewhere) for a before/after. */
const ROOT = resolve(process.env.BENCH_DESK_ROOT ?? join(import.meta.dirname, '..'));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 5_000);
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB_NAME = 'desk_bench_startup';
const AIMS = { freshMs: 2_000, existingMs: 2_000, embeddedMb: 250, postgresMb: 150 };

interface Start {
  /** Milliseconds from spawn until each answered 200. */
  heartbeat: number;
  config: number;
  home: number;
  /** VmRSS in MB: after a warm-up (GET /, config/) and IDLE_MS idle; after a login through the dev provider. */
  rssIdle: number;
  rssLogin: number | undefined;
  /** VmHWM in MB: the peak resident size of the whole run. */
  peak: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Polls until the URL answers 200; returns the milliseconds since `t0`. */
async function answered(url: string, t0: number, child: ChildProcess, output: () => string): Promise<number> {
  const deadline = t0 + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`desk exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(url, { redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${url} did not answer in time:\n${output()}`);
    await sleep(5);
  }
}

/** A demo agent's login through the development provider, as the browser does it (redirects, one click). */
async function devProviderLogin(base: string): Promise<boolean> {
  const browser = new Browser(base);
  let res = await browser.get('/api/v1.0/authenticate/');
  for (let hops = 0; hops < 10 && res.location; hops++)
    res = await browser.get(new URL(res.location, base).href);
  const action = /<form[^>]*action="([^"]+)"/.exec(res.text)?.[1];
  const token = /name="token" value="([^"]*)"/.exec(res.text)?.[1];
  const sub = /name="sub" value="([^"]+)"/.exec(res.text)?.[1];
  if (!action || !token || !sub) return false;
  res = await browser.request('POST', new URL(action.replaceAll('&amp;', '&'), base).href, {
    body: new URLSearchParams({ token, sub }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    csrf: false,
  });
  for (let hops = 0; hops < 10 && res.location && new URL(res.location, base).pathname !== '/'; hops++)
    res = await browser.get(new URL(res.location, base).href);
  return (await browser.get('/api/v1.0/users/me/')).status === 200;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** One start of `args` (relative to `cwd`), timed from spawn; then memory idle, and after a login when `login`. */
async function startOnce(
  cwd: string,
  args: string[],
  settings: Record<string, string>,
  login: boolean,
): Promise<Start> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PORT: String(port), ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (c: Buffer) => {
    output = (output + c.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  try {
    const heartbeat = await answered(`${base}/__lbheartbeat__`, t0, child, () => output);
    const config = await answered(`${base}/api/v1.0/config/`, t0, child, () => output);
    const home = await answered(`${base}/`, t0, child, () => output);
    for (let i = 0; i < 3; i++) {
      await (await fetch(`${base}/`)).arrayBuffer();
      await (await fetch(`${base}/api/v1.0/config/`)).arrayBuffer();
    }
    await sleep(IDLE_MS);
    const pid = child.pid ?? 0;
    const rssIdle = memoryMb(pid, 'VmRSS');
    let rssLogin: number | undefined;
    if (login) {
      if (!(await devProviderLogin(base)))
        throw new Error(`login through the dev provider failed:\n${output}`);
      await sleep(IDLE_MS);
      rssLogin = memoryMb(pid, 'VmRSS');
    }
    return { heartbeat, config, home, rssIdle, rssLogin, peak: memoryMb(pid, 'VmHWM') };
  } finally {
    await stop(child);
  }
}

interface Row {
  label: string;
  starts: Start[];
}

function summary(row: Row): Record<keyof Start, number | undefined> {
  const of = (k: keyof Start) => {
    const values = row.starts.map((s) => s[k]).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : undefined;
  };
  return {
    heartbeat: of('heartbeat'),
    config: of('config'),
    home: of('home'),
    rssIdle: of('rssIdle'),
    rssLogin: of('rssLogin'),
    peak: of('peak'),
  };
}

/**
 * The checkout seen from a folder of its own: sources and migrations copied (others may edit the checkout meanwhile:
 * every start runs the same code), bin/ copied (it finds the checkout from where it is), node_modules' packages linked
 * with a .cache of its own, the rest linked. A start there can be a newcomer's first one, with no compiled sources
 * yet, without touching the caches of the checkout others run Desk from.
 */
function checkoutView(dir: string): string {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  for (const name of readdirSync(ROOT)) {
    if (['src', 'drizzle', 'bin'].includes(name))
      cpSync(join(ROOT, name), join(dir, name), { recursive: true });
    else if (!['node_modules', '.git'].includes(name)) symlinkSync(join(ROOT, name), join(dir, name));
  }
  for (const name of readdirSync(join(ROOT, 'node_modules')))
    if (name !== '.cache') symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  return dir;
}

/** The built output in a folder of its own (dist/ of the checkout is left alone), next to links to what it reads. */
function buildDist(view: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'desk-bench-dist-'));
  const tsc = join(ROOT, 'node_modules/.bin/tsc');
  const built = spawnSync(tsc, ['-p', join(view, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], {
    encoding: 'utf8',
  });
  if (built.status !== 0) {
    console.log(`Build failed, built rows skipped:\n${built.stdout}${built.stderr}`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  for (const linked of ['node_modules', 'drizzle', 'web', 'pglite-template'])
    symlinkSync(join(view, linked), join(dir, linked));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  return dir;
}

async function postgresAdmin(): Promise<postgres.Sql | undefined> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 3 });
  try {
    await admin`select 1`;
    return admin;
  } catch (err) {
    console.log(`PostgreSQL at ${ADMIN_URL} unreachable (${String(err)}): PostgreSQL rows skipped.`);
    await admin.end({ timeout: 1 });
    return undefined;
  }
}

async function recreateDatabase(admin: postgres.Sql): Promise<void> {
  await admin.unsafe(`drop database if exists ${DB_NAME} with (force)`);
  await admin.unsafe(`create database ${DB_NAME}`);
}

const FLOOR_SCRIPT = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/__lbheartbeat__', async () => ({}));
app.get('/api/v1.0/config/', async () => ({}));
app.get('/', async () => 'floor');
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'desk-bench-startup-'));
  const view = checkoutView(join(scratch, 'checkout'));
  const dist = process.env.BENCH_SKIP_BUILT ? undefined : buildDist(view);
  const admin = await postgresAdmin();
  const postgresUrl = new URL(ADMIN_URL);
  postgresUrl.pathname = `/${DB_NAME}`;
  const pgSettings = { DATABASE_URL: postgresUrl.href, REDIS_URL };

  console.log(
    `Workload: ${RUNS} starts per row (median), each a child process \`node <entry> start\` with only`,
  );
  console.log(
    'PORT and DESK_DATA_DIR set (plus DATABASE_URL and REDIS_URL on PostgreSQL). Times from spawn until',
  );
  console.log(
    'GET /__lbheartbeat__, then /api/v1.0/config/, then / answered 200. Memory: VmRSS from /proc after',
  );
  console.log(
    `GET / and config/ 4 times each and ${IDLE_MS / 1000} s idle; again after a demo agent's login through`,
  );
  console.log(
    'the development provider (embedded) and 5 s idle; peak = VmHWM over the whole run. "npm start"',
  );
  console.log(
    'runs bin/desk.js as `npm start` does; on a fresh data folder also with no cache from an earlier start',
  );
  console.log(
    '(compiled sources, or tsx transforms: TMPDIR set to a new folder); "built" runs dist/cli.js (tsc). A fresh',
  );
  console.log(
    'folder starts from the PGlite template `npm ci` made (pglite-template/, as on a fresh clone), if present.',
  );
  console.log(
    `Checkout: ${ROOT}; Node ${process.version}; floor = a bare Fastify server started the same way.\n`,
  );

  const rows: Row[] = [];
  const measure = async (label: string, make: (run: number) => Promise<Start>) => {
    const row: Row = { label, starts: [] };
    for (let run = 0; run < RUNS; run++) row.starts.push(await make(run));
    rows.push(row);
    process.stdout.write(`  measured: ${label}\n`);
  };

  try {
    writeFileSync(join(view, 'floor.mjs'), FLOOR_SCRIPT);
    await measure('floor: bare Fastify', (run) =>
      startOnce(view, ['floor.mjs'], { DESK_DATA_DIR: join(scratch, `floor-${run}`) }, false),
    );
    const entries: [string, string, string[]][] = [['npm start', view, ['bin/desk.js', 'start']]];
    if (dist) entries.push(['built', dist, ['dist/cli.js', 'start']]);
    for (const [name, cwd, args] of entries) {
      const folders: string[] = [];
      await measure(`${name}: embedded, fresh data folder`, async (run) => {
        const dir = join(scratch, `${name}-data-${run}`);
        folders.push(dir);
        // A newcomer's first start: no compiled sources (bin/desk.js) nor transforms (tsx) kept from an earlier one.
        rmSync(join(view, 'node_modules/.cache'), { recursive: true, force: true });
        const temporary = mkdtempSync(join(scratch, 'tmp-'));
        return startOnce(cwd, args, { DESK_DATA_DIR: dir, TMPDIR: temporary }, true);
      });
      await measure(`${name}: embedded, existing data folder`, (run) =>
        startOnce(cwd, args, { DESK_DATA_DIR: folders[run] ?? '' }, true),
      );
      if (admin) {
        await measure(`${name}: PostgreSQL, new database`, async (run) => {
          await recreateDatabase(admin);
          return startOnce(
            cwd,
            args,
            { DESK_DATA_DIR: join(scratch, `${name}-pg-${run}`), ...pgSettings },
            false,
          );
        });
        await measure(`${name}: PostgreSQL, existing database`, (run) =>
          startOnce(cwd, args, { DESK_DATA_DIR: join(scratch, `${name}-pg-${run}`), ...pgSettings }, false),
        );
      }
    }
  } finally {
    if (admin) {
      await admin.unsafe(`drop database if exists ${DB_NAME} with (force)`).catch(() => {});
      await admin.end({ timeout: 5 });
    }
    rmSync(scratch, { recursive: true, force: true });
    if (dist) rmSync(dist, { recursive: true, force: true });
  }

  const floor = summary(rows[0] as Row).heartbeat ?? Number.NaN;
  const ms = (v: number | undefined) => (v === undefined ? '—' : `${Math.round(v)}`);
  const mb = (v: number | undefined) => (v === undefined ? '—' : `${Math.round(v)}`);
  console.log(
    `\n${'start'.padEnd(40)} ${'lbheartbeat'.padStart(11)} ${'config/'.padStart(8)} ${'/'.padStart(7)} ${'×floor'.padStart(7)} ${'RSS idle'.padStart(9)} ${'RSS login'.padStart(9)} ${'peak'.padStart(6)}`,
  );
  console.log(
    `${''.padEnd(40)} ${'ms'.padStart(11)} ${'ms'.padStart(8)} ${'ms'.padStart(7)} ${''.padStart(7)} ${'MB'.padStart(9)} ${'MB'.padStart(9)} ${'MB'.padStart(6)}`,
  );
  for (const row of rows) {
    const s = summary(row);
    console.log(
      `${row.label.padEnd(40)} ${ms(s.heartbeat).padStart(11)} ${ms(s.config).padStart(8)} ${ms(s.home).padStart(7)} ${((s.heartbeat ?? 0) / floor).toFixed(1).padStart(7)} ${mb(s.rssIdle).padStart(9)} ${mb(s.rssLogin).padStart(9)} ${mb(s.peak).padStart(6)}`,
    );
  }

  const find = (label: string) => {
    const row = rows.find((r) => r.label === label);
    return row ? summary(row) : undefined;
  };
  const verdict = (what: string, value: number | undefined, limit: number, unit: string) =>
    console.log(
      `  ${what.padEnd(58)} ${value === undefined ? 'not measured' : `${Math.round(value)} ${unit} ${value < limit ? '< ' : '≥ '}${limit} ${unit}: ${value < limit ? 'met' : 'NOT met'}`}`,
    );
  console.log('\nAims (/ answered = ready):');
  verdict(
    'ready on a fresh data folder',
    find('npm start: embedded, fresh data folder')?.home,
    AIMS.freshMs,
    'ms',
  );
  verdict(
    'ready on an existing data folder',
    find('npm start: embedded, existing data folder')?.home,
    AIMS.existingMs,
    'ms',
  );
  verdict(
    'idle RSS, embedded (existing folder)',
    find('npm start: embedded, existing data folder')?.rssIdle,
    AIMS.embeddedMb,
    'MB',
  );
  verdict(
    'idle RSS, embedded, after a login',
    find('npm start: embedded, existing data folder')?.rssLogin,
    AIMS.embeddedMb,
    'MB',
  );
  verdict(
    'idle RSS, PostgreSQL',
    find('npm start: PostgreSQL, existing database')?.rssIdle,
    AIMS.postgresMb,
    'MB',
  );
  if (dist) {
    verdict(
      'built: ready on a fresh data folder',
      find('built: embedded, fresh data folder')?.home,
      AIMS.freshMs,
      'ms',
    );
    verdict(
      'built: ready on an existing data folder',
      find('built: embedded, existing data folder')?.home,
      AIMS.existingMs,
      'ms',
    );
    verdict(
      'built: idle RSS, embedded',
      find('built: embedded, existing data folder')?.rssIdle,
      AIMS.embeddedMb,
      'MB',
    );
    verdict(
      'built: idle RSS, PostgreSQL',
      find('built: PostgreSQL, existing database')?.rssIdle,
      AIMS.postgresMb,
      'MB',
    );
  }
}

await main();
