// Shared by the benchmarks: one autocannon measurement on loopback, with a warm-up, reduced to the numbers we print,
// run in this process (`measure`) or in a process of its own (`measureApart`, so the load does not share a CPU queue).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface Measure {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

export async function measure(
  name: string,
  url: string,
  options: {
    headers?: Record<string, string>;
    seconds?: number;
    warmupSeconds?: number;
    connections?: number;
  } = {},
): Promise<Measure> {
  const run = (duration: number) =>
    autocannon({ url, duration, connections: options.connections ?? 20, headers: options.headers ?? {} });
  await run(options.warmupSeconds ?? 2);
  const result = await run(options.seconds ?? 10);
  const errors = result.errors + result.timeouts + (result.non2xx ?? 0);
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
  };
}

export interface LoadJob {
  name: string;
  url: string;
  headers: Record<string, string>;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** A request unanswered this long counts as an error (autocannon's default: 10 s). */
  timeoutSeconds?: number;
}

/** The same measurement by bench/load-worker.ts in a child process: the server measured keeps its event loop. */
export function measureApart(job: LoadJob): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'load-worker.ts'), JSON.stringify(job)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load worker exited with ${code}: ${err.trim()}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as Measure);
      } catch {
        reject(new Error(`load worker printed no result: ${out.trim()} ${err.trim()}`));
      }
    });
  });
}

export function table(rows: Measure[]): string {
  const lines = rows.map(
    (r) =>
      `| ${r.name} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} |`,
  );
  return ['| path | requests/s | p50 ms | p99 ms | errors |', '|---|---|---|---|---|', ...lines].join('\n');
}
