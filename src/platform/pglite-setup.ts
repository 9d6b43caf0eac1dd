// Embedded PGlite's server settings, and the first initialization of its data folder (initdb) in a child process.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';

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
 * Makes a fresh data folder ready for PGlite: initdb, PGlite's slowest step (seconds) and its largest memory peak
 * (a second PGlite instance and a copy of its heap: about 500 MB, most of which a process keeps, even a worker
 * thread's once ended). In a child process it runs while Desk's modules load, and all its memory goes back to the
 * system when it exits. Nothing to do on a folder already made, or with DATABASE_URL set; a child that fails leaves
 * the work to PGlite in this process.
 */
export async function initializeDataFolder(url: string | undefined, dataDir: string): Promise<void> {
  if (url) return;
  const path = pgliteDataPath(dataDir);
  if (existsSync(join(path, 'PG_VERSION'))) return;
  mkdirSync(dataDir, { recursive: true });
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
