// One process per data folder: embedded PGlite's folder is taken by one process at a time (at once, atomically),
// taken over from a process that crashed, given back on a clean stop; a second Desk command is refused at once.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { describeSettings } from '../../src/platform/config.ts';
import { DataFolderInUse, LOCK_FILE, lockDataFolder } from '../../src/platform/data-folder-lock.ts';
import { Browser } from '../support/browser.ts';
import { freePort } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/desk.js');
const HOLDER = join(ROOT, 'test/support/lock-holder.ts');

const folders: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'desk-lock-'));
  folders.push(dir);
  return dir;
}

interface Racer {
  child: ChildProcess;
  /** The next line the process writes. */
  line(): Promise<string>;
  exited: Promise<void>;
}

function racer(dir: string): Racer {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dir], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  const said: string[] = [];
  lines.on('line', (l) => {
    const next = waiting.shift();
    if (next) next(l);
    else said.push(l);
  });
  return {
    child,
    line: () => {
      const first = said.shift();
      return first === undefined ? new Promise((done) => waiting.push(done)) : Promise.resolve(first);
    },
    exited: new Promise((done) => child.once('exit', () => done())),
  };
}

/** Starts `count` processes, and once all are ready tells them all to take the folder: their answers, in order. */
async function race(dir: string, count: number): Promise<{ racers: Racer[]; answers: string[] }> {
  const racers = Array.from({ length: count }, () => racer(dir));
  for (const r of racers) expect(await r.line()).toBe('ready');
  for (const r of racers) r.child.stdin?.write('go\n');
  const answers = await Promise.all(racers.map((r) => r.line()));
  return { racers, answers };
}

describe('the data folder lock', () => {
  it('lets exactly one of several processes told at once take a folder, and names it to the others', async () => {
    const dir = folder();
    const { racers, answers } = await race(dir, 6);
    expect(answers.filter((a) => a === 'held')).toHaveLength(1);
    const holder = racers[answers.indexOf('held')];
    for (const answer of answers.filter((a) => a !== 'held'))
      expect(answer).toMatch(
        new RegExp(
          `^refused The data folder .* is in use by Desk process ${holder?.child.pid} \\(lock-holder, since `,
        ),
      );
    for (const r of racers) r.child.stdin?.end();
    await Promise.all(racers.map((r) => r.exited));
  }, 60_000);

  it('is taken over from a process that was killed, by exactly one of several at once', async () => {
    const dir = folder();
    const first = racer(dir);
    expect(await first.line()).toBe('ready');
    first.child.stdin?.write('go\n');
    expect(await first.line()).toBe('held');
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const { racers, answers } = await race(dir, 6);
    expect(answers.filter((a) => a === 'held')).toHaveLength(1);
    for (const r of racers) r.child.stdin?.end();
    await Promise.all(racers.map((r) => r.exited));
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('is given back when its process stops, for the next one to take', async () => {
    const dir = folder();
    const first = racer(dir);
    expect(await first.line()).toBe('ready');
    first.child.stdin?.write('go\n');
    expect(await first.line()).toBe('held');
    first.child.stdin?.end();
    await first.exited;
    expect(readdirSync(dir)).toEqual([]);
    const lock = lockDataFolder(dir);
    lock.release();
  });

  it('refuses a second opening of the folder in the same process until the first gives it back', () => {
    const dir = folder();
    const lock = lockDataFolder(dir);
    expect(() => lockDataFolder(dir)).toThrow(
      new DataFolderInUse(`The data folder ${dir} is already open in this process.`),
    );
    lock.release();
    lockDataFolder(dir).release();
  });

  it('refuses a folder held on another host, naming the file to delete if no Desk runs there', () => {
    const dir = folder();
    const record = {
      pid: 4242,
      host: 'elsewhere.example',
      command: 'desk start',
      since: '2026-01-02T03:04:05Z',
      nonce: 'n',
    };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(record));
    expect(() => lockDataFolder(dir)).toThrow(
      `The data folder ${dir} is in use by Desk process 4242 on host elsewhere.example (desk start, since 2026-01-02T03:04:05Z): stop it first, then run this command again. If no Desk runs there any more, delete ${join(dir, LOCK_FILE)}.`,
    );
  });
});

/** `desk <args>` as a newcomer runs it: none of the test runner's Desk settings, embedded PGlite in `dir`. */
function deskEnv(dir: string, settings: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const { name } of describeSettings()) delete env[name];
  return { ...env, DESK_DATA_DIR: dir, LOG_LEVEL: 'warn', ...settings };
}

function desk(dir: string, ...args: string[]) {
  // A command that was not refused would run on: the timeout ends a `start` that was not.
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: deskEnv(dir),
    encoding: 'utf8',
    input: '',
    timeout: 60_000,
  });
}

async function startDesk(dir: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [BIN, 'start'], {
    cwd: ROOT,
    env: deskEnv(dir, { PORT: String(port), PUBLIC_URL: url }),
    stdio: 'ignore',
  });
  children.push(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`desk start exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/__lbheartbeat__`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function login(url: string, email: string, password: string): Promise<number> {
  const browser = new Browser(url);
  await browser.primeCsrf();
  return (await browser.post('/api/v1.0/login/', { email, password })).status;
}

describe('a second Desk command on a running embedded Desk', () => {
  it('is refused at once, writing nothing; run after Desk stops, it makes an account that logs in', async () => {
    const dir = folder();
    const email = uniqueEmail('admin');
    const password = 'a long staff passphrase';
    let running = await startDesk(dir);
    const refused = new RegExp(
      `^The data folder ${dir} is in use by Desk process ${running.child.pid} \\(desk start, since [0-9TZ:-]+\\): stop it first \\(Ctrl\\+C where it runs\\), then run this command again\\. Two processes on one embedded database would lose each other's writes\\.\\n$`,
    );
    for (const args of [
      ['createsuperuser', '--email', email, '--password', password],
      ['migrate'],
      ['start'],
    ]) {
      const beside = desk(dir, ...args);
      expect({ args, status: beside.status, stdout: beside.stdout }).toEqual({ args, status: 1, stdout: '' });
      expect(beside.stderr).toMatch(refused);
    }
    expect(await login(running.url, email, password)).toBe(400);
    await running.stop();

    running = await startDesk(dir);
    // Nothing of the refused command was written: the account is not there after a restart either.
    expect(await login(running.url, email, password)).toBe(400);
    await running.stop();

    const made = desk(dir, 'createsuperuser', '--email', email, '--password', password);
    expect(made.stderr).toBe('');
    expect(made.stdout).toMatch(/^Created superuser /);
    running = await startDesk(dir);
    expect(await login(running.url, email, password)).toBe(200);
    await running.stop();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 240_000);
});
