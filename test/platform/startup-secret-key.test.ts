// With no SECRET_KEY, the embedded default keeps the key it generates in DESK_DATA_DIR: one key per folder, kept
// across starts, readable by its owner only, the same for processes making it at once; elsewhere nothing changes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  configFrom,
  keepGeneratedSecretKey,
  loadConfig,
  SECRET_KEY_FILE,
  startWarnings,
} from '../../src/platform/config.ts';
import { PRODUCTION_SETTINGS } from '../support/desk.ts';

const CONFIG_MODULE = resolve(import.meta.dirname, '../../src/platform/config.ts');
const scratch = mkdtempSync(join(tmpdir(), 'desk-secret-key-'));
const folder = () => mkdtempSync(join(scratch, 'case-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the SECRET_KEY of the embedded default', () => {
  it('is generated once, kept in DESK_DATA_DIR/secret_key for its owner only, and used again', () => {
    const dir = join(folder(), 'data');
    const first = keepGeneratedSecretKey(configFrom({ DESK_DATA_DIR: dir }));
    const file = join(dir, SECRET_KEY_FILE);
    expect(first.secretKeyFile).toBe(file);
    expect(first.SECRET_KEY.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.SECRET_KEY);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = keepGeneratedSecretKey(configFrom({ DESK_DATA_DIR: dir }));
    expect(again.SECRET_KEY).toBe(first.SECRET_KEY);
    // Nothing left beside it.
    expect(readdirSync(dir)).toEqual([SECRET_KEY_FILE]);
  });

  it('is named by the start warning, instead of saying sessions end at restart', () => {
    const dir = folder();
    const warnings = startWarnings(keepGeneratedSecretKey(configFrom({ DESK_DATA_DIR: dir })));
    expect(warnings).toEqual([expect.stringContaining(`kept in ${join(dir, SECRET_KEY_FILE)}`)]);
    expect(warnings[0]).not.toContain('sessions end');
  });

  it('is the same for processes starting at once on a new folder', async () => {
    const dir = join(folder(), 'data');
    // Every process loads first, then all make the key at the same moment.
    const at = Date.now() + 4_000;
    const script = `const { keepGeneratedSecretKey, configFrom } = await import(${JSON.stringify(CONFIG_MODULE)});
while (Date.now() < ${at});
process.stdout.write(keepGeneratedSecretKey(configFrom({ DESK_DATA_DIR: ${JSON.stringify(dir)} })).SECRET_KEY);`;
    const keys = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<string>((done, fail) => {
            const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
              stdio: ['ignore', 'pipe', 'pipe'],
            });
            let out = '';
            let err = '';
            child.stdout.on('data', (c: Buffer) => {
              out += c.toString();
            });
            child.stderr.on('data', (c: Buffer) => {
              err += c.toString();
            });
            child.once('exit', (code) => (code === 0 ? done(out) : fail(new Error(err))));
          }),
      ),
    );
    const kept = readFileSync(join(dir, SECRET_KEY_FILE), 'utf8').trim();
    expect(kept.length).toBeGreaterThanOrEqual(32);
    expect(keys).toEqual(Array(6).fill(kept));
    expect(readdirSync(dir)).toEqual([SECRET_KEY_FILE]);
  });

  it('refuses a file that holds no key rather than signing with an empty one', () => {
    const dir = folder();
    writeFileSync(join(dir, SECRET_KEY_FILE), '\n', { mode: 0o600 });
    expect(() => keepGeneratedSecretKey(configFrom({ DESK_DATA_DIR: dir }))).toThrow(/holds no key/);
  });
});

describe('elsewhere', () => {
  it('a SECRET_KEY that is set is used, and nothing is written', () => {
    const dir = folder();
    const c = keepGeneratedSecretKey(configFrom({ DESK_DATA_DIR: dir, SECRET_KEY: 'k'.repeat(40) }));
    expect(c.SECRET_KEY).toBe('k'.repeat(40));
    expect(c.secretKeyFile).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('with DATABASE_URL and no SECRET_KEY, the key stays random per start, with the warning saying so', () => {
    const dir = folder();
    const settings = { DESK_DATA_DIR: dir, DATABASE_URL: 'postgres://desk@db/desk' };
    const one = keepGeneratedSecretKey(configFrom(settings));
    const two = keepGeneratedSecretKey(configFrom(settings));
    expect(one.SECRET_KEY).not.toBe(two.SECRET_KEY);
    expect(one.secretKeyFile).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    expect(startWarnings(one)).toEqual([expect.stringContaining('sessions end when Desk restarts')]);
  });

  it('production still refuses to start without SECRET_KEY', () => {
    const { SECRET_KEY: _, ...withoutKey } = PRODUCTION_SETTINGS;
    expect(() => loadConfig(withoutKey)).toThrow(ConfigError);
    expect(() => loadConfig(withoutKey)).toThrow(/SECRET_KEY: required in production/);
  });
});
