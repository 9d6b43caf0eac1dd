// Which Desk this is: the version (package.json) and the commit it was built from, for the config route's footer.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Release {
  version: string;
  /** A commit SHA, or "NA" (people's value) when it cannot be known. */
  commit: string;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHA = /^[0-9a-f]{40}$/;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The checkout's HEAD, read from .git without running git (a loose ref, else packed-refs). */
function gitHead(root: string): string | undefined {
  const head = read(join(root, '.git', 'HEAD'));
  if (!head) return undefined;
  if (SHA.test(head)) return head;
  const ref = /^ref: (refs\/[\w./-]+)$/.exec(head)?.[1];
  if (!ref || ref.includes('..')) return undefined;
  const loose = read(join(root, '.git', ref));
  if (loose && SHA.test(loose)) return loose;
  const packed = read(join(root, '.git', 'packed-refs'))
    ?.split('\n')
    .find((line) => line.endsWith(` ${ref}`))
    ?.split(' ')[0];
  return packed && SHA.test(packed) ? packed : undefined;
}

/** A COMMIT file written when an image is built (no .git there) wins over the checkout's HEAD. */
export function readRelease(root = ROOT): Release {
  const pkg = JSON.parse(read(join(root, 'package.json')) ?? '{}') as { version?: string };
  const file = read(join(root, 'COMMIT'));
  return {
    version: pkg.version ?? 'NA',
    commit: (file && SHA.test(file) ? file : gitHead(root)) ?? 'NA',
  };
}
