// Desk as separate operating-system processes (`desk start`), as pods would run it.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { BASE_SETTINGS, freePort } from './desk.ts';

export interface DeskProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

const BIN = resolve(import.meta.dirname, '../../bin/desk.js');
/** The built server (`npm run build`), as the container image runs it: plain Node, no TypeScript loader. */
export const BUILT_CLI = resolve(import.meta.dirname, '../../dist/cli.js');

export async function startDeskProcess(
  settings: Record<string, string>,
  options: { built?: boolean } = {},
): Promise<DeskProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [options.built ? BUILT_CLI : BIN, 'start'], {
    env: {
      ...process.env,
      ...BASE_SETTINGS,
      LOG_LEVEL: 'warn',
      PUBLIC_URL: url,
      ...settings,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`desk exited with ${child.exitCode}: ${output}`);
    try {
      if ((await fetch(`${url}/__lbheartbeat__`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`desk did not start in time: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
