// `desk start` as a newcomer runs it (nothing set but PORT and DESK_DATA_DIR): MJML and oidc-provider stay unloaded
// until a mail is rendered and /dev-idp is asked for, and the generated SECRET_KEY is the same at the next start.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/desk.ts';

const BIN = resolve(import.meta.dirname, '../../bin/desk.js');
const scratch = mkdtempSync(join(tmpdir(), 'desk-startup-'));
const dataDir = join(scratch, 'data');
const moduleLog = join(scratch, 'modules.log');

// A loader hook, registered before Desk's own (tsx), that writes down every module URL resolved and loaded: ESM has
// no require.cache to look into.
writeFileSync(
  join(scratch, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
const log = ${JSON.stringify(moduleLog)};
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + '\\n');
  return result;
}
export async function load(url, context, next) {
  appendFileSync(log, url + '\\n');
  return next(url, context);
}
`,
);
writeFileSync(
  join(scratch, 'register.mjs'),
  `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(scratch, 'hooks.mjs')).href)});
`,
);

interface Started {
  url: string;
  child: ChildProcess;
  output: () => string;
}

const running: ChildProcess[] = [];

async function startDesk(nodeArgs: string[] = []): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'start'], {
    env: { PORT: String(port), DESK_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`desk exited with ${child.exitCode}: ${output}`);
    try {
      if ((await fetch(`${url}/__lbheartbeat__`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`desk did not start in time: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, child, output: () => output };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

afterAll(async () => {
  await Promise.all(running.map(stop));
  rmSync(scratch, { recursive: true, force: true });
});

const loaded = (pkg: string) =>
  readFileSync(moduleLog, 'utf8')
    .split('\n')
    .some((url) => url.includes(`/node_modules/${pkg}/`));

const secretKeyWarning = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.includes('SECRET_KEY is not set'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);

describe('npm start on a fresh data folder', () => {
  let first: Started;
  let firstKey = '';

  it('answers without having loaded MJML or the development provider', { timeout: 120_000 }, async () => {
    first = await startDesk(['--import', pathToFileURL(join(scratch, 'register.mjs')).href]);
    expect((await fetch(`${first.url}/`)).status).toBe(200);
    expect((await fetch(`${first.url}/api/v1.0/config/`)).status).toBe(200);
    // The log sees Desk's own dependencies (not a vacuous list).
    expect(loaded('fastify')).toBe(true);
    expect(loaded('@electric-sql/pglite')).toBe(true);
    expect(loaded('oidc-provider')).toBe(false);
    expect(loaded('mjml')).toBe(false);
  });

  it('loads the development provider on the first request to /dev-idp', { timeout: 60_000 }, async () => {
    const discovery = await fetch(`${first.url}/dev-idp/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(`${first.url}/dev-idp`);
    expect(loaded('oidc-provider')).toBe(true);
    expect(loaded('mjml')).toBe(false);
  });

  it('loads MJML for the first mail rendered', { timeout: 60_000 }, async () => {
    const preview = await fetch(`${first.url}/__debug__/mail/team_invitation_html`);
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain('<!doctype html>');
    expect(loaded('mjml')).toBe(true);
  });

  it('keeps the SECRET_KEY it generated in the data folder, for its owner only', async () => {
    const file = join(dataDir, 'secret_key');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    firstKey = readFileSync(file, 'utf8');
    expect(secretKeyWarning(first.output())).toEqual([expect.stringContaining(`kept in ${file}`)]);
    await stop(first.child);
  });

  it('starts again on that folder with the same key', { timeout: 120_000 }, async () => {
    const again = await startDesk();
    expect((await fetch(`${again.url}/api/v1.0/config/`)).status).toBe(200);
    expect(readFileSync(join(dataDir, 'secret_key'), 'utf8')).toBe(firstKey);
    expect(secretKeyWarning(again.output())).toEqual([
      expect.stringContaining(`kept in ${join(dataDir, 'secret_key')}`),
    ]);
    await stop(again.child);
  });
});
