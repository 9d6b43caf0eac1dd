// Embedded PGlite's server settings, and the first initialization of its data folder: a copy of the template made
// when Desk is installed, else initdb in a child process.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cp, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/**
 * Where `npm ci` (prepare) and `npm run build` leave a PGlite data folder initialised and migrated
 * (scripts/pglite-template.ts), in a folder named by templateKey(): a fresh data folder starts as a copy of it
 * (40 MB, copied while Desk's modules load) instead of running initdb and every migration (seconds).
 */
export const TEMPLATE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../pglite-template');

/** Changed whenever the way templates are made changes (what openDatabase loads into PGlite: its extensions). */
const TEMPLATE_RECIPE = 'pglite-template-1 pg_trgm unaccent citext btree_gin';

/**
 * Postgres settings for embedded PGlite, given to initdb (so postgresql.conf says them) and to every start (so folders
 * made before say them too). initdb's 128 MB of shared buffers suits a server shared by many clients; in PGlite's
 * WebAssembly heap they are touched at start and never given back: a bare PGlite holds 340 MB resident with them,
 * 185 MB with 16 MB, and answers no slower with 20,000 users (trigram searches, key lookups, updates), its files
 * staying in the OS cache (or in memory for pglite://memory).
 */
export const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

/**
 * V8 compiles PGlite's 9 MB of WebAssembly with its baseline compiler (Liftoff), then again with its optimizing one
 * (TurboFan) for the functions it finds hot, in background threads whose compilation memory the process keeps: about
 * 90 MB resident once Desk has started. Keeping to the baseline code, compiled function by function when first
 * called (most of Postgres never is), PGlite opens faster and initdb takes half the time (3.2-3.9 s instead of
 * 6.3-6.9 s); key lookups and updates are as fast, CPU-bound queries slower (300 trigram searches over 3,000 users:
 * 8.6 s instead of 7.3 s). The `desk` command makes that trade when it embeds PGlite, a development database;
 * tests and benchmarks importing Desk keep V8's default.
 */
const BASELINE_WASM = ['--liftoff-only', '--wasm-lazy-compilation'];

/** For this process: call before PGlite compiles (setting V8 flags later has no effect on it). */
export function compileEmbeddedDatabaseBaselineOnly(): void {
  setFlagsFromString(BASELINE_WASM.join(' '));
}

/** Where embedded PGlite keeps its files inside DESK_DATA_DIR. */
export function pgliteDataPath(dataDir: string): string {
  return join(resolve(dataDir), 'pgdata');
}

/**
 * Names what a template holds: the PGlite release (its Postgres, its file format), the settings initdb wrote and
 * every migration, byte for byte. A template made for anything else has another name and is never used.
 */
export function templateKey(migrationsDir = MIGRATIONS_DIR): string {
  const pglite = new URL('../package.json', import.meta.resolve('@electric-sql/pglite'));
  const { version } = JSON.parse(readFileSync(pglite, 'utf8')) as { version: string };
  const journal = readFileSync(join(migrationsDir, 'meta/_journal.json'));
  const hash = createHash('sha256')
    .update(`${TEMPLATE_RECIPE}\0${version}\0${JSON.stringify(PGLITE_SETTINGS)}\0`)
    .update(journal);
  for (const { tag } of (JSON.parse(journal.toString('utf8')) as { entries: { tag: string }[] }).entries)
    hash.update(`\0${tag}\0`).update(readFileSync(join(migrationsDir, `${tag}.sql`)));
  return hash.digest('hex').slice(0, 32);
}

/** Makes `path` a copy of the template for this release, if there is one; false otherwise (or if copying failed). */
async function copyTemplate(path: string, templates: string): Promise<boolean> {
  let template: string;
  try {
    template = join(templates, templateKey());
  } catch {
    return false;
  }
  if (!existsSync(join(template, 'PG_VERSION'))) return false;
  // Copied aside, then renamed: a copy cut short (a crash, a full disk) is never taken for a data folder.
  const copying = `${path}.copying`;
  try {
    await rm(copying, { recursive: true, force: true });
    await cp(template, copying, { recursive: true });
    await rename(copying, path);
    return true;
  } catch {
    await rm(copying, { recursive: true, force: true });
    return false;
  }
}

// A script, not a module file: it runs the same from the sources and from dist/, and it knows nothing of Desk.
const INITDB_SCRIPT = `
const [pglite, path, settings] = process.argv.slice(1);
import(pglite).then(async ({ PGlite }) => {
  const db = new PGlite(path, { initDbStartParams: JSON.parse(settings) });
  await db.waitReady;
  await db.close();
});
`;

/**
 * Makes a fresh data folder ready for PGlite, while Desk's modules load: a copy of the template made at install,
 * already migrated. Without one for this release (`npm ci --ignore-scripts`, a migration added since), initdb:
 * PGlite's slowest step (seconds) and its largest memory peak (a second PGlite instance and a copy of its heap: about
 * 500 MB, most of which a process keeps, even a worker thread's once ended), so in a child process, whose memory all
 * goes back to the system when it exits. Nothing to do on a folder already made, or with DATABASE_URL set; a child
 * that fails leaves the work to PGlite in this process. Call with the data folder locked (data-folder-lock.ts).
 */
export async function initializeDataFolder(
  url: string | undefined,
  dataDir: string,
  templates = TEMPLATE_ROOT,
): Promise<void> {
  if (url) return;
  const path = pgliteDataPath(dataDir);
  if (existsSync(join(path, 'PG_VERSION'))) return;
  mkdirSync(dataDir, { recursive: true });
  if (await copyTemplate(path, templates)) return;
  const child = spawn(
    process.execPath,
    [
      ...BASELINE_WASM,
      '-e',
      INITDB_SCRIPT,
      import.meta.resolve('@electric-sql/pglite'),
      path,
      JSON.stringify(PGLITE_SETTINGS),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await new Promise<void>((done) => {
    child.once('error', () => done());
    child.once('exit', () => done());
  });
}
