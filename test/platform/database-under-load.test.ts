// Agents keep working while PostgreSQL's schema changes under them (a migration during a rolling upgrade) or while
// the database stops answering without closing anything: no session is lost, Desk answers 200 or 503 (with
// Retry-After, within a bound, never a hang, a 401 or a 500), and recovers by itself.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUnavailable } from '../../src/platform/database.ts';
import { openPostgres } from '../../src/platform/postgres-client.ts';
import type { Browser } from '../support/browser.ts';
import {
  expectEverySessionValid,
  expectOnly200Or503,
  keepCalling,
  loggedInAgents,
  proxiedDatabase,
  READS,
  SEARCH,
  until,
  WRITES,
} from '../support/load.ts';
import { DATABASE_URL, REDIS_URL, type TestDatabase, testDatabase } from '../support/parts.ts';
import { type DeskProcess, startDeskProcess } from '../support/processes.ts';
import type { TcpProxy } from '../support/tcp-proxy.ts';

describe.runIf(DATABASE_URL)(
  'a column type changing while agents work (a migration during a rolling upgrade)',
  () => {
    let testDb: TestDatabase;
    let desk: DeskProcess;
    let agents: Browser[];

    beforeAll(async () => {
      testDb = await testDatabase();
      desk = await startDeskProcess({
        DATABASE_URL: testDb.url,
        ...(REDIS_URL ? { REDIS_URL } : {}),
        SECRET_KEY: 'a-secret-for-the-migration-test-0123456789abcdef',
      });
      // More agents than pooled connections, so statements queue for them.
      agents = await loggedInAgents(testDb, desk.url, 14);
    }, 60_000);

    afterAll(async () => {
      await desk?.stop();
      await testDb?.drop();
    });

    it('keeps every session and answers only 200 or 503 while users.language changes type, back and forth', async () => {
      const load = keepCalling(agents, 20_000);
      const admin = postgres(testDb.url, { max: 1, onnotice: () => {} });
      try {
        for (const type of ['text', 'varchar(10)', 'text', 'varchar(10)']) {
          const before = load.answers.length;
          expect(await until(() => load.answers.length >= before + 60, 20_000)).toBe(true);
          // Each pooled connection's prepared statements now return another type: PostgreSQL refuses them once.
          await admin.unsafe(`ALTER TABLE users ALTER COLUMN language TYPE ${type}`);
        }
        const after = load.answers.length;
        expect(await until(() => load.answers.length >= after + 60, 20_000)).toBe(true);
      } finally {
        await admin.end();
      }
      const answers = await load.stop();
      expectOnly200Or503(answers);
      expect(answers.at(-1)?.status).toBe(200);
      await expectEverySessionValid(agents);
    });
  },
);

describe.runIf(DATABASE_URL)('a database that stops answering (no FIN, no RST)', () => {
  // DATABASE_QUERY_TIMEOUT=1: PostgreSQL's statement timeout is 1 s, and Desk gives a silent database up after 3 s.
  const BOUND_MS = 3_000;
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  let desk: DeskProcess;
  let agents: Browser[];

  beforeAll(async () => {
    testDb = await testDatabase();
    const proxied = await proxiedDatabase(testDb.url);
    proxy = proxied.proxy;
    desk = await startDeskProcess({
      DATABASE_URL: proxied.url,
      DATABASE_QUERY_TIMEOUT: '1',
      ...(REDIS_URL ? { REDIS_URL } : {}),
      SECRET_KEY: 'a-secret-for-the-silence-test-0123456789abcdef',
    });
    agents = await loggedInAgents(testDb, desk.url, 8);
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
    await proxy?.close();
    await testDb?.drop();
  });

  it('answers reads and writes 503 with Retry-After within the bound while silent, then serves the same sessions again by itself', async () => {
    // Half the agents read, half create teams (a transaction): some are inside one when the database goes silent.
    const load = keepCalling(agents, 30_000, (i) => (i % 2 ? WRITES : READS));
    expect(await until(() => load.answers.filter((a) => a.status === 201).length >= 12, 20_000)).toBe(true);
    const stalledAt = Date.now();
    proxy.stall();
    const duringOutage = () => load.answers.filter((a) => a.at >= stalledAt);
    // Silent until many calls were refused and every call in flight when it went silent was answered.
    const refused = await until(
      () =>
        duringOutage().filter((a) => a.status === 503).length >= 12 &&
        duringOutage().some((a) => a.method === 'POST' && a.status === 503) &&
        agents.every((_, i) => duringOutage().some((a) => a.agent === i)),
      30_000,
    );
    proxy.resume();
    const resumedAt = Date.now();
    const recovered = await until(
      async () => (await agents[0]!.get('/api/v1.0/users/me/')).status === 200,
      20_000,
    );
    // User search runs on connections of its own: they come back too.
    const searching = await until(async () => (await agents[0]!.get(SEARCH.path)).status === 200, 20_000);
    const served = (method: string, status: number) =>
      load.answers.some((a) => a.at > resumedAt && a.method === method && a.status === status);
    expect(await until(() => served('GET', 200) && served('POST', 201), 20_000)).toBe(true);
    const answers = await load.stop();
    expect(refused).toBe(true);
    expect(recovered).toBe(true);
    expect(searching).toBe(true);
    expectOnly200Or503(answers);
    // Every answer given while silent came within the bound of the call or of the silence, whichever came later
    // (plus the time Desk takes to answer at all): a write caught inside its transaction too.
    const waited = answers
      .filter((a) => a.at + a.ms > stalledAt && a.at < resumedAt)
      .map((a) => ({ method: a.method, ms: a.at + a.ms - Math.max(a.at, stalledAt) }));
    const slowest = (method: string) =>
      Math.max(...waited.filter((a) => a.method === method).map((a) => a.ms));
    expect(slowest('GET')).toBeLessThan(BOUND_MS + 1_500);
    expect(slowest('POST')).toBeLessThan(BOUND_MS + 1_500);
    await expectEverySessionValid(agents);
    expect(desk.output()).not.toContain('unhandled error');
  }, 120_000);
});

describe.runIf(DATABASE_URL)('a statement inside a transaction outrunning the deadline', () => {
  // DATABASE_QUERY_TIMEOUT of 0.5 s: Desk gives a statement up after 2.5 s.
  const DEADLINE_MS = 2_500;
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await testDatabase();
  }, 60_000);

  afterAll(async () => {
    await testDb?.drop();
  });

  it('fails the transaction at the deadline (503), not once the statement and a ROLLBACK behind it end', async () => {
    const { raw, client, genericPlans } = openPostgres(testDb.url, {
      transactionPooler: false,
      queryTimeoutMs: 500,
    });
    try {
      const started = Date.now();
      // The server keeps talking (a notice every 0.2 s for 8 s), so the connection is never silent: only the
      // statement's own deadline can end the wait.
      const failed = await client
        .begin(async (tx) => {
          await tx.unsafe('set local statement_timeout = 0');
          await tx.unsafe(
            `do $$ begin for i in 1..40 loop raise notice 'busy'; perform pg_sleep(0.2); end loop; end $$`,
          );
        })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      const ms = Date.now() - started;
      expect(databaseUnavailable(failed)).toBeDefined();
      expect(ms).toBeLessThan(DEADLINE_MS + 1_000);
      // The pool serves again (the transaction's connection is not reused while it is stuck).
      expect(await client.unsafe('select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await Promise.all([raw.end({ timeout: 5 }), genericPlans?.raw.end({ timeout: 5 })]);
    }
  }, 60_000);
});
