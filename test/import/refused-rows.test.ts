// A row Desk's database refuses for what it holds — a constraint the importer's own checks did not foresee — is
// found (the batch halved until it is alone), reported and skipped; the rest of its batch and the import go on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPeople, type Problem } from '../../src/import/index.ts';
import { rowsOf } from '../../src/platform/database.ts';
import { type TestDatabase, testDatabase } from '../support/parts.ts';
import {
  createPeopleSource,
  insertOrganization,
  insertTeam,
  insertTeamAccess,
  insertUser,
  type PeopleSource,
} from '../support/people-source.ts';

let source: PeopleSource;
let desk: TestDatabase;
beforeAll(async () => {
  [source, desk] = await Promise.all([createPeopleSource(), testDatabase()]);
});
afterAll(async () => {
  await Promise.all([source?.close(), desk?.drop()]);
});

describe('a row Desk refuses', () => {
  it('is reported and skipped, and every other row of its batch is imported', async () => {
    const organization = await insertOrganization(source.sql);
    const team = await insertTeam(source.sql, { organization });
    const accesses = [];
    for (let i = 0; i < 7; i++) {
      const user = await insertUser(source.sql, { organization });
      // people's role is a CharField with choices checked in Python only: its database can hold any string.
      accesses.push(
        await insertTeamAccess(source.sql, { team, user, role: i === 4 ? 'superadmin' : 'member' }),
      );
    }
    const odd = accesses[4];
    const problems: Problem[] = [];
    const result = await importPeople({
      from: source.url,
      db: desk.database.db,
      batchSize: 3,
      invitationValiditySeconds: 604_800,
      onProblem: (p) => problems.push(p),
    });
    expect(result.tables.find((t) => t.table === 'team_accesses')).toMatchObject({
      read: 7,
      created: 6,
      skipped: 1,
    });
    expect(problems).toEqual([
      {
        table: 'team_accesses',
        id: odd?.id,
        problem: expect.stringMatching(/^Desk refused it: .*team_accesses_role_check/),
        outcome: 'skipped',
      },
    ]);
    const imported = rowsOf<{ id: string }>(
      await desk.database.db.execute(`SELECT id FROM team_accesses WHERE team_id = '${team.id}'`),
    );
    expect(imported.map((r) => r.id).sort()).toEqual(
      accesses
        .filter((a) => a !== odd)
        .map((a) => a.id)
        .sort(),
    );
  });
});
