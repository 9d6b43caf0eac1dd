// A CPU profile of this process while something runs (node:inspector's sampling profiler), summed by function and by
// package: where the server's time goes, for whoever works on a path next.
import { Session } from 'node:inspector/promises';
import { findSourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  samples: number;
}

export interface ProfileSummary {
  samples: number;
  idle: number;
  functions: SelfTime[];
  packages: { name: string; samples: number }[];
}

/** file:line in the source: tsx compiles TypeScript with source maps, which the profiler's positions ignore. */
function place(url: string, line: number, column: number): string {
  if (!url) return '(native)';
  if (!url.startsWith('file:')) return `${url}:${line + 1}`;
  const path = relative(process.cwd(), fileURLToPath(url.replace(/\?.*$/, '')));
  const entry = findSourceMap(url)?.findEntry(line, column);
  const original = entry && 'originalLine' in entry ? entry.originalLine : undefined;
  return `${path}:${(original ?? line) + 1}`;
}

/** node_modules/<package>, node:…, or this project's own files, for the by-package sums. */
function packageOf(url: string): string {
  if (!url) return '(V8 / native)';
  if (!url.startsWith('file:')) return url.startsWith('node:') ? 'node: (built-ins)' : url;
  const path = fileURLToPath(url);
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match?.[1]) return match[1];
  return `${relative(process.cwd(), path).split('/')[0] ?? ''}/ (Desk)`;
}

const V8_ENTRIES = new Set(['(garbage collector)', '(program)', '(root)']);

/** Samples this process every `intervalUs` while `work` runs. */
export async function profileWhile(work: () => Promise<void>, intervalUs = 500): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  let nodes: ProfileNode[] = [];
  try {
    await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    nodes = profile.nodes as ProfileNode[];
    session.disconnect();
  }
  const parent = new Map<number, ProfileNode>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node);
  /** The nearest caller in a file (a package or Desk): who asked for native or node: built-in work. */
  const caller = (node: ProfileNode): string | undefined => {
    for (let up = parent.get(node.id); up; up = parent.get(up.id))
      if (up.callFrame.url.startsWith('file:')) return packageOf(up.callFrame.url);
    return undefined;
  };
  const byFunction = new Map<string, SelfTime>();
  const byPackage = new Map<string, number>();
  let samples = 0;
  let idle = 0;
  for (const node of nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    samples += hits;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const name = functionName || '(anonymous)';
    const own = url.startsWith('file:');
    // V8's own entries have no caller worth naming.
    const engine = !url && V8_ENTRIES.has(name);
    const via = own || engine ? undefined : caller(node);
    const where = `${place(url, lineNumber, columnNumber)}${via ? ` via ${via}` : ''}`;
    const key = `${name} ${where}`;
    const entry = byFunction.get(key) ?? { name, where, samples: 0 };
    entry.samples += hits;
    byFunction.set(key, entry);
    const pkg = own ? packageOf(url) : (via ?? (engine ? name : packageOf(url)));
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
  }
  return {
    samples,
    idle,
    functions: [...byFunction.values()].sort(
      (a, b) => b.samples - a.samples || a.where.localeCompare(b.where),
    ),
    packages: [...byPackage.entries()]
      .map(([name, n]) => ({ name, samples: n }))
      .sort((a, b) => b.samples - a.samples || a.name.localeCompare(b.name)),
  };
}
