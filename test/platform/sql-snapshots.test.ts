// The SQL of the hot routes is what sql/ holds (issue 15), and the hot reads are prepared once per database.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { differences, formatSql, generateSqlSnapshots, REGENERATE } from '../../scripts/sql-snapshots.ts';
import { configFrom } from '../../src/platform/config.ts';
import type { Db } from '../../src/platform/database.ts';
import { Metrics } from '../../src/platform/metrics.ts';
import { findActiveUserById, users } from '../../src/users/index.ts';
import { type TestDatabase, testDatabase, uniqueEmail } from '../support/parts.ts';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await testDatabase();
});

afterAll(async () => {
  await testDb?.drop();
});

describe('sql/', () => {
  it('holds the statements the hot routes send', async () => {
    const found = differences(await generateSqlSnapshots(testDb.database));
    expect(
      found,
      `The SQL of a hot route changed. Run \`${REGENERATE}\`, check the EXPLAIN of the changed statements, and commit sql/ with the change.\n${found.join('\n')}`,
    ).toEqual([]);
  });

  it('formats a statement by changing only its whitespace', () => {
    const text = `select "a", (select count(*) from t o where o.x = $1 and o.role = 'order by') from "t" where ("t"."a" = $2) order by lower("t"."b") asc limit $3`;
    expect(formatSql(text)).toBe(
      [
        `select "a", (`,
        `  select count(*)`,
        `  from t o`,
        `  where o.x = $1 and o.role = 'order by'`,
        `)`,
        `from "t"`,
        `where ("t"."a" = $2)`,
        `order by lower("t"."b") asc`,
        `limit $3`,
      ].join('\n'),
    );
  });
});

/** The database with its sessions' prepareQuery counted: a prepared query is built once, then only executed. */
function countingPrepares(db: Db): { db: Db; prepares: () => number } {
  let prepares = 0;
  const counted = new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'session') return Reflect.get(target, property, receiver);
      const session = (target as unknown as { session: { prepareQuery: (...a: unknown[]) => unknown } })
        .session;
      return new Proxy(session, {
        get(s, p, r) {
          if (p !== 'prepareQuery') return Reflect.get(s, p, r);
          return (...args: unknown[]) => {
            prepares += 1;
            return s.prepareQuery(...args);
          };
        },
      });
    },
  });
  return { db: counted, prepares: () => prepares };
}

describe('hot reads', () => {
  it('are built once per database, then only executed', async () => {
    const [user] = await testDb.database.db
      .insert(users)
      .values({ email: uniqueEmail(), name: 'Prepared' })
      .returning();
    const { db, prepares } = countingPrepares(testDb.database.db);
    for (let i = 0; i < 3; i += 1) expect((await findActiveUserById(db, user!.id))?.id).toBe(user!.id);
    expect(prepares()).toBe(1);
    // Another database object (another Desk, another timed view) prepares its own.
    const other = countingPrepares(testDb.database.db);
    await findActiveUserById(other.db, user!.id);
    expect(other.prepares()).toBe(1);
  });

  it('are timed at each call through the metrics view of the database', async () => {
    const [user] = await testDb.database.db
      .insert(users)
      .values({ email: uniqueEmail(), name: 'Timed' })
      .returning();
    const metrics = new Metrics(configFrom({ METRICS_PORT: '0' }));
    const { db } = metrics.timedDatabase(testDb.database);
    for (let i = 0; i < 3; i += 1) await findActiveUserById(db, user!.id);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^desk_database_query_duration_seconds_count 3$/m);
  });

  it('run inside the transaction they are given', async () => {
    const id = crypto.randomUUID();
    await expect(
      testDb.database.db.transaction(async (tx) => {
        await tx.insert(users).values({ id, email: uniqueEmail(), name: 'Uncommitted' });
        expect((await findActiveUserById(tx, id))?.id).toBe(id);
        await tx.execute(sql`select 1`);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await findActiveUserById(testDb.database.db, id)).toBeUndefined();
  });
});
