// One process per data folder: embedded PGlite's files are opened by one Desk process at a time, the others refused.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * Why this way. PostgreSQL guards its data directory with postmaster.pid: created with O_EXCL and holding the
 * postmaster's pid; a postmaster finding one checks whether that pid lives (kill 0) and, if not, unlinks the file and
 * tries again. Two starters that both find a dead one may both unlink and create (the second removing the first's
 * fresh file); PostgreSQL closes that window with a second interlock, its shared memory segment. PGlite has neither:
 * its Postgres runs in WebAssembly as a single user with no shared memory and no postmaster.pid, so two processes
 * open one folder and each writes over the other's pages (a `createsuperuser` beside a running Desk: "Created", then
 * lost). Node offers no flock(), so Desk does what PostgreSQL does, without the window:
 * - Taking: the holder's record (pid, host, Linux start time, command, since) is written whole to a file of its own,
 *   then hard-linked to the lock's name. link() fails when the name exists, atomically: one process wins however
 *   many try at once, and nobody ever reads a half-written record (an O_EXCL file exists before its content does).
 * - Liveness: the holder lives if kill(pid, 0) finds its pid and, on Linux, the process there started when the
 *   record says (/proc/<pid>/stat): a pid reused after a crash (in a container Desk restarts as the same pid) is not
 *   taken for the holder. Our own pid holds only the locks this process took. A record from another host (a folder
 *   shared over the network or between containers) cannot be checked: it counts as alive, and the refusal names the
 *   file to delete if no Desk runs there any more.
 * - Taking over a dead holder's lock: under a second lock (`desk.lock.break`, taken the same way), read the record
 *   again and remove it only if it is still the dead one, then take the lock as above. Without it two takers that both
 *   found the dead record could each remove the lock the other had just taken. A taker dying in that instant leaves a
 *   dead `.break` record, taken over the same way one level down.
 * - Giving back: on close, and at exit (process.exit, an uncaught error) when still held; only the holder's own
 *   record is removed. A crash (SIGKILL, out of memory) leaves the record of a dead process: the next start takes over.
 */

export const LOCK_FILE = 'desk.lock';

/** Refused: another process holds the data folder. The message says who and what to do, in one line. */
export class DataFolderInUse extends Error {}

export interface DataFolderLock {
  readonly path: string;
  /** Gives the folder back (idempotent). */
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  /** Linux: the process's start time in clock ticks since boot (/proc/<pid>/stat, field 22). */
  started?: number;
  command?: string;
  since: string;
  /** Makes every record unique, so a record read twice is known to be the same one. */
  nonce: string;
}

/** The records of the locks this process holds, by path. */
const heldHere = new Map<string, string>();

function startTime(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (in parentheses, which may hold anything), fields start at the 3rd.
    const started = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(started) ? started : undefined;
  } catch {
    return undefined;
  }
}

function errorCode(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

function parse(text: string): Holder | undefined {
  try {
    const record = JSON.parse(text) as Partial<Holder>;
    return Number.isInteger(record.pid) && typeof record.host === 'string' ? (record as Holder) : undefined;
  } catch {
    return undefined;
  }
}

/** The record at `path`, or undefined when there is none. */
function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

type Liveness = 'alive' | 'dead' | 'elsewhere';

function liveness(holder: Holder, path: string, text: string): Liveness {
  if (holder.host !== hostname()) return 'elsewhere';
  if (holder.pid === process.pid) return heldHere.get(path) === text ? 'alive' : 'dead';
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: a process of another user has the pid, alive.
    if (errorCode(err) === 'ESRCH') return 'dead';
  }
  const started = holder.started === undefined ? undefined : startTime(holder.pid);
  return started !== undefined && started !== holder.started ? 'dead' : 'alive';
}

/** Creates `path` holding `record`, atomically; false when it exists. */
function create(path: string, record: string): boolean {
  const own = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(own, record, { flag: 'wx', mode: 0o644 });
  try {
    linkSync(own, path);
    return true;
  } catch (err) {
    const code = errorCode(err);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    // A filesystem without hard links: created exclusively, written just after (a reader in between sees an empty
    // record, which counts as held; nobody takes it over).
    try {
      writeFileSync(path, record, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (again) {
      if (errorCode(again) === 'EEXIST') return false;
      throw again;
    }
  } finally {
    rmSync(own, { force: true });
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

interface Refusal {
  /** The file holding the record that refused. */
  path: string;
  holder: Holder | undefined;
  liveness: Liveness | 'unreadable';
}

/** Takes the lock at `path` (undefined), or says who holds it. */
function take(path: string, record: string, depth = 0): Refusal | undefined {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (create(path, record)) return undefined;
    const text = read(path);
    if (text === undefined) continue; // given back meanwhile
    const holder = parse(text);
    const state = holder ? liveness(holder, path, text) : 'unreadable';
    if (state !== 'dead' || depth >= 2) return { path, holder, liveness: state };
    const guard = `${path}.break`;
    const breaking = take(guard, record, depth + 1);
    if (breaking) {
      if (breaking.liveness !== 'alive') return breaking;
      pause(10); // another process is taking it over this instant
      continue;
    }
    try {
      if (read(path) === text) unlinkSync(path);
    } finally {
      unlinkSync(guard);
    }
  }
  throw new Error(`${path}: the lock kept changing hands; try again`);
}

function refusalMessage(folder: string, { path, holder, liveness }: Refusal): string {
  const what = holder
    ? `Desk process ${holder.pid}${liveness === 'elsewhere' ? ` on host ${holder.host}` : ''} (${holder.command ? `${holder.command}, ` : ''}since ${holder.since})`
    : undefined;
  if (liveness === 'alive' && holder?.pid === process.pid)
    return `The data folder ${folder} is already open in this process.`;
  if (liveness === 'alive')
    return `The data folder ${folder} is in use by ${what}: stop it first (Ctrl+C where it runs), then run this command again. Two processes on one embedded database would lose each other's writes.`;
  if (liveness === 'elsewhere')
    return `The data folder ${folder} is in use by ${what}: stop it first, then run this command again. If no Desk runs there any more, delete ${path}.`;
  return `The data folder ${folder} is locked by ${path}, which ${holder ? `names a process that ended (${what})` : 'cannot be read'}: if no Desk uses this folder, delete that file.`;
}

/**
 * Takes the data folder for this process until release() or exit; throws DataFolderInUse at once (nothing written)
 * when another live process holds it. `command` names this process in the record, for the other's message.
 */
export function lockDataFolder(dataDir: string, command?: string): DataFolderLock {
  const folder = resolve(dataDir);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, LOCK_FILE);
  const holder: Holder = {
    pid: process.pid,
    host: hostname(),
    ...(startTime('self') !== undefined ? { started: startTime('self') } : {}),
    ...(command ? { command } : {}),
    since: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nonce: randomBytes(8).toString('hex'),
  };
  const record = `${JSON.stringify(holder)}\n`;
  if (heldHere.has(path))
    throw new DataFolderInUse(refusalMessage(folder, { path, holder, liveness: 'alive' }));
  const refusal = take(path, record);
  if (refusal) throw new DataFolderInUse(refusalMessage(folder, refusal));
  heldHere.set(path, record);
  const release = () => {
    if (heldHere.get(path) !== record) return;
    heldHere.delete(path);
    process.off('exit', release);
    try {
      if (read(path) === record) unlinkSync(path);
    } catch {
      // removed by hand: nothing to give back
    }
  };
  process.on('exit', release);
  return { path, release };
}
