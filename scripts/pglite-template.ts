// `npm run build:template` (run by `npm ci` through prepare, and by `npm run build`): the PGlite data folder a fresh
// DESK_DATA_DIR starts from, initialised and migrated once here instead of at a newcomer's first start. Kept in
// pglite-template/<templateKey()>; templates of other keys (older migrations, another PGlite) are removed.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  compileEmbeddedDatabaseBaselineOnly,
  TEMPLATE_ROOT,
  templateKey,
} from '../src/platform/pglite-setup.ts';

/**
 * PGlite makes its files writable by anyone (0666): a template is for every user to copy (the image's runs as another
 * user than the one who built it) and for none but its owner to change, and so are the copies made from it.
 */
function readOnlyForOthers(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) readOnlyForOthers(path);
    else chmodSync(path, 0o644);
  }
}

const key = templateKey();
const target = join(TEMPLATE_ROOT, key);

if (existsSync(join(target, 'PG_VERSION'))) {
  process.stdout.write(`PGlite template ${key}: up to date.\n`);
} else {
  // As `desk` does for embedded PGlite: initdb takes half the time.
  compileEmbeddedDatabaseBaselineOnly();
  const { openDatabase } = await import('../src/platform/database.ts');
  mkdirSync(TEMPLATE_ROOT, { recursive: true });
  // Made aside in the same folder, then renamed: a template is whole or absent, even if two builds run at once.
  const work = mkdtempSync(join(TEMPLATE_ROOT, `.${key}-`));
  try {
    // The same opening as Desk's (extensions, settings), so the copy opens as if Desk had made it.
    const database = openDatabase(undefined, work);
    await database.migrate();
    await database.close();
    readOnlyForOthers(join(work, 'pgdata'));
    try {
      renameSync(join(work, 'pgdata'), target);
    } catch (err) {
      if (!existsSync(join(target, 'PG_VERSION'))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`PGlite template ${key}: made in ${TEMPLATE_ROOT}.\n`);
}

for (const name of readdirSync(TEMPLATE_ROOT))
  if (name !== key && !name.startsWith('.'))
    rmSync(join(TEMPLATE_ROOT, name), { recursive: true, force: true });
