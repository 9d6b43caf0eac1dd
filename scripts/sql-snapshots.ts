// The SQL of Desk's hot routes, checked in under sql/ so a change to a hot query shows up in review (as Immich does).
//
//   tsx scripts/sql-snapshots.ts           writes sql/*.sql
//   tsx scripts/sql-snapshots.ts --check   exits 1, showing the differences, when sql/*.sql is not what the code sends
//
// Each hot route is requested from an in-memory Desk (PGlite, seeded with a few agents and teams) and every
// statement that reaches the driver is recorded with the function that built it, so the files hold what the code
// sends, whatever builds it (prepared queries or builders), search included. test/platform/sql-snapshots.test.ts runs
// the same requests on the test database (PGlite, or PostgreSQL with DATABASE_URL) and compares.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildDesk } from '../src/app.ts';
import { organizations } from '../src/organizations/index.ts';
import { configFrom } from '../src/platform/config.ts';
import { type Database, type Db, mapDatabase, openDatabase } from '../src/platform/database.ts';
import { MemoryStore } from '../src/platform/kv.ts';
import { teamAccesses, teams } from '../src/teams/index.ts';
import { users } from '../src/users/index.ts';
import { rsaKey, startIntrospectionForge } from '../test/support/introspection-forge.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SQL_DIR = join(ROOT, 'sql');
export const REGENERATE = 'npm run sql:generate';

/** One statement as the driver received it, and the function of src/ that built it. */
interface Statement {
  sql: string;
  /** `findActiveUserById`, or `?` when no named function of src/ is on the stack. */
  caller: string;
  /** The file of that function, relative to the repository (`src/users/queries.ts`). */
  file: string;
  /** The name it was prepared under, for the statements prepared once (postgres.js: server-side). */
  prepared?: string;
}

interface DrizzlePrepared {
  getQuery(): { sql: string };
  execute(...args: unknown[]): Promise<unknown>;
  all(...args: unknown[]): Promise<unknown>;
}
interface DrizzleSession {
  prepareQuery(
    query: unknown,
    fields: unknown,
    name: string | undefined,
    ...rest: unknown[]
  ): DrizzlePrepared;
}
interface DrizzleScope {
  session: DrizzleSession;
  transaction(run: (tx: DrizzleScope) => Promise<unknown>, config?: unknown): Promise<unknown>;
}

const FRAME = /^\s*at (?:async )?(?:(.+?) \()?(?:file:\/\/)?(\/[^():]+):\d+:\d+\)?$/;

/**
 * The function that built a statement, from the stack where it took its session (synchronously, in that function:
 * a builder awaited later has lost it). Of the innermost run of frames in one file of src/ outside platform/, the
 * outermost named one: `findActiveUserById` rather than the arrow it prepares in, `searchUsers` rather than its
 * inner `run`.
 */
function callerOf(stack: string): Pick<Statement, 'caller' | 'file'> {
  let found: Pick<Statement, 'caller' | 'file'> | undefined;
  for (const line of stack.split('\n').slice(1)) {
    const [, name, path] = FRAME.exec(line) ?? [];
    if (!path) continue;
    const file = relative(ROOT, path);
    // platform/ (prepared-queries.ts) runs the builder for the function that asked: not a caller, not a boundary.
    if (file.startsWith('src/platform/')) continue;
    if (!file.startsWith('src/')) {
      if (found) break;
      continue;
    }
    if (found && file !== found.file) break;
    const plain = name?.replace(/^Object\./, '');
    if (plain && !plain.includes('<anonymous>')) found = { caller: plain, file };
    else found ??= { caller: '?', file };
  }
  return found ?? { caller: '?', file: 'unknown' };
}

/** The database seen through a Proxy that records each statement its queries execute, with who built it. */
function recording(db: Db, record: (statement: Statement) => void): Db {
  const scope = (target: DrizzleScope): DrizzleScope =>
    new Proxy(target, {
      get(t, property, receiver) {
        if (property === 'transaction')
          return (run: (tx: DrizzleScope) => Promise<unknown>, config?: unknown) =>
            t.transaction((tx) => run(scope(tx)), config);
        if (property !== 'session') return Reflect.get(t, property, receiver);
        // Drizzle's builders take the session when they are made, inside the function that makes them.
        const builtBy = callerOf(new Error().stack ?? '');
        const session = t.session;
        return new Proxy(session, {
          get(s, p, r) {
            if (p !== 'prepareQuery') return Reflect.get(s, p, r);
            return (...args: Parameters<DrizzleSession['prepareQuery']>) => {
              const query = s.prepareQuery(...args);
              const statement = (): Statement => ({
                sql: query.getQuery().sql,
                ...builtBy,
                ...(args[2] === undefined ? {} : { prepared: args[2] }),
              });
              const { execute, all } = query;
              query.execute = function (this: DrizzlePrepared, ...rest: unknown[]) {
                record(statement());
                return execute.apply(this, rest);
              };
              query.all = function (this: DrizzlePrepared, ...rest: unknown[]) {
                record(statement());
                return all.apply(this, rest);
              };
              return query;
            };
          },
        });
      },
    });
  return scope(db as unknown as DrizzleScope) as unknown as Db;
}

/** A route as the snapshots name it, and how to call it on the seeded Desk. */
interface HotRoute {
  route: string;
  path: (seed: Seed) => string;
  caller: 'session' | 'bearer';
}

interface Seed {
  teamId: string;
}

/** The hot routes of issue 15, in the order their statements are listed. */
const HOT_ROUTES: HotRoute[] = [
  { route: 'GET /api/v1.0/users/me/', path: () => '/api/v1.0/users/me/', caller: 'session' },
  { route: 'GET /api/v1.0/teams/', path: () => '/api/v1.0/teams/', caller: 'session' },
  {
    route: 'GET /api/v1.0/teams/{id}/accesses/?page_size=100',
    path: (s) => `/api/v1.0/teams/${s.teamId}/accesses/?page_size=100`,
    caller: 'session',
  },
  ...['mar', 'jean dupont', 'dupomt'].map(
    (q): HotRoute => ({
      route: `GET /api/v1.0/users/?q=${q}`,
      path: () => `/api/v1.0/users/?q=${encodeURIComponent(q)}`,
      caller: 'session',
    }),
  ),
  {
    route: 'GET /resource-server/v1.0/teams/ (introspection cached)',
    path: () => '/resource-server/v1.0/teams/',
    caller: 'bearer',
  },
];

const SUB = 'sql-snapshots-agent';
const SERVICE = 'sql-snapshots-app';

/** An organization of a few agents, whose names the three searches find by prefix, by full name and with a typo. */
async function seed(db: Db): Promise<{ meId: string; teamId: string }> {
  const [organization] = await db
    .insert(organizations)
    .values({ name: 'Ministère des snapshots' })
    .returning();
  const agent = (name: string, email: string) => ({
    name,
    email: `${email}@snapshots.gouv.fr`,
    organizationId: organization!.id,
  });
  const [me, ...colleagues] = await db
    .insert(users)
    .values([
      { ...agent('Hélène Martin', 'helene.martin'), sub: SUB },
      agent('Marie Curie', 'marie.curie'),
      agent('Jean Dupont', 'jean.dupont'),
      agent('Jeanne Dupuis', 'jeanne.dupuis'),
      agent('Marc Durand', 'marc.durand'),
    ])
    .returning();
  const [team, other] = await db
    .insert(teams)
    .values([
      { name: 'Équipe snapshots', organizationId: organization!.id },
      { name: 'Équipe visible', organizationId: organization!.id, isVisibleAllServiceProviders: true },
    ])
    .returning();
  await db.insert(teamAccesses).values([
    { teamId: team!.id, userId: me!.id, role: 'owner' },
    ...colleagues.map((c, i) => ({
      teamId: team!.id,
      userId: c.id,
      role: i === 0 ? ('administrator' as const) : ('member' as const),
    })),
    { teamId: other!.id, userId: me!.id, role: 'member' },
  ]);
  return { meId: me!.id, teamId: team!.id };
}

/** Requests each hot route once to warm its caches (introspection, service provider), then once recorded. */
export async function captureHotRoutes(database: Database): Promise<Map<string, Statement[]>> {
  const statements: Statement[] = [];
  let recordingOn = false;
  // Both of its views recorded: user search runs on the connections that keep generic plans.
  const recorded = mapDatabase(database, (view) =>
    recording(view, (s) => {
      if (recordingOn) statements.push(s);
    }),
  );
  const db = recorded.db;
  const forge = await startIntrospectionForge();
  const key = rsaKey();
  const kv = new MemoryStore();
  const desk = await buildDesk(
    configFrom({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DESK_DEV_IDP: 'false',
      BURST_THROTTLE_RATES: 'off',
      SUSTAINED_THROTTLE_RATES: 'off',
      ...forge.settings(key),
    }),
    { database: recorded, kv, runJobs: false },
  );
  try {
    const { meId, teamId } = await seed(db);
    forge.answer = async () => {
      const now = Math.floor(Date.now() / 1000);
      return forge.jwt(
        { active: true, sub: SUB, scope: 'groups', client_id: SERVICE, iat: now, exp: now + 600 },
        { encryptTo: key.key },
      );
    };
    const session = await desk.sessions.create(meId);
    const headers = {
      session: { cookie: `${desk.config.SESSION_COOKIE_NAME}=${session.id}` },
      bearer: { authorization: 'Bearer sql-snapshots-token' },
    };
    const byRoute = new Map<string, Statement[]>();
    for (const hot of HOT_ROUTES) {
      const request = { method: 'GET' as const, url: hot.path({ teamId }), headers: headers[hot.caller] };
      await desk.app.inject(request);
      statements.length = 0;
      const sent = database.queries.count;
      recordingOn = true;
      const res = await desk.app.inject(request);
      recordingOn = false;
      if (res.statusCode !== 200) throw new Error(`${hot.route} answered ${res.statusCode}: ${res.body}`);
      if (database.queries.count - sent !== statements.length)
        throw new Error(
          `${hot.route} sent ${database.queries.count - sent} statements, ${statements.length} seen by the recorder`,
        );
      byRoute.set(hot.route, [...statements]);
    }
    return byRoute;
  } finally {
    await desk.close();
    await kv.close();
    await forge.close();
  }
}

const CLAUSES = new Set(['select', 'from', 'where', 'having', 'limit', 'offset', 'union', 'window']);
const TWO_WORD_CLAUSES = new Map([
  ['order', 'by'],
  ['group', 'by'],
  ['inner', 'join'],
  ['left', 'join'],
  ['for', 'update'],
]);
const TOKEN = /'(?:[^']|'')*'|"(?:[^"]|"")*"|\s+|[A-Za-z_][A-Za-z0-9_$]*|\$\d+|::|[\s\S]/g;

const tokens = (text: string) => text.match(TOKEN) ?? [];
const significant = (text: string) => tokens(text).filter((t) => !/^\s+$/.test(t));

/**
 * Each clause of each (sub)query on its own line, indented by nesting; expressions stay on their line. Only
 * whitespace changes (checked), so the file reads as the statement sent.
 */
export function formatSql(text: string): string {
  const all = tokens(text);
  const words = all.map((t, i) => ({ t, i })).filter(({ t }) => !/^\s+$/.test(t));
  // For each open parenthesis: does it open a subquery (its clauses are broken) or an expression?
  const open: boolean[] = [];
  const depth = () => open.filter(Boolean).length;
  let out = '';
  const newline = (level: number) => {
    out = `${out.trimEnd()}\n${'  '.repeat(level)}`;
  };
  for (let w = 0; w < words.length; w += 1) {
    const { t, i } = words[w]!;
    const lower = t.toLowerCase();
    const next = words[w + 1]?.t.toLowerCase();
    const inQuery = open.length === 0 || open[open.length - 1] === true;
    if (out && inQuery && (CLAUSES.has(lower) || (next && TWO_WORD_CLAUSES.get(lower) === next)))
      newline(depth());
    if (t === ')' && open.pop()) newline(depth());
    out += t;
    if (t === '(') open.push(next === 'select');
    // Whitespace as sent, reduced to one space.
    if (/^\s+$/.test(all[i + 1] ?? '')) out += ' ';
  }
  const formatted = out.trimEnd();
  if (significant(formatted).join(' ') !== significant(text).join(' '))
    throw new Error(`formatting changed more than whitespace in: ${text}`);
  return formatted;
}

/** The file a function's statements go to: `sql/users.sql` for src/users/queries.ts, `sql/search.sql` for search.ts. */
function fileOf(source: string): string {
  const parts = source.replace(/\.ts$/, '').split('/');
  const name = parts.at(-1) === 'queries' ? parts.at(-2) : parts.at(-1);
  return `${name ?? 'unknown'}.sql`;
}

/** sql/<module>.sql contents: one block per distinct statement, in the order the routes first send them. */
export function snapshotFiles(byRoute: Map<string, Statement[]>): Map<string, string> {
  const blocks = new Map<string, { statement: Statement; routes: string[] }>();
  for (const [route, statements] of byRoute)
    for (const statement of statements) {
      const key = `${statement.file}\0${statement.caller}\0${statement.sql}`;
      const block = blocks.get(key) ?? { statement, routes: [] };
      if (!block.routes.includes(route)) block.routes.push(route);
      blocks.set(key, block);
    }
  const files = new Map<string, string[]>();
  for (const { statement, routes } of blocks.values()) {
    const name = fileOf(statement.file);
    const prepared = statement.prepared ? `, prepared once as ${statement.prepared}` : '';
    const text = [
      `-- ${statement.caller} (${statement.file}${prepared})`,
      ...routes.map((r) => `--   ${r}`),
      `${formatSql(statement.sql)};`,
    ].join('\n');
    files.set(name, [...(files.get(name) ?? []), text]);
  }
  const header = [
    '-- Generated by scripts/sql-snapshots.ts: the statements Desk sends on its hot routes. Do not edit;',
    `-- regenerate with \`${REGENERATE}\` and explain the EXPLAIN of a changed query in the commit.`,
    '-- Each block names the function that builds the statement and the routes that send it; only whitespace',
    '-- differs from the text the driver receives ($1, $2… are its parameters).',
  ].join('\n');
  return new Map(
    [...files]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, texts]) => [name, `${header}\n\n${texts.join('\n\n')}\n`]),
  );
}

/** What differs between the generated files and sql/: one line per file, with the first differing line. */
export function differences(generated: Map<string, string>, dir = SQL_DIR): string[] {
  let present: string[] = [];
  try {
    present = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  } catch {
    // No sql/ yet: every file is missing.
  }
  const out: string[] = [];
  for (const name of present)
    if (!generated.has(name)) out.push(`sql/${name}: no hot route sends these statements any more`);
  for (const [name, text] of generated) {
    if (!present.includes(name)) {
      out.push(`sql/${name}: missing`);
      continue;
    }
    const checkedIn = readFileSync(join(dir, name), 'utf8').split('\n');
    const fresh = text.split('\n');
    const at = fresh.findIndex((line, i) => line !== checkedIn[i]);
    const line = at === -1 ? fresh.length : at;
    if (at === -1 && checkedIn.length === fresh.length) continue;
    const length = Math.max(fresh.length, checkedIn.length);
    const changed = Array.from({ length }, (_, i) => fresh[i] !== checkedIn[i]).filter(Boolean).length;
    out.push(
      `sql/${name}:${line + 1}: ${changed} line(s) differ, the first:\n` +
        `  - ${checkedIn[line] ?? '(end of file)'}\n  + ${fresh[line] ?? '(end of file)'}`,
    );
  }
  return out;
}

export async function generateSqlSnapshots(database: Database): Promise<Map<string, string>> {
  return snapshotFiles(await captureHotRoutes(database));
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const database = openDatabase('pglite://memory', '');
  let files: Map<string, string>;
  try {
    await database.migrate();
    files = await generateSqlSnapshots(database);
  } finally {
    await database.close();
  }
  if (check) {
    const found = differences(files);
    if (found.length) {
      console.error(`The SQL of the hot routes is not what sql/ holds:\n${found.join('\n')}`);
      console.error(`Regenerate with \`${REGENERATE}\`, and review the change.`);
      process.exit(1);
    }
    console.log(`sql/: ${files.size} files up to date`);
    return;
  }
  mkdirSync(SQL_DIR, { recursive: true });
  for (const stale of readdirSync(SQL_DIR, { withFileTypes: true }))
    if (stale.isFile() && stale.name.endsWith('.sql') && !files.has(stale.name))
      rmSync(join(SQL_DIR, stale.name));
  for (const [name, text] of files) writeFileSync(join(SQL_DIR, name), text);
  console.log(`sql/: wrote ${[...files.keys()].join(', ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
