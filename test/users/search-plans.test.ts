// The search's look-ups are ones its indexes answer (migration 0017): a word prefix inside one organization reads that
// organization's tagged words, an empty query reads a page in name order. Plans are asked of a table of 6,000 agents
// with sequential scans off: a search whose SQL drifted from the index expressions could not use them.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, rowsOf, withSessionSettings } from '../../src/platform/database.ts';
import { searchUsers } from '../../src/users/index.ts';
import { DATABASE_URL, type TestDatabase, testDatabase } from '../support/parts.ts';
import { sqlLiteral as literal, recordStatements, type SentStatement } from '../support/statements.ts';

/** The statements one search sends, each built anew on a view of the database of its own (so `named` is seen). */
async function statementsOf(
  database: Database,
  q: string,
  organizationId: string | null,
): Promise<SentStatement[]> {
  const recording = recordStatements(database);
  try {
    await searchUsers(Object.create(database.db), { q, organizationId, limit: 20, offset: 0 });
  } finally {
    recording.stop();
  }
  return recording.sent;
}

/** The plans of the statements one search sends, with its parameters written in (as a custom plan sees them). */
async function plansOf(database: Database, q: string, organizationId: string | null): Promise<string[]> {
  const sent = await statementsOf(database, q, organizationId);
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    const plans: string[] = [];
    for (const { text, params } of sent) {
      const inlined = text.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]));
      const rows = rowsOf<{ 'QUERY PLAN': string }>(await tx.execute(sql.raw(`explain ${inlined}`)));
      plans.push(rows.map((row) => row['QUERY PLAN']).join('\n'));
    }
    return plans;
  });
}

/**
 * The generic plans of the statements one search sends (namedStatements: PostgreSQL may keep one after five runs), as
 * the planner chooses them, sequential scans allowed: planned for any parameters, not for these.
 */
async function genericPlansOf(
  database: Database,
  q: string,
  organizationId: string | null,
): Promise<string[]> {
  const sent = await statementsOf(database, q, organizationId);
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
    const plans: string[] = [];
    for (const [i, { text, params }] of sent.entries()) {
      await tx.execute(sql.raw(`prepare desk_generic_${i} as ${text}`));
      const rows = rowsOf<{ 'QUERY PLAN': string }>(
        await tx.execute(sql.raw(`explain execute desk_generic_${i}(${params.map(literal).join(', ')})`)),
      );
      await tx.execute(sql.raw(`deallocate desk_generic_${i}`));
      plans.push(rows.map((row) => row['QUERY PLAN']).join('\n'));
    }
    return plans;
  });
}

let testDb: TestDatabase;
const organizationId = crypto.randomUUID();
beforeAll(async () => {
  testDb = await testDatabase();
  // Enough agents, with statistics, that the planner weighs the indexes as it would in a real organization: 3,000 in
  // one organization and 3,000 without, named with words of hex digits (none starts with "mar" or looks like "jhon").
  const db = testDb.database.db;
  await db.execute(sql`insert into organizations (id, name) values (${organizationId}::uuid, 'Plans')`);
  await db.execute(sql`
    insert into users (name, email, organization_id)
    select substr(md5(i::text), 1, 6) || ' ' || substr(md5((i + 7)::text), 1, 9), 'agent.' || i || '@plans.example',
           case when i % 2 = 0 then ${organizationId}::uuid end
    from generate_series(1, 6000) as i`);
  await db.execute(sql`analyze users`);
}, 60_000);
afterAll(() => testDb.drop());

describe('user search plans', () => {
  it.each([
    ['in an organization', organizationId],
    ['without one', null],
  ])('looks a word prefix up in the words of the searcher’s organization (%s)', async (_, org) => {
    const [first] = await plansOf(testDb.database, 'mar', org);
    expect(first).toContain('users_search_words_idx');
  });

  it('looks look-alikes up in the same words index and the trigram index', async () => {
    const plans = await plansOf(testDb.database, 'jhon smithers', organizationId);
    expect(plans).toHaveLength(2);
    expect(plans[1]).toContain('users_search_words_idx');
    expect(plans[1]).toMatch(/users_search_(org_)?name_trgm_idx/);
  });

  it.each([
    ['a word', 'mar'],
    ['an address', 'agent.12@plans'],
    ['a word resembling a name', 'smithres'],
    ['several words resembling a name', 'jhon smithres'],
  ])('keeps its look-ups on the indexes in the plan it may keep for any words (%s)', async (_, q) => {
    const [first, lookAlikes, ...more] = await genericPlansOf(testDb.database, q, organizationId);
    expect(more).toEqual([]);
    for (const plan of [first, lookAlikes]) {
      expect(plan ?? '').not.toMatch(/Seq Scan on users/);
      // Every address shares its domain's trigrams: that index would read them all.
      expect(plan ?? '').not.toContain('users_search_email_trgm_idx');
    }
    if (q.includes('@')) expect(first).toMatch(/users_search_(org_)?email_prefix_idx/);
    else {
      // Nothing here starts with "mar" or "smithres": both searches go on to the look-alikes.
      expect(first).toContain('users_search_words_idx');
      expect(lookAlikes, lookAlikes).toMatch(/users_search_(org_)?name_trgm_idx/);
    }
  });

  it('asks the look-alikes of several words longest word first, as named as the rest', async () => {
    const statements = await statementsOf(testDb.database, 'jhon smithers', organizationId);
    expect(statements.map((statement) => statement.named)).toEqual([true, true]);
    // The plan kept for any words starts from the first condition: the words' look-ups, in the order asked.
    const asked = (statements[1]?.params ?? []).filter((p) => p === 'smithers' || p === 'jhon');
    expect(asked).toEqual(['smithers', 'jhon']);
  });

  it('keeps no histogram of the unaccented name, which planning a look-alike would read once per word typed', async () => {
    const rows = rowsOf<{ index: string; bounds: number | null }>(
      await testDb.database.db.execute(sql`
        select tablename as index, array_length(histogram_bounds::text::text[], 1) as bounds from pg_stats
        where tablename in ('users_search_name_trgm_idx', 'users_search_name_prefix_idx', 'users_search_browse_idx')
          and attname = 'desk_unaccent'`),
    );
    expect(rows.map((row) => row.index).sort()).toEqual([
      'users_search_browse_idx',
      'users_search_name_prefix_idx',
      'users_search_name_trgm_idx',
    ]);
    for (const row of rows) expect(row.bounds ?? 0).toBeLessThanOrEqual(2);
  });

  it.each([
    ['for this page', plansOf],
    ['kept for any page', genericPlansOf],
  ])(
    'reads the page of an empty query in name order from its index, without sorting the organization (plan %s)',
    async (_, plans) => {
      const [plan] = await plans(testDb.database, '', organizationId);
      expect(plan).toContain('users_search_browse_idx');
      expect(plan).not.toMatch(/Sort/);
    },
  );
});

describe.runIf(DATABASE_URL)('user search on PostgreSQL', () => {
  /** The search as the route runs it: where the session settings hold. */
  const search = (q: string) =>
    withSessionSettings(testDb.database, (db) =>
      searchUsers(db, { q, organizationId, limit: 20, offset: 0 }),
    );

  it('plans each search statement once on its connection, whatever was searched first there', async () => {
    // A connection whose first searches are a rare full name: PostgreSQL left to choose (plan_cache_mode auto)
    // makes custom plans of the first five runs, then may keep planning every run anew.
    const [someone] = rowsOf<{ name: string }>(
      await testDb.database.db.execute(
        sql`select name from users where organization_id = ${organizationId}::uuid order by id limit 1`,
      ),
    );
    for (let i = 0; i < 7; i += 1) await search(someone?.name ?? '');
    await search('mar');
    // Read on the same connection: one search at a time never opens a second one (postgres.js takes an idle one first).
    const statements = rowsOf<{ statement: string; generic: number; custom: number }>(
      await testDb.database.genericPlans.execute(sql`
        select statement, generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements
        where statement like '%"users"%' and statement not like '%pg_prepared_statements%'`),
    );
    // The first look-up (words), the one for "mar"'s look-alikes: each run on the plan kept for any words.
    expect(statements.length).toBeGreaterThanOrEqual(2);
    for (const { statement, generic, custom } of statements) {
      expect(custom, statement).toBe(0);
      expect(generic, statement).toBeGreaterThan(0);
    }
  });

  it('leaves PostgreSQL to choose plans for the rest of Desk', async () => {
    const mode = async (db: Database['db']) =>
      rowsOf<{ plan_cache_mode: string }>(await db.execute(sql`show plan_cache_mode`))[0]?.plan_cache_mode;
    expect(await mode(testDb.database.genericPlans)).toBe('force_generic_plan');
    expect(await mode(testDb.database.db)).toBe('auto');
  });

  it('opens no connections of its own for the search behind a transaction pooler (no start-up parameter)', async () => {
    const pooled = openDatabase(testDb.url, '', { transactionPooler: true });
    try {
      expect(pooled.genericPlans).toBe(pooled.db);
    } finally {
      await pooled.close();
    }
  });
});
