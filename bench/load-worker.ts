// The load generator in a process of its own: autocannon warms up, then measures one URL, and the result is printed
// on standard output as one line of JSON (bench/load.ts `measureApart` starts it and reads it).
import autocannon from 'autocannon';
import type { LoadJob, Measure } from './load.ts';

const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
const run = (duration: number) =>
  autocannon({
    url: job.url,
    duration,
    connections: job.connections,
    headers: job.headers,
    timeout: job.timeoutSeconds ?? 10,
  });

await run(job.warmupSeconds);
const result = await run(job.seconds);
const measure: Measure = {
  name: job.name,
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.errors + result.timeouts + (result.non2xx ?? 0),
};
process.stdout.write(`${JSON.stringify(measure)}\n`);
