// people's team webhooks come across (DESIGN.md §10, §12): same id, URL, protocol and status, their secret encrypted
// as Desk keeps them; the memberships an import brings are not changes to deliver; a second run writes nothing.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPeople, type Problem } from '../../src/import/index.ts';
import { WebhookSecrets } from '../../src/webhooks/index.ts';
import { teamWebhookDeliveries, teamWebhooks } from '../../src/webhooks/schema.ts';
import { type TestDatabase, testDatabase } from '../support/parts.ts';
import {
  createPeopleSource,
  insertOrganization,
  insertTeam,
  insertTeamAccess,
  insertTeamWebhook,
  insertUser,
  type PeopleSource,
} from '../support/people-source.ts';

let source: PeopleSource;
let desk: TestDatabase;
const secrets = new WebhookSecrets('a-secret-key-of-at-least-thirty-two-characters');
beforeAll(async () => {
  [source, desk] = await Promise.all([createPeopleSource(), testDatabase()]);
});
afterAll(async () => {
  await Promise.all([source?.close(), desk?.drop()]);
});

const run = (problems: Problem[] = [], withSecrets = true) =>
  importPeople({
    from: source.url,
    db: desk.database.db,
    invitationValiditySeconds: 604_800,
    onProblem: (p) => problems.push(p),
    ...(withSecrets ? { webhookSecrets: secrets } : {}),
  });

describe('people’s team webhooks', () => {
  it('are left out, and counted, when the import has no SECRET_KEY to encrypt their secrets', async () => {
    const organization = await insertOrganization(source.sql);
    const team = await insertTeam(source.sql, { organization });
    await insertTeamWebhook(source.sql, { team, secret: 'first' });
    const result = await run([], false);
    expect(result.leftOut).toContainEqual(
      expect.objectContaining({ source: 'people_team_webhook', rows: 1 }),
    );
    expect(result.tables.find((t) => t.table === 'team_webhooks')).toBeUndefined();
  });

  it('come across with their URL, protocol, status and a secret Desk decrypts, and no membership to deliver', async () => {
    const organization = await insertOrganization(source.sql);
    const team = await insertTeam(source.sql, { organization });
    for (let i = 0; i < 3; i++)
      await insertTeamAccess(source.sql, { team, user: await insertUser(source.sql, { organization }) });
    const hook = await insertTeamWebhook(source.sql, {
      team,
      url: 'https://www.tchap.gouv.fr/#/room/!room:agent.tchap.gouv.fr',
      protocol: 'matrix',
      status: 'success',
      secret: 'syt_bot_token',
    });
    const problems: Problem[] = [];
    const result = await run(problems);
    expect(result.leftOut.map((l) => l.source)).not.toContain('people_team_webhook');
    expect(problems).toEqual([]);
    const [row] = await desk.database.db.select().from(teamWebhooks).where(eq(teamWebhooks.id, hook.id));
    expect(row).toMatchObject({ teamId: team.id, url: hook.url, protocol: 'matrix', status: 'success' });
    expect(row?.secret).not.toContain('syt_bot_token');
    expect(secrets.decrypt(row?.secret ?? '', hook.id)).toBe('syt_bot_token');
    const [pending] = await desk.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(teamWebhookDeliveries)
      .where(eq(teamWebhookDeliveries.webhookId, hook.id));
    expect(pending?.n).toBe(0);
  });

  it('write nothing the second time', async () => {
    await run();
    const again = await run();
    expect(again.tables.find((t) => t.table === 'team_webhooks')).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
    });
  });

  it('in a protocol Desk does not speak are reported and skipped', async () => {
    const organization = await insertOrganization(source.sql);
    const team = await insertTeam(source.sql, { organization });
    const odd = await insertTeamWebhook(source.sql, { team, protocol: 'slack' });
    const problems: Problem[] = [];
    await run(problems);
    expect(problems).toContainEqual({
      table: 'team_webhooks',
      id: odd.id,
      problem: 'protocol "slack" is not one Desk speaks',
      outcome: 'skipped',
    });
  });
});
