// A fresh data folder starts as a copy of the PGlite template made at install (npm ci runs `build:template`), already
// migrated; a template made for other migrations is never used, and initdb makes the folder as before.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, rowsOf } from '../../src/platform/database.ts';
import {
  initializeDataFolder,
  MIGRATIONS_DIR,
  TEMPLATE_ROOT,
  templateKey,
} from '../../src/platform/pglite-setup.ts';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'desk-template-'));
  folders.push(dir);
  return dir;
}

/** A PostgreSQL cluster's system identifier, made at random by initdb: the first 8 bytes of global/pg_control. */
function systemIdentifier(pgdata: string): string {
  return readFileSync(join(pgdata, 'global/pg_control')).subarray(0, 8).toString('hex');
}

/** A stand-in template: a data folder in name only, with a file telling it apart. */
function fakeTemplate(root: string, key: string): void {
  mkdirSync(join(root, key), { recursive: true });
  writeFileSync(join(root, key, 'PG_VERSION'), '17\n');
  writeFileSync(join(root, key, 'copied-from-template'), '');
}

describe('a fresh data folder', () => {
  it('starts as a copy of the template npm ci made for these migrations, with nothing left to migrate', async () => {
    const template = join(TEMPLATE_ROOT, templateKey());
    expect(existsSync(join(template, 'PG_VERSION')), `${template} is missing: npm run build:template`).toBe(
      true,
    );
    const dir = folder();
    await initializeDataFolder(undefined, dir);
    expect(systemIdentifier(join(dir, 'pgdata'))).toBe(systemIdentifier(template));
    const database = openDatabase(undefined, dir);
    try {
      const before = rowsOf<{ n: number }>(
        await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
      );
      await database.migrate();
      const after = rowsOf<{ n: number }>(
        await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
      );
      expect(after).toEqual(before);
      expect(rowsOf(await database.db.execute(sql`select count(*)::int as n from users`))).toEqual([
        { n: 0 },
      ]);
    } finally {
      await database.close();
    }
  });

  it('is copied from the template named by the key of this release', async () => {
    const templates = folder();
    fakeTemplate(templates, templateKey());
    const dir = folder();
    await initializeDataFolder(undefined, dir, templates);
    expect(existsSync(join(dir, 'pgdata/copied-from-template'))).toBe(true);
    expect(existsSync(join(dir, 'pgdata.copying'))).toBe(false);
  });

  it('is never copied from a template made for other migrations: initdb makes it', async () => {
    const changed = folder();
    cpSync(MIGRATIONS_DIR, changed, { recursive: true });
    writeFileSync(
      join(changed, '0000_extensions.sql'),
      `${readFileSync(join(changed, '0000_extensions.sql'))}\n-- changed\n`,
    );
    const stale = templateKey(changed);
    expect(stale).not.toBe(templateKey());
    const templates = folder();
    fakeTemplate(templates, stale);
    const dir = folder();
    await initializeDataFolder(undefined, dir, templates);
    expect(existsSync(join(dir, 'pgdata/copied-from-template'))).toBe(false);
    expect(readFileSync(join(dir, 'pgdata/PG_VERSION'), 'utf8')).toMatch(/^\d+\n$/);
    expect(existsSync(join(dir, 'pgdata/global/pg_control'))).toBe(true);
  }, 120_000);
});
