// `desk import people` as an operator runs it (DESIGN.md §10): a separate process writing to Desk's database
// (PostgreSQL with DATABASE_URL, else embedded PGlite in DESK_DATA_DIR, whose folder the command holds). Killed half-way
// it goes on at the next run; conflicts are listed on standard error and in a CSV report; mistakes and unreachable
// sources end it with a message and exit code 1, never a stack trace; a batch Desk refuses leaves Desk as it was
// before that batch.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataFolder } from '../../src/platform/data-folder-lock.ts';
import { type Db, openDatabase, rowsOf } from '../../src/platform/database.ts';
import { initializeDataFolder } from '../../src/platform/pglite-setup.ts';
import { users } from '../../src/users/index.ts';
import { freePort } from '../support/desk.ts';
import { DATABASE_URL, emptyPostgresDatabase, testDatabase } from '../support/parts.ts';
import {
  createPeopleSource,
  insertContact,
  insertTeam,
  insertTeamAccess,
  insertUser,
  type PeopleSource,
} from '../support/people-source.ts';

const BIN = resolve(import.meta.dirname, '../../bin/desk.js');
const ADMIN_URL = process.env.PEOPLE_SOURCE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function folder(hint: string): string {
  const dir = mkdtempSync(join(tmpdir(), `desk-import-${hint}-`));
  folders.push(dir);
  return dir;
}

/** Desk's database as the command reaches it, and as the test reads it between runs. */
interface DeskSide {
  env: Record<string, string>;
  /** Runs `work` on Desk's database (PGlite: opening the folder, so only while no command holds it). */
  use<T>(work: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function deskSide(): Promise<DeskSide> {
  if (DATABASE_URL) {
    const desk = await testDatabase();
    return {
      env: { DATABASE_URL: desk.url },
      use: (work) => work(desk.database.db),
      close: () => desk.drop(),
    };
  }
  const dir = folder('pglite');
  return {
    env: { DESK_DATA_DIR: dir },
    async use(work) {
      const lock = lockDataFolder(dir, 'import-command.test.ts');
      await initializeDataFolder(undefined, dir);
      const database = openDatabase(undefined, dir, { dataFolderLock: lock });
      try {
        await database.migrate();
        return await work(database.db);
      } finally {
        await database.close();
      }
    },
    async close() {},
  };
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  finished: Promise<Finished>;
}

/** `desk import …` in a process of its own, its output piped (no terminal); killed if it outlives `limitMs`. */
function startDesk(
  args: string[],
  env: Record<string, string>,
  cwd = folder('cwd'),
  limitMs = 150_000,
): Running {
  const child = spawn(process.execPath, [BIN, 'import', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const finished = new Promise<Finished>((done) =>
    child.once('close', (code, signal) => {
      clearTimeout(limit);
      done({ code, signal, stdout, stderr });
    }),
  );
  return { child, finished };
}

function desk(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
  limitMs?: number,
): Promise<Finished> {
  return startDesk(args, env, cwd, limitMs).finished;
}

interface Counts {
  read: number;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  skipped: number;
  expired: number;
}

/** The summary table the command prints on standard output, by Desk table. */
function summaryOf(stdout: string): Record<string, Counts> {
  const lines = stdout.split('\n');
  const header = lines.findIndex((l) => /^table\s+from\s+read\s+created/.test(l));
  expect(header, stdout).toBeGreaterThanOrEqual(0);
  const tables: Record<string, Counts> = {};
  for (const line of lines.slice(header + 1)) {
    const cells = line.trim().split(/\s{2,}/);
    if (cells.length !== 9) break;
    const [table = '', , ...numbers] = cells;
    const [read, created, updated, deleted, unchanged, skipped, expired] = numbers.map((n) =>
      Number(n.replaceAll(',', '')),
    ) as number[] as [number, number, number, number, number, number, number];
    tables[table] = { read, created, updated, deleted, unchanged, skipped, expired };
  }
  return tables;
}

/** What a run did, by table: only the tables and counts (created, updated, deleted, skipped) that are not zero. */
function changes(stdout: string): Record<string, Partial<Counts>> {
  const done: Record<string, Partial<Counts>> = {};
  for (const [table, counts] of Object.entries(summaryOf(stdout)))
    for (const what of ['created', 'updated', 'deleted', 'skipped'] as const)
      if (counts[what]) done[table] = { ...done[table], [what]: counts[what] };
  return done;
}

async function query<T>(db: Db, text: string): Promise<T[]> {
  return rowsOf<T>(await db.execute(sql.raw(text)));
}

async function count(db: Db, table: string): Promise<number> {
  const [row] = await query<{ n: number }>(db, `SELECT count(*)::int AS n FROM ${table}`);
  return row?.n ?? 0;
}

const NO_STACK = /^\s+at /m;

describe('desk import people killed half-way and run again', () => {
  const USERS = 30_000;
  const ACCESSES = 60_000;
  let source: PeopleSource;
  let side: DeskSide;
  let usersAtKill = 0;
  let second: Finished;

  /**
   * Until part of the users are in Desk: counted in Desk's database (PostgreSQL), or, with the folder held by the
   * command (PGlite), from people's side: the command reads the next batch of users only once the previous one is
   * committed, so a fourth read means three batches are in.
   */
  async function partOfTheUsersIn(): Promise<void> {
    const reads = new Set<string>();
    for (;;) {
      if (DATABASE_URL) {
        if ((await side.use((db) => count(db, 'users'))) >= 1_500) return;
      } else {
        const rows = await source.sql<{ started: string }[]>`
          SELECT query_start::text AS started FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'desk import people'
            AND query LIKE '%FROM people_user p WHERE%'`;
        for (const r of rows) reads.add(r.started);
        if (reads.size >= 4) return;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  beforeAll(async () => {
    source = await createPeopleSource();
    side = await deskSide();
    // One statement: 100 teams, 30,000 users, each a member of two teams.
    await source.sql.unsafe(`
      WITH teams AS (
        INSERT INTO people_team (id, created_at, updated_at, name, organization_id, depth, numchild, path,
          is_visible_all_services, external_id)
        SELECT gen_random_uuid(), now(), now(), 'Team ' || i, NULL, 1, 0, lpad(i::text, 5, '0'), false, gen_random_uuid()
        FROM generate_series(1, 100) i RETURNING id, path
      ), people AS (
        INSERT INTO people_user (id, password, last_login, is_superuser, created_at, updated_at, sub, email, name,
          language, timezone, is_device, is_staff, is_active, organization_id)
        SELECT gen_random_uuid(), '', NULL, false, now(), now(), 'sub-' || i, 'user' || i || '@example.gouv.fr',
          'User ' || i, 'fr-fr', 'Europe/Paris', false, false, true, NULL
        FROM generate_series(0, ${USERS - 1}) i RETURNING id, sub
      ), t AS (SELECT id, (row_number() OVER (ORDER BY path) - 1)::int AS n FROM teams),
      u AS (SELECT id, substr(sub, 5)::int AS n FROM people)
      INSERT INTO people_team_access (id, created_at, updated_at, role, team_id, user_id)
      SELECT gen_random_uuid(), now(), now(), 'member', t.id, u.id FROM u JOIN t ON t.n IN (u.n % 100, (u.n + 1) % 100)`);

    const first = startDesk(['people', '--from', source.url, '--batch-size', '500'], side.env);
    await Promise.race([partOfTheUsersIn(), first.finished]);
    first.child.kill('SIGKILL');
    expect((await first.finished).signal).toBe('SIGKILL');
    usersAtKill = await side.use((db) => count(db, 'users'));
    second = await desk(['people', '--from', source.url, '--batch-size', '500'], side.env);
  }, 300_000);
  afterAll(async () => {
    await source?.close();
    await side?.close();
  });

  it('had part of the users in Desk when killed, in whole batches only', () => {
    expect(usersAtKill).toBeGreaterThan(0);
    expect(usersAtKill).toBeLessThan(USERS);
    expect(usersAtKill % 500).toBe(0);
  });

  it('finishes the second time, creating the users the first run had not', () => {
    expect(second.stderr).not.toMatch(NO_STACK);
    expect(second.code).toBe(0);
    const summary = summaryOf(second.stdout);
    expect(summary.users).toMatchObject({
      read: USERS,
      created: USERS - usersAtKill,
      unchanged: usersAtKill,
    });
    expect(summary.team_accesses).toMatchObject({ read: ACCESSES, created: ACCESSES, skipped: 0 });
  });

  it('leaves Desk with every user, team and access of people, each once and remembered once', async () => {
    const inPeople = async (table: string) => {
      const [row] = await source.sql.unsafe<{ n: number; ids: string }[]>(
        `SELECT count(*)::int AS n, md5(string_agg(id::text, ',' ORDER BY id)) AS ids FROM ${table}`,
      );
      return row;
    };
    const inDesk = (table: string) =>
      side.use(async (db) => {
        const [row] = await query<{ n: number; ids: string; remembered: number }>(
          db,
          `SELECT count(*)::int AS n, md5(string_agg(id::text, ',' ORDER BY id)) AS ids,
             (SELECT count(*)::int FROM imported_rows WHERE table_name = '${table}') AS remembered FROM ${table}`,
        );
        return row;
      });
    for (const [desk, people] of [
      ['users', 'people_user'],
      ['teams', 'people_team'],
      ['team_accesses', 'people_team_access'],
    ] as const) {
      const expected = await inPeople(people);
      expect(await inDesk(desk), desk).toEqual({
        n: expected?.n,
        ids: expected?.ids,
        remembered: expected?.n,
      });
    }
  });

  it('reports all zeros the third time', async () => {
    const third = await desk(['people', '--from', source.url, '--batch-size', '500'], side.env);
    expect(third.code).toBe(0);
    expect(changes(third.stdout)).toEqual({});
    expect(summaryOf(third.stdout).team_accesses?.unchanged).toBe(ACCESSES);
  }, 150_000);
});

describe('the conflict report', () => {
  let source: PeopleSource;
  let side: DeskSide;
  let cwd: string;
  let run: Finished;
  let ids: Record<string, string>;
  const PBKDF2 = 'pbkdf2_sha256$870000$c2FsdHNhbHQ$cmVhbGx5bm90YWhhc2hidXRsb25nZW5vdWdoMTIzNA==';

  beforeAll(async () => {
    source = await createPeopleSource();
    side = await deskSide();
    const people = source.sql;
    const sub = `sub-taken-${randomBytes(4).toString('hex')}`;
    await side.use((db) =>
      db.insert(users).values({ email: 'made.in.desk@example.gouv.fr', name: 'Made in Desk', sub }),
    );
    const taken = await insertUser(people, { sub });
    const email = `staff.${randomBytes(4).toString('hex')}@example.gouv.fr`;
    const [first, second] = [
      await insertUser(people, { email, password: PBKDF2, is_staff: true }),
      await insertUser(people, { email: email.toUpperCase(), password: PBKDF2, is_staff: true }),
    ].sort((a, b) => (a.id < b.id ? -1 : 1));
    const speaker = await insertUser(people, { language: 'xx' });
    const orphan = await insertTeam(people, { path: 'zzzzz00001', depth: 2 });
    const contact = await insertContact(people, { owner: speaker, data: { emails: 'none', phones: 5 } });
    ids = {
      taken: taken.id,
      first: first?.id ?? '',
      second: second?.id ?? '',
      speaker: speaker.id,
      orphan: orphan.id,
      contact: contact.id,
    };
    cwd = folder('report');
    run = await desk(['people', '--from', source.url, '--report', 'conflicts.csv'], side.env, cwd);
  }, 120_000);
  afterAll(async () => {
    await source?.close();
    await side?.close();
  });

  it('lets the command finish with exit code 0', () => {
    expect(run.stderr).not.toMatch(NO_STACK);
    expect(run.code).toBe(0);
  });

  it('lists each conflict on standard error, one line with its table and id', () => {
    const lines = run.stderr.split('\n').filter((l) => /^\w+ [0-9a-f-]{36}: /.test(l));
    expect(lines.sort()).toEqual(
      [
        `users ${ids.taken}: another user of Desk has this sub (skipped)`,
        `users ${ids.second}: another account with a password has this email (staff emails are unique in Desk) (imported without its password (it signs in through the provider))`,
        `users ${ids.speaker}: language "xx" is not one Desk speaks (imported with language en-us)`,
        `teams ${ids.orphan}: its parent (path zzzzz) is missing from people's tree (imported as a root team)`,
        `contacts ${ids.contact}: data refused by Desk's contact schema (data.emails, data.phones) (imported without its data)`,
      ].sort(),
    );
  });

  it('writes them to the report file under the header table,id,problem,outcome, quoted as CSV', () => {
    const csv = readFileSync(join(cwd, 'conflicts.csv'), 'utf8');
    const [header, ...rows] = csv.split('\r\n');
    expect(header).toBe('table,id,problem,outcome');
    expect(rows.pop()).toBe('');
    expect(rows.sort()).toEqual(
      [
        `users,${ids.taken},another user of Desk has this sub,skipped`,
        `users,${ids.second},another account with a password has this email (staff emails are unique in Desk),imported without its password (it signs in through the provider)`,
        `users,${ids.speaker},"language ""xx"" is not one Desk speaks",imported with language en-us`,
        `teams,${ids.orphan},its parent (path zzzzz) is missing from people's tree,imported as a root team`,
        `contacts,${ids.contact},"data refused by Desk's contact schema (data.emails, data.phones)",imported without its data`,
      ].sort(),
    );
  });

  it('ends standard output with the summary table and how many rows could not be taken', () => {
    const summary = summaryOf(run.stdout);
    expect(summary.users).toMatchObject({ read: 4, created: 3, skipped: 1 });
    expect(summary.contacts).toMatchObject({ read: 1, created: 1 });
    expect(run.stdout).toContain(
      `5 rows could not be taken as they were: listed above and in ${join(cwd, 'conflicts.csv')}.\n`,
    );
  });

  it('imports the rows it could, as the report says', async () => {
    const [firstUser, secondUser, taken, orphan] = await side.use((db) =>
      Promise.all([
        query<{ password: string | null }>(db, `SELECT password FROM users WHERE id = '${ids.first}'`),
        query<{ password: string | null }>(db, `SELECT password FROM users WHERE id = '${ids.second}'`),
        query(db, `SELECT id FROM users WHERE id = '${ids.taken}'`),
        query<{ parent_id: string | null }>(db, `SELECT parent_id FROM teams WHERE id = '${ids.orphan}'`),
      ]),
    );
    expect(firstUser).toEqual([{ password: PBKDF2 }]);
    expect(secondUser).toEqual([{ password: null }]);
    expect(taken).toEqual([]);
    expect(orphan).toEqual([{ parent_id: null }]);
  });

  it('writes people-import-report.csv in the working directory when --report is not given', async () => {
    const elsewhere = folder('default-report');
    const again = await desk(['people', '--from', source.url], side.env, elsewhere);
    expect(again.code).toBe(0);
    const csv = readFileSync(join(elsewhere, 'people-import-report.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('table,id,problem,outcome');
    expect(csv).toContain(`users,${ids.taken},another user of Desk has this sub,skipped`);
  }, 120_000);
});

describe('desk import mistakes and failures', () => {
  let side: DeskSide;
  beforeAll(async () => {
    side = await deskSide();
  });
  afterAll(async () => {
    await side?.close();
  });

  async function refused(args: string[], cwd?: string): Promise<string> {
    const run = await desk(args, side.env, cwd, 60_000);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(NO_STACK);
    return run.stderr;
  }

  it('says --from is missing when it is', async () => {
    expect(await refused(['people'])).toMatch(
      /^--from is missing: people's database, e\.g\. --from postgres:/,
    );
  });

  it('refuses a --from that is not a postgres:// URL', async () => {
    expect(await refused(['people', '--from', 'mysql://people@db/people'])).toBe(
      '--from must be a postgres:// URL (people runs on PostgreSQL).\n',
    );
  });

  it('shows how to use it when `people` is missing or another word is given', async () => {
    for (const args of [[], ['users'], ['people', 'now']])
      expect(await refused([...args, '--from', 'postgres://db/people'])).toMatch(
        /^Usage: desk import people --from postgres:\/\/… \[--dry-run\] \[--report FILE\] \[--batch-size N\]/,
      );
  });

  it('refuses a --batch-size that is not a whole number from 1 to 100000', async () => {
    for (const size of ['0', '-5', '1.5', 'many', '100001', ''])
      expect(await refused(['people', '--from', 'postgres://db/people', `--batch-size=${size}`])).toBe(
        '--batch-size must be a whole number from 1 to 100000.\n',
      );
  });

  it('names an option it does not know', async () => {
    expect(await refused(['people', '--from', 'postgres://db/people', '--dryrun'])).toMatch(
      /Unknown option '--dryrun'/,
    );
  });

  it('says people cannot be reached when nothing listens at the address, and exits', async () => {
    const port = await freePort();
    expect(await refused(['people', '--from', `postgres://postgres@127.0.0.1:${port}/people`])).toMatch(
      new RegExp(`^people's database cannot be read: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`),
    );
  });

  it('leaves no report file behind when people could not be read', async () => {
    const cwd = folder('unread');
    const port = await freePort();
    await refused(['people', '--from', `postgres://postgres@127.0.0.1:${port}/people`], cwd);
    expect(existsSync(join(cwd, 'people-import-report.csv'))).toBe(false);
  });

  describe('given a database that is not people v1.26', () => {
    const drops: (() => Promise<void>)[] = [];
    async function emptyDatabase(): Promise<string> {
      const { url, drop } = await emptyPostgresDatabase('not_people', ADMIN_URL);
      drops.push(drop);
      return url;
    }
    afterAll(async () => {
      for (const drop of drops) await drop();
    });

    it('names the tables an empty database lacks', async () => {
      const message = await refused(['people', '--from', await emptyDatabase()]);
      expect(message).toMatch(
        /^This is not a people v1\.26 database \(suitenumerique\/people@9bb1758f\): it lacks the tables people_organization, people_service_provider, people_user, people_team, /,
      );
      expect(message).toContain('people_mail_domain_invitation');
    });

    it('names the column a table lacks', async () => {
      const source = await createPeopleSource();
      try {
        await source.sql`ALTER TABLE people_team DROP COLUMN external_id`;
        expect(await refused(['people', '--from', source.url])).toBe(
          'This is not a people v1.26 database (suitenumerique/people@9bb1758f): it lacks the column people_team.external_id.\n',
        );
      } finally {
        await source.close();
      }
    });
  });
});

describe('progress without a terminal', () => {
  it('is plain lines, without escape codes, ending with one line per table saying what was done', async () => {
    const source = await createPeopleSource();
    const side = await deskSide();
    try {
      const team = await insertTeam(source.sql);
      for (let i = 0; i < 3; i++)
        await insertTeamAccess(source.sql, { team, user: await insertUser(source.sql) });
      const run = await desk(['people', '--from', source.url, '--batch-size', '2'], side.env);
      expect(run.code).toBe(0);
      expect(run.stderr).not.toContain('\x1b');
      expect(run.stderr).not.toContain('\r');
      const lines = run.stderr.trimEnd().split('\n');
      const tables = Object.keys(summaryOf(run.stdout));
      // Every table of people Desk takes, team webhooks included (the command has a SECRET_KEY for their secrets).
      expect(tables).toHaveLength(16);
      expect(lines.slice(-tables.length).map((l) => l.split(':')[0])).toEqual(tables);
      expect(lines).toContain(
        'users: 3 rows read; 3 created, 0 updated, 0 deleted, 0 unchanged, 0 skipped, 0 expired',
      );
      expect(lines).toContain(
        'team_accesses: 3 rows read; 3 created, 0 updated, 0 deleted, 0 unchanged, 0 skipped, 0 expired',
      );
    } finally {
      await source.close();
      await side.close();
    }
  }, 120_000);
});

describe('desk import people --dry-run', () => {
  let source: PeopleSource;
  let side: DeskSide;
  let dry: Finished;
  beforeAll(async () => {
    source = await createPeopleSource();
    side = await deskSide();
    const team = await insertTeam(source.sql);
    for (let i = 0; i < 3; i++)
      await insertTeamAccess(source.sql, { team, user: await insertUser(source.sql) });
    await insertUser(source.sql, { language: 'xx' });
    dry = await desk(['people', '--from', source.url, '--dry-run', '--batch-size', '2'], side.env);
  }, 120_000);
  afterAll(async () => {
    await source?.close();
    await side?.close();
  });

  it('says nothing was written, and what the import would do', () => {
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      'Dry run, nothing was written: the import would create 8, update 0, delete 0 and skip 0 rows.\n',
    );
  });

  it('leaves every table of Desk empty, imported_rows too', async () => {
    const tables = await side.use(async (db) => {
      const names = await query<{ name: string }>(
        db,
        `SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
      );
      return Promise.all(names.map(async ({ name }) => [name, await count(db, name)] as const));
    });
    expect(tables.map(([name]) => name)).toContain('imported_rows');
    expect(tables.filter(([, n]) => n > 0)).toEqual([]);
  });

  it('reports the counts the real run then makes', async () => {
    const real = await desk(['people', '--from', source.url, '--batch-size', '2'], side.env);
    expect(real.code).toBe(0);
    expect(summaryOf(dry.stdout)).toEqual(summaryOf(real.stdout));
    expect(changes(real.stdout)).toEqual({
      users: { created: 4 },
      teams: { created: 1 },
      team_accesses: { created: 3 },
    });
  }, 120_000);
});

describe('a batch Desk refuses', () => {
  let source: PeopleSource;
  let side: DeskSide;
  let failed: Finished;
  const BATCH = 3;

  beforeAll(async () => {
    source = await createPeopleSource();
    side = await deskSide();
    const team = await insertTeam(source.sql);
    for (let i = 0; i < 10; i++)
      await insertTeamAccess(source.sql, { team, user: await insertUser(source.sql) });
    // Desk's side fails at the third statement writing team accesses: the third batch.
    await side.use(async (db) => {
      for (const statement of [
        'CREATE TABLE refusals (n int NOT NULL)',
        'INSERT INTO refusals VALUES (0)',
        `CREATE FUNCTION refuse_third_batch() RETURNS trigger LANGUAGE plpgsql AS $$
         DECLARE k int;
         BEGIN
           UPDATE refusals SET n = n + 1 RETURNING n INTO k;
           IF k = 3 THEN RAISE EXCEPTION 'team accesses refused for this test'; END IF;
           RETURN NULL;
         END $$`,
        `CREATE TRIGGER refuse_third_batch AFTER INSERT ON team_accesses
         FOR EACH STATEMENT EXECUTE FUNCTION refuse_third_batch()`,
      ])
        await db.execute(sql.raw(statement));
    });
    failed = await desk(['people', '--from', source.url, '--batch-size', String(BATCH)], side.env);
  }, 120_000);
  afterAll(async () => {
    await source?.close();
    await side?.close();
  });

  it('stops the command, saying Desk is as it was before that batch and to run it again', () => {
    expect(failed.code).toBe(1);
    expect(failed.stderr).not.toMatch(NO_STACK);
    expect(failed.stderr).toContain(
      "The import stopped at team_accesses: team accesses refused for this test\nDesk's database is as it was before the batch that failed; run the import again to go on.\n",
    );
    expect(failed.stderr).not.toContain('INSERT INTO');
  });

  it('keeps the accesses of the batches before, and none of the failed batch', async () => {
    const firstTwoBatches = (
      await source.sql<{ id: string }[]>`SELECT id FROM people_team_access ORDER BY id LIMIT ${2 * BATCH}`
    ).map((r) => r.id);
    const [accesses, remembered] = await side.use((db) =>
      Promise.all([
        query<{ id: string }>(db, 'SELECT id FROM team_accesses ORDER BY id'),
        query<{ id: string }>(
          db,
          "SELECT id FROM imported_rows WHERE table_name = 'team_accesses' ORDER BY id",
        ),
      ]),
    );
    expect(accesses.map((r) => r.id)).toEqual(firstTwoBatches);
    expect(remembered.map((r) => r.id)).toEqual(firstTwoBatches);
  });

  it('finishes when run again once Desk takes the batch', async () => {
    await side.use((db) => db.execute(sql.raw('DROP TRIGGER refuse_third_batch ON team_accesses')));
    const again = await desk(['people', '--from', source.url, '--batch-size', String(BATCH)], side.env);
    expect(again.code).toBe(0);
    expect(summaryOf(again.stdout).team_accesses).toMatchObject({ read: 10, created: 4, unchanged: 6 });
    expect(await side.use((db) => count(db, 'team_accesses'))).toBe(10);
  }, 120_000);
});
