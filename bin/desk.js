#!/usr/bin/env node
// The `desk` command. From a checkout it runs the TypeScript sources, compiled to JavaScript once per version of
// them and per checkout (esbuild, a few hundred milliseconds) into node_modules/.cache/desk/ and then run by plain Node: a loader
// such as tsx costs every start about a second and 75 MB of memory. Without esbuild it falls back to tsx. The
// container image has no src/, only the built dist/ (scripts/image.sh), and runs that with plain Node.
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const CACHE = join(ROOT, 'node_modules', '.cache', 'desk');
// Changed whenever the way sources are compiled changes, so that no output made the old way is run.
const RECIPE = 'esbuild-esm-node20-1';
const UNUSED_FOR_MS = 30 * 24 * 3600 * 1000;
// Each process running a compiled copy keeps a file in its IN_USE folder, refreshed every REFRESH_MS; prune() spares a
// copy with a file fresher than GONE_AFTER_MS (a process killed without cleaning up stops refreshing its file).
const IN_USE = 'in-use';
const REFRESH_MS = 3600 * 1000;
const GONE_AFTER_MS = 24 * 3600 * 1000;

/**
 * The compiled copy of these exact sources in this checkout (a hash of its real path and of every file names it), made
 * first if absent; else undefined. The path is part of the key because the output names it (import.meta.url): a
 * copied checkout, or one sharing node_modules through a link, must run code that reads its own drizzle/ and web/dist.
 */
async function compiledSources() {
  const files = readdirSync(SRC, { recursive: true })
    .filter((f) => statSync(join(SRC, f)).isFile())
    .sort();
  // The bytes hashed are the bytes compiled: a file saved meanwhile makes another version, never a mixed one.
  const sources = new Map(files.map((f) => [f, readFileSync(join(SRC, f))]));
  const hash = createHash('sha256')
    .update(RECIPE)
    .update(`\0${realpathSync(ROOT)}\0`)
    .update(readFileSync(join(ROOT, 'tsconfig.json')));
  for (const [f, bytes] of sources) hash.update(`\0${f}\0`).update(bytes);
  const key = hash.digest('hex').slice(0, 32);
  const entry = join(CACHE, key, 'src', 'cli.js');
  if (existsSync(entry)) {
    try {
      // Marks it used, for prune().
      utimesSync(join(CACHE, key), new Date(), new Date());
    } catch {
      // a cache we may read but not write: it is still the right code
    }
    markInUse(join(CACHE, key));
    return entry;
  }
  const building = join(CACHE, `${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await compile(sources, join(building, 'src'));
    writeFileSync(join(building, 'package.json'), '{ "type": "module" }\n');
    try {
      renameSync(building, join(CACHE, key));
    } catch (err) {
      // Another start compiled the same sources first: theirs is used.
      if (!existsSync(entry)) throw err;
    }
    markInUse(join(CACHE, key));
    prune(key);
    return entry;
  } catch {
    return undefined;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/**
 * Each source file to a JavaScript file of the same path, as `tsc -p tsconfig.build.json` would make it: imports of
 * `./x.ts` name `./x.js`, packages stay imports, and `import.meta.url` keeps naming the source file, so paths found
 * from it (drizzle/, web/dist, the checkout's .git) do not move.
 */
async function compile(sources, outdir) {
  const tsx = import.meta.resolve('tsx/esm/api');
  const esbuild = await import(pathToFileURL(createRequire(tsx).resolve('esbuild')).href);
  mkdirSync(outdir, { recursive: true });
  const typescript = [...sources.keys()].filter((f) => /\.[mc]?ts$/.test(f) && !f.endsWith('.d.ts'));
  for (const [f, bytes] of sources) {
    if (/\.[mc]?ts$/.test(f)) continue;
    mkdirSync(join(outdir, f, '..'), { recursive: true });
    writeFileSync(join(outdir, f), bytes);
  }
  await esbuild.build({
    entryPoints: typescript.map((f) => join(SRC, f)),
    outbase: SRC,
    outdir,
    // Bundling only to rename imports: every import stays external (no file takes in another).
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    sourcesContent: false,
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'silent',
    plugins: [
      {
        name: 'desk-sources',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) =>
            args.kind === 'entry-point'
              ? undefined
              : { path: args.path.replace(/^(\.\.?\/.*)\.([mc]?)ts$/, '$1.$2js'), external: true },
          );
          build.onLoad({ filter: /\.[mc]?ts$/ }, (args) => {
            const url = pathToFileURL(args.path);
            const bytes = sources.get(relative(SRC, args.path)) ?? readFileSync(args.path);
            const contents = bytes
              .toString('utf8')
              .replaceAll('import.meta.url', JSON.stringify(url.href))
              .replaceAll('import.meta.filename', JSON.stringify(fileURLToPath(url)))
              .replaceAll(
                'import.meta.dirname',
                JSON.stringify(fileURLToPath(new URL('.', url)).replace(/\/$/, '')),
              );
            return { contents, loader: 'ts' };
          });
        },
      },
    ],
  });
}

/**
 * Says, for as long as this process runs, that it imports from `dir`: a Desk loads modules lazily (mail, the
 * development provider) long after its start, so its copy must outlive any prune another version's start runs.
 */
function markInUse(dir) {
  const marker = join(dir, IN_USE, `${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(join(dir, IN_USE), { recursive: true });
    writeFileSync(marker, '');
  } catch {
    return; // a cache we may not write: no start of ours prunes it either
  }
  setInterval(() => {
    try {
      utimesSync(marker, new Date(), new Date());
    } catch {
      // removed by hand: nothing to refresh
    }
  }, REFRESH_MS).unref();
  process.on('exit', () => rmSync(marker, { force: true }));
}

/** Whether a running process said it uses `dir` within GONE_AFTER_MS. */
function inUse(dir, now) {
  try {
    const markers = join(dir, IN_USE);
    return readdirSync(markers).some((m) => now - statSync(join(markers, m)).mtimeMs < GONE_AFTER_MS);
  } catch {
    return false;
  }
}

/**
 * Removes compiled copies no start has used for a month and no running process uses (and copies a start left half
 * made). Age alone is not enough: a Desk started from a copy a month ago still imports from it.
 */
function prune(current) {
  const now = Date.now();
  for (const name of readdirSync(CACHE)) {
    const path = join(CACHE, name);
    try {
      if (name === current || now - statSync(path).mtimeMs <= UNUSED_FOR_MS || inUse(path, now)) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile by another start's prune
    }
  }
}

if (existsSync(join(SRC, 'cli.ts'))) {
  const compiled = await compiledSources();
  if (compiled) {
    // Stack traces name the TypeScript sources (inline source maps).
    process.setSourceMapsEnabled(true);
    await import(pathToFileURL(compiled).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import(pathToFileURL(join(SRC, 'cli.ts')).href);
  }
} else {
  await import('../dist/cli.js');
}
