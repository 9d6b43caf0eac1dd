// Rule: a benchmark deletes only what it created (its own desk_bench_* database, its own Redis key prefix), never FLUSHDB.
// Runs the benchmarks in bench/ one after the other: all of them, or those named (`npm run bench -- session-auth`).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// Helpers, not benchmarks (bench/support/ holds the rest).
const SKIP = new Set(['run.ts', 'load.ts', 'load-worker.ts']);
const all = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.ts') && !SKIP.has(f))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2);
const chosen = wanted.length ? all.filter((b) => wanted.includes(b)) : all;
if (wanted.length && chosen.length !== wanted.length) {
  console.error(
    `Unknown benchmark(s): ${wanted.filter((w) => !all.includes(w)).join(', ')}. Known: ${all.join(', ')}`,
  );
  process.exit(2);
}
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== bench/${name}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, `${name}.ts`)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed += 1;
}
process.exit(failed ? 1 : 0);
