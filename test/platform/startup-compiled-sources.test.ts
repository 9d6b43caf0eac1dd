// bin/desk.js in a checkout runs the sources compiled once per version of them and per checkout, never an older
// version nor another checkout's, and never removes the copy a running Desk still imports from: a checkout of a few
// files stands in for Desk's, with bin/desk.js copied beside it.
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const root = mkdtempSync(join(tmpdir(), 'desk-compiled-'));
mkdirSync(join(root, 'bin'));
mkdirSync(join(root, 'src', 'parts'), { recursive: true });
mkdirSync(join(root, 'node_modules'));
copyFileSync(join(REPO, 'bin/desk.js'), join(root, 'bin/desk.js'));
copyFileSync(join(REPO, 'tsconfig.json'), join(root, 'tsconfig.json'));
writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
// esbuild is found through tsx, as in Desk's checkout.
symlinkSync(join(REPO, 'node_modules/tsx'), join(root, 'node_modules/tsx'));
writeFileSync(
  join(root, 'src/cli.ts'),
  `import { word } from './parts/word.ts';
const here: string = import.meta.url;
const lazy = await import('./parts/lazy.ts');
if (process.argv[3] === 'serve') {
  // A long-running Desk: it imports a module only when first asked (as Desk loads mail on the first invitation).
  process.stdout.write('ready\\n');
  process.stdin.once('data', async () => {
    const later = await import('./parts/later.ts');
    process.stdout.write(later.default);
    process.exit(0);
  });
} else process.stdout.write(JSON.stringify({ word, lazy: lazy.default, here, argv: process.argv.slice(2) }));
`,
);
writeFileSync(join(root, 'src/parts/lazy.ts'), `export default 'lazy' as string;\n`);
writeFileSync(join(root, 'src/parts/later.ts'), `export default 'loaded later' as string;\n`);
const setWord = (word: string) =>
  writeFileSync(join(root, 'src/parts/word.ts'), `export const word: string = ${JSON.stringify(word)};\n`);

function run(checkout = root): { word: string; lazy: string; here: string; argv: string[] } {
  const result = spawnSync(process.execPath, [join(checkout, 'bin/desk.js'), 'start'], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}
const others: string[] = [];
afterAll(() => {
  for (const dir of [root, ...others]) rmSync(dir, { recursive: true, force: true });
});

const CACHE = join(root, 'node_modules/.cache/desk');
const compiledCopies = () => readdirSync(CACHE);

/** Makes every compiled copy look unused for two months, as if its last start were that long ago. */
function ageCompiledCopies(withMarkers: boolean) {
  const longAgo = new Date(Date.now() - 60 * 24 * 3600 * 1000);
  for (const name of compiledCopies()) {
    const markers = join(CACHE, name, 'in-use');
    if (withMarkers && existsSync(markers))
      for (const marker of readdirSync(markers)) utimesSync(join(markers, marker), longAgo, longAgo);
    utimesSync(join(CACHE, name), longAgo, longAgo);
  }
}

describe('bin/desk.js in a checkout', () => {
  it('runs the sources compiled, imports renamed, import.meta.url naming the source file', () => {
    setWord('one');
    expect(run()).toEqual({
      word: 'one',
      lazy: 'lazy',
      here: pathToFileURL(join(root, 'src/cli.ts')).href,
      argv: ['start'],
    });
    expect(compiledCopies()).toHaveLength(1);
  });

  it('compiles again after any change, and reuses a compiled copy while nothing changes', () => {
    setWord('two');
    expect(run().word).toBe('two');
    expect(compiledCopies()).toHaveLength(2);
    expect(run().word).toBe('two');
    expect(compiledCopies()).toHaveLength(2);
    // Back to the first version: its copy is used again, compiled from the same sources.
    setWord('one');
    expect(run().word).toBe('one');
    expect(compiledCopies()).toHaveLength(2);
  });
});

describe('bin/desk.js in a copy of the checkout', () => {
  it("runs the copy's own sources, reading its own files, even with node_modules shared through a link", () => {
    setWord('shared');
    expect(run().here).toBe(pathToFileURL(join(root, 'src/cli.ts')).href);
    const copy = mkdtempSync(join(tmpdir(), 'desk-compiled-copy-'));
    others.push(copy);
    for (const part of ['bin', 'src', 'tsconfig.json', 'package.json'])
      cpSync(join(root, part), join(copy, part), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    expect(run(copy)).toMatchObject({ word: 'shared', here: pathToFileURL(join(copy, 'src/cli.ts')).href });
    // The original keeps running its own.
    expect(run().here).toBe(pathToFileURL(join(root, 'src/cli.ts')).href);
  });
});

describe('a Desk running for weeks', () => {
  it('keeps importing from its compiled copy while another version is compiled and old copies are pruned', async () => {
    setWord('running');
    const running = spawn(process.execPath, [join(root, 'bin/desk.js'), 'start', 'serve'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    running.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    running.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => running.on('exit', resolve));
    try {
      await vi.waitFor(() => expect(stdout).toContain('ready'), { timeout: 20_000, interval: 20 });
      // Its copy was last started two months ago; its process still says, hourly, that it uses it.
      ageCompiledCopies(false);
      setWord('newer');
      expect(run().word).toBe('newer');
      running.stdin.write('go\n');
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toBe('ready\nloaded later');
    } finally {
      running.kill();
    }
  });

  it('lets old copies of processes long gone be pruned', () => {
    setWord('gone');
    run();
    const before = compiledCopies();
    // Every copy unused for two months, and every process that used one gone for as long.
    ageCompiledCopies(true);
    setWord(`fresh-${crypto.randomUUID()}`);
    run();
    const after = compiledCopies();
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0]);
  });
});
