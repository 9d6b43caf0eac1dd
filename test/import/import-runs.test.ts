// `desk import people` run after run (DESIGN.md §10), in process: a second run with the same source changes nothing
// and writes nothing, a changed source is followed exactly, rows Desk made itself are never deleted, a dry run
// reports what the real run then does and leaves Desk as it was; and how progress shows on a terminal.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { importPeople, type Problem, type TableResult } from '../../src/import/index.ts';
import { progressOn } from '../../src/import/progress.ts';
import { type Db, rowsOf } from '../../src/platform/database.ts';
import { insertTeam as insertDeskTeam } from '../../src/teams/index.ts';
import { users } from '../../src/users/index.ts';
import { type TestDatabase, testDatabase, uniqueEmail } from '../support/parts.ts';
import {
  createPeopleSource,
  insertAlias,
  insertContact,
  insertInvitation,
  insertMailbox,
  insertMailDomain,
  insertMailDomainAccess,
  insertOrganization,
  insertServiceProvider,
  insertTeam,
  insertTeamAccess,
  insertUser,
  linkTeamServiceProvider,
  type PeopleSource,
} from '../support/people-source.ts';

const WEEK = 7 * 24 * 3600;

let desk: TestDatabase;
beforeAll(async () => {
  desk = await testDatabase();
});
afterAll(async () => {
  await desk?.drop();
});

const sources: PeopleSource[] = [];
afterEach(async () => {
  for (const source of sources.splice(0)) await source.close();
});

/** A fresh people source, and Desk's database emptied (every table of it starts empty). */
async function fresh(): Promise<{ source: PeopleSource; db: Db }> {
  const source = await createPeopleSource();
  sources.push(source);
  const db = desk.database.db;
  const tables = await deskTables(db);
  await db.execute(sql.raw(`TRUNCATE ${tables.map((t) => `"${t}"`).join(', ')} CASCADE`));
  return { source, db };
}

async function importInto(db: Db, source: PeopleSource, options: { dryRun?: boolean } = {}) {
  const problems: Problem[] = [];
  const result = await importPeople({
    from: source.url,
    db,
    dryRun: options.dryRun,
    batchSize: 2,
    invitationValiditySeconds: WEEK,
    onProblem: (p) => problems.push(p),
  });
  return { ...result, problemList: problems };
}

type Changes = Record<string, Partial<Pick<TableResult, 'created' | 'updated' | 'deleted' | 'skipped'>>>;

/** What a run did, by table: only the tables and counts that are not zero. */
function changes(tables: TableResult[]): Changes {
  const done: Changes = {};
  for (const t of tables)
    for (const what of ['created', 'updated', 'deleted', 'skipped'] as const)
      if (t[what]) done[t.table] = { ...done[t.table], [what]: t[what] };
  return done;
}

async function query<T>(db: Db, text: string): Promise<T[]> {
  return rowsOf<T>(await db.execute(sql.raw(text)));
}

/** Every table of Desk's schema (imported_rows included). */
async function deskTables(db: Db): Promise<string[]> {
  const rows = await query<{ name: string }>(
    db,
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return rows.map((r) => r.name);
}

/** Where each row of each table is stored and which transaction wrote it: any rewrite of a row changes it. */
async function rowVersions(db: Db): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const table of await deskTables(db)) {
    const [row] = await query<{ v: string | null }>(
      db,
      `SELECT string_agg(xmin::text || '@' || ctid::text, ' ' ORDER BY ctid) AS v FROM "${table}"`,
    );
    versions[table] = row?.v ?? '';
  }
  return versions;
}

/** The last transaction that wrote or locked each row of each table: a row lock changes it too. */
async function rowLocks(db: Db): Promise<Record<string, string>> {
  const locks: Record<string, string> = {};
  for (const table of await deskTables(db)) {
    const [row] = await query<{ v: string | null }>(
      db,
      `SELECT string_agg(xmax::text, ' ' ORDER BY ctid) AS v FROM "${table}"`,
    );
    locks[table] = row?.v ?? '';
  }
  return locks;
}

/** Each table's row count and a digest of its contents. */
async function contents(db: Db): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const table of await deskTables(db)) {
    const [row] = await query<{ n: number; digest: string | null }>(
      db,
      `SELECT count(*)::int AS n, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS digest FROM "${table}" t`,
    );
    digests[table] = `${row?.n} rows ${row?.digest ?? ''}`;
  }
  return digests;
}

async function ids(db: Db, table: string): Promise<string[]> {
  return (await query<{ id: string }>(db, `SELECT id FROM ${table} ORDER BY id`)).map((r) => r.id);
}

/**
 * A small people deployment: an organization, four users, a service provider, a team linked to it with four
 * members and an invitation, a team `parent` with two children and a grandchild, a profile contact, a mail domain
 * with an access, a mailbox and an alias.
 */
async function smallPeople(source: PeopleSource) {
  const { sql: people } = source;
  const organization = await insertOrganization(people, { domain_list: ['ville.example.gouv.fr'] });
  const [alice, bob, carol, dave] = await Promise.all(
    ['alice', 'bob', 'carol', 'dave'].map((name) => insertUser(people, { name, organization })),
  );
  if (!alice || !bob || !carol || !dave) throw new Error('users not made');
  const provider = await insertServiceProvider(people);
  const team = await insertTeam(people, { name: 'Communication', organization });
  await linkTeamServiceProvider(people, team, provider);
  const access = {
    alice: await insertTeamAccess(people, { team, user: alice, role: 'owner' }),
    bob: await insertTeamAccess(people, { team, user: bob, role: 'member' }),
    carol: await insertTeamAccess(people, { team, user: carol, role: 'member' }),
    dave: await insertTeamAccess(people, { team, user: dave, role: 'member' }),
  };
  await insertInvitation(people, { team, issuer: alice });
  const parent = await insertTeam(people, { name: 'Direction' });
  const child = await insertTeam(people, { parent, name: 'Budget' });
  await insertTeam(people, { parent, name: 'Achats' });
  const grandchild = await insertTeam(people, { parent: child, name: 'Paie' });
  await insertTeamAccess(people, { team: parent, user: alice, role: 'owner' });
  await insertTeamAccess(people, { team: child, user: bob, role: 'administrator' });
  await insertTeamAccess(people, { team: grandchild, user: carol, role: 'member' });
  await insertContact(people, { owner: alice, user: alice, full_name: 'Alice Martin' });
  const domain = await insertMailDomain(people, { organization, status: 'enabled' });
  await insertMailDomainAccess(people, { domain, user: alice, role: 'owner' });
  await insertMailbox(people, { domain, status: 'enabled' });
  await insertAlias(people, { domain });
  return { alice, bob, carol, dave, team, access, parent };
}

type Small = Awaited<ReturnType<typeof smallPeople>>;

/**
 * What people's users do between two imports: rename a team, make a member administrator, remove another, delete a
 * user (people deletes their accesses with them), add a contact, delete a team with its subteams (treebeard deletes
 * the descendants, people the accesses to them).
 */
async function changePeople(source: PeopleSource, s: Small) {
  const { sql: people } = source;
  await people`UPDATE people_team SET name = 'Communication et presse', updated_at = now() WHERE id = ${s.team.id}`;
  await people`UPDATE people_team_access SET role = 'administrator', updated_at = now() WHERE id = ${s.access.bob.id}`;
  await people`DELETE FROM people_team_access WHERE id = ${s.access.carol.id}`;
  await people`DELETE FROM people_team_access WHERE user_id = ${s.dave.id}`;
  await people`DELETE FROM people_user WHERE id = ${s.dave.id}`;
  await insertContact(people, { owner: s.bob, full_name: 'Standard de la mairie' });
  const tree = people`SELECT id FROM people_team WHERE path LIKE ${`${s.parent.path}%`}`;
  await people`DELETE FROM people_team_access WHERE team_id IN (${tree})`;
  await people`DELETE FROM people_team WHERE id IN (${tree})`;
}

/** What a run after changePeople does. */
const CHANGED: Changes = {
  teams: { updated: 1, deleted: 4 },
  // bob's new role; carol's and dave's accesses, and the three to the deleted teams.
  team_accesses: { updated: 1, deleted: 5 },
  users: { deleted: 1 },
  contacts: { created: 1 },
};

describe('a second import with the same source', () => {
  it('reports 0 created, 0 updated and 0 deleted for every table', async () => {
    const { source, db } = await fresh();
    await smallPeople(source);
    const first = await importInto(db, source);
    expect(first.tables.find((t) => t.table === 'team_accesses')?.created).toBe(7);

    const second = await importInto(db, source);
    expect(changes(second.tables)).toEqual({});
    expect(second.tables.every((t) => t.unchanged === t.read)).toBe(true);
  });

  it('writes nothing: every row of Desk stays where it was, written by the same transaction', async () => {
    const { source, db } = await fresh();
    await smallPeople(source);
    await importInto(db, source);
    const before = await rowVersions(db);
    expect(before.users?.split(' ')).toHaveLength(4);

    await importInto(db, source);
    expect(await rowVersions(db)).toEqual(before);
  });

  it('locks no row of Desk either', async () => {
    const { source, db } = await fresh();
    await smallPeople(source);
    await importInto(db, source);
    const before = await rowLocks(db);

    await importInto(db, source);
    expect(await rowLocks(db)).toEqual(before);
  });
});

describe('an import after people changed', () => {
  it('reports exactly the teams, accesses, users and contacts that changed, and nothing else', async () => {
    const { source, db } = await fresh();
    const s = await smallPeople(source);
    await importInto(db, source);
    await changePeople(source, s);

    const result = await importInto(db, source);
    expect(changes(result.tables)).toEqual(CHANGED);
    expect(result.problemList).toEqual([]);
  });

  it('leaves Desk with what people has: names, roles, the teams, accesses, users and contacts left', async () => {
    const { source, db } = await fresh();
    const s = await smallPeople(source);
    await importInto(db, source);
    await changePeople(source, s);
    await importInto(db, source);

    const { sql: people } = source;
    for (const table of ['users', 'teams', 'team_accesses', 'contacts']) {
      const inPeople = await people.unsafe<{ id: string }[]>(
        `SELECT id FROM ${table === 'team_accesses' ? 'people_team_access' : `people_${table.replace(/s$/, '')}`} ORDER BY id`,
      );
      expect(await ids(db, table), table).toEqual(inPeople.map((r) => r.id));
    }
    const [team] = await query<{ name: string }>(db, `SELECT name FROM teams WHERE id = '${s.team.id}'`);
    expect(team?.name).toBe('Communication et presse');
    const [bob] = await query<{ role: string }>(
      db,
      `SELECT role FROM team_accesses WHERE id = '${s.access.bob.id}'`,
    );
    expect(bob?.role).toBe('administrator');
  });

  it('then changes nothing the run after', async () => {
    const { source, db } = await fresh();
    const s = await smallPeople(source);
    await importInto(db, source);
    await changePeople(source, s);
    await importInto(db, source);
    const before = await rowVersions(db);

    const again = await importInto(db, source);
    expect(changes(again.tables)).toEqual({});
    expect(await rowVersions(db)).toEqual(before);
  });

  it('never deletes a user, a team or an access Desk made itself, even on a team people deleted', async () => {
    const { source, db } = await fresh();
    const s = await smallPeople(source);
    await importInto(db, source);
    const [agent] = await db
      .insert(users)
      .values({ email: uniqueEmail('agent'), name: 'Agent made in Desk', sub: `sub-${randomUUID()}` })
      .returning();
    if (!agent) throw new Error('no user');
    const made = await insertDeskTeam(db, 'Made in Desk', { id: agent.id, organizationId: null });
    await db.execute(
      sql`INSERT INTO team_accesses (team_id, user_id, role) VALUES (${s.team.id}, ${agent.id}, 'member')`,
    );
    await changePeople(source, s);

    const result = await importInto(db, source);
    expect(changes(result.tables)).toEqual(CHANGED);
    expect(await ids(db, 'users')).toContain(agent.id);
    expect(await ids(db, 'teams')).toContain(made.team.id);
    const accesses = await query<{ team_id: string }>(
      db,
      `SELECT team_id FROM team_accesses WHERE user_id = '${agent.id}' ORDER BY team_id`,
    );
    expect(accesses.map((a) => a.team_id)).toEqual([made.team.id, s.team.id].sort());
  });

  it('keeps the access of a member removed and added again in people (a new access id), without a conflict', async () => {
    const { source, db } = await fresh();
    const s = await smallPeople(source);
    await importInto(db, source);
    const { sql: people } = source;
    await people`DELETE FROM people_team_access WHERE id = ${s.access.bob.id}`;
    const again = await insertTeamAccess(people, { team: s.team, user: s.bob, role: 'administrator' });

    const result = await importInto(db, source);
    expect(result.problemList).toEqual([]);
    expect(changes(result.tables)).toEqual({ team_accesses: { created: 1, deleted: 1 } });
    const bob = await query<{ id: string; role: string }>(
      db,
      `SELECT id, role FROM team_accesses WHERE user_id = '${s.bob.id}' AND team_id = '${s.team.id}'`,
    );
    expect(bob).toEqual([{ id: again.id, role: 'administrator' }]);
  });

  it('takes a user people deleted and made again at the next login (same sub, a new id) in one run', async () => {
    const { source, db } = await fresh();
    const s = await smallPeople(source);
    await importInto(db, source);
    const { sql: people } = source;
    await people`DELETE FROM people_team_access WHERE user_id = ${s.dave.id}`;
    await people`DELETE FROM people_user WHERE id = ${s.dave.id}`;
    const reborn = await insertUser(people, { sub: s.dave.sub, email: s.dave.email, name: 'dave' });

    const result = await importInto(db, source);
    expect(result.problemList).toEqual([]);
    expect(changes(result.tables)).toEqual({
      users: { created: 1, deleted: 1 },
      team_accesses: { deleted: 1 },
    });
    const [user] = await query<{ id: string }>(db, `SELECT id FROM users WHERE sub = '${s.dave.sub}'`);
    expect(user?.id).toBe(reborn.id);
  });
});

describe('a dry run', () => {
  it('reports the counts the real run then makes, on an empty Desk', async () => {
    const { source, db } = await fresh();
    await smallPeople(source);

    const dry = await importInto(db, source, { dryRun: true });
    const real = await importInto(db, source);
    expect(dry.dryRun).toBe(true);
    expect(dry.tables).toEqual(real.tables);
    expect(changes(dry.tables).team_accesses).toEqual({ created: 7 });
  });

  it('reports the updates and deletions the real run then makes, after people changed', async () => {
    const { source, db } = await fresh();
    const s = await smallPeople(source);
    await importInto(db, source);
    await changePeople(source, s);

    const dry = await importInto(db, source, { dryRun: true });
    const real = await importInto(db, source);
    expect(changes(dry.tables)).toEqual(CHANGED);
    expect(dry.tables).toEqual(real.tables);
  });

  it('leaves every table of Desk as it was, and remembers no imported row', async () => {
    const { source, db } = await fresh();
    await smallPeople(source);
    const before = await contents(db);

    await importInto(db, source, { dryRun: true });
    expect(await contents(db)).toEqual(before);
    expect(await query(db, 'SELECT * FROM imported_rows')).toEqual([]);
  });

  it('leaves every table of Desk as it was after people changed', async () => {
    const { source, db } = await fresh();
    const s = await smallPeople(source);
    await importInto(db, source);
    await changePeople(source, s);
    const before = await contents(db);

    await importInto(db, source, { dryRun: true });
    expect(await contents(db)).toEqual(before);
  });
});

describe('the progress bar on a terminal', () => {
  function terminal() {
    const written: string[] = [];
    const stream = { isTTY: true, write: (chunk: string) => written.push(chunk) > 0 };
    return { written, stream: stream as unknown as NodeJS.WriteStream };
  }

  it('redraws one line in place with the rows done, the rate and the time left', () => {
    const { written, stream } = terminal();
    let now = 0;
    const progress = progressOn(stream, () => now);
    progress.start('users', 30_000);
    now = 2_000;
    progress.advance('users', 10_000);

    expect(written).toHaveLength(2);
    expect(written[1]).toBe(
      `\r\x1b[2K${'users'.padEnd(30)} ${'█'.repeat(8)}${'░'.repeat(16)} 10,000 / 30,000 rows, 5,000 rows/s, 4 s left`,
    );
    expect(written.join('')).not.toContain('\n');
  });

  it('says minutes for a long time left, and fills the bar when done', () => {
    const { written, stream } = terminal();
    let now = 0;
    const progress = progressOn(stream, () => now);
    progress.start('team_accesses', 600_000);
    now = 10_000;
    progress.advance('team_accesses', 5_000);
    now = 20_000;
    progress.advance('team_accesses', 600_000);

    expect(written[1]).toContain('5,000 / 600,000 rows, 500 rows/s, 19 min 50 s left');
    expect(written[2]).toContain(`${'█'.repeat(24)} 600,000 / 600,000 rows, 30,000 rows/s, 0 s left`);
  });

  it("replaces its bar with the table's outcome when the table is done, so the next table starts on a clean line", () => {
    const { written, stream } = terminal();
    const progress = progressOn(stream, () => 0);
    progress.start('teams', 3);
    progress.end({
      table: 'teams',
      source: 'people_team',
      read: 3,
      created: 3,
      updated: 0,
      deleted: 0,
      unchanged: 0,
      skipped: 0,
      expired: 0,
    });
    expect(written.at(-1)).toBe(
      '\r\x1b[2Kteams: 3 rows read; 3 created, 0 updated, 0 deleted, 0 unchanged, 0 skipped, 0 expired\n',
    );
  });
});
