// Shared by the benchmarks: one autocannon measurement on loopback, with a warm-up, reduced to the numbers we print.
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

export function table(rows: Measure[]): string {
  const lines = rows.map(
    (r) =>
      `| ${r.name} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} |`,
  );
  return ['| path | requests/s | p50 ms | p99 ms | errors |', '|---|---|---|---|---|', ...lines].join('\n');
}
