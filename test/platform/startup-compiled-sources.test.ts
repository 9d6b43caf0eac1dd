// bin/desk.js in a checkout runs the sources compiled once per version of them, never an older version: a checkout
// of two files stands in for Desk's, with bin/desk.js copied beside it.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

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
process.stdout.write(JSON.stringify({ word, lazy: lazy.default, here, argv: process.argv.slice(2) }));
`,
);
writeFileSync(join(root, 'src/parts/lazy.ts'), `export default 'lazy' as string;\n`);
const setWord = (word: string) =>
  writeFileSync(join(root, 'src/parts/word.ts'), `export const word: string = ${JSON.stringify(word)};\n`);

function run(): { word: string; lazy: string; here: string; argv: string[] } {
  const result = spawnSync(process.execPath, [join(root, 'bin/desk.js'), 'start'], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

const compiledCopies = () => readdirSync(join(root, 'node_modules/.cache/desk'));

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
