// Copies tables from a source database into Desk's with set-based SQL: the source is read in keyset batches inside
// one read-only snapshot; each batch is checked against Desk's keys (one statement) and upserted (one statement) in a
// transaction of its own, so a failure leaves Desk as it was before that batch and a rerun goes on. A row Desk cannot
// take is reported (table, id, problem, what was done), never dropped silently. Rows the import created are
// remembered in imported_rows: a later run deletes those that left the source, and never a row Desk made itself.
import { type SQL, sql } from 'drizzle-orm';
import type postgres from 'postgres';
import { type Db, rowsOf } from '../platform/database.ts';

export type Row = Record<string, unknown> & { id: string };

/** A row Desk could not take as it is, and what the import did with it. */
export interface Problem {
  table: string;
  id: string;
  problem: string;
  /** `skipped`, or how it was imported instead (e.g. `imported as a root team`). */
  outcome: string;
}

/** A column naming a row of another Desk table: a row whose target is missing is skipped, or imported without it. */
export interface Reference {
  column: string;
  table: string;
  /** Import the row with this column null (and say so) instead of skipping it. */
  clear?: string;
  problem: string;
}

/** A unique key of the Desk table, which another row (Desk's own, or one earlier in the source) may already hold. */
export interface UniqueKey {
  /** SQL that holds when rows `a` and `b` have the same key (written so Desk's unique index serves it). */
  same: (a: string, b: string) => string;
  /** The key's partial index condition, for a row alias. */
  where?: (a: string) => string;
  problem: string;
  /** Import the row with this column null (and say so) instead of skipping it. */
  clear?: { column: string; outcome: string };
}

/** What to do with one source row before the batch is checked: change it, or leave it out. */
export type Preparation =
  | undefined
  | { skip: true; problem: string }
  | { skip: true; expired: true }
  | { skip?: false; problem: string; outcome: string };

/** A table whose rows have a uuid `id` kept as it is in the source. */
export interface RowTable {
  table: string;
  /** The source table, named in messages and read for the ids that still exist. */
  source: string;
  /** Counts the source rows (for the progress bar). */
  count: string;
  /** Reads one batch: $1 = the last key read (null at first), $2 = the batch size; ordered by `key`. */
  read: string;
  /** The row field `read` orders by: `id`, or e.g. `path` for parents before children. */
  key: string;
  /** Desk's columns and their types, as the rows carry them (JSON). */
  columns: Record<string, string>;
  references?: Reference[];
  uniques?: UniqueKey[];
  prepare?: (row: Row) => Preparation;
  /** A column's new value when the row exists already (SQL over Desk's value and the source's): the source's if unset. */
  merge?: Record<string, (mine: string, theirs: string) => string>;
}

/** A table of pairs without an id of their own (registration ids, domains, links): synced as a set per owner. */
export interface PairTable {
  table: string;
  source: string;
  /** Reads every pair. */
  read: string;
  columns: Record<string, string>;
  /** The row owning the pair: pairs are deleted only for owners the import created. */
  owner: { column: string; table: string };
  /** Desk's primary key columns. */
  key: string[];
  references: Reference[];
  /** How a row is named in the report (e.g. `registration id 12345678901234`). */
  describe: (row: Record<string, unknown>) => string;
  /** Why Desk cannot take a pair (it is then skipped), or undefined. */
  refuse?: (row: Record<string, unknown>) => string | undefined;
}

export interface TableResult {
  table: string;
  source: string;
  read: number;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  skipped: number;
  expired: number;
}

export interface Progress {
  start(table: string, total: number): void;
  advance(table: string, done: number): void;
  end(result: TableResult): void;
}

export interface ImportRun {
  /** The source, inside its read-only snapshot. */
  source: postgres.TransactionSql;
  /** Runs one batch's work in a transaction (or, for a dry run, inside the run's own transaction). */
  unit<T>(work: (db: Db) => Promise<T>): Promise<T>;
  batchSize: number;
  progress: Progress;
  problem(p: Problem): void;
}

const emptyResult = (table: string, source: string): TableResult => ({
  table,
  source,
  read: 0,
  created: 0,
  updated: 0,
  deleted: 0,
  unchanged: 0,
  skipped: 0,
  expired: 0,
});

/** `json_to_recordset` of a batch, with `_n` its position (earlier rows win a shared key). */
function recordset(columns: Record<string, string>, json: string): SQL {
  const list = Object.entries(columns)
    .map(([name, type]) => `${name} ${type}`)
    .join(', ');
  return sql`json_to_recordset(${json}::json) AS s(_n int, ${sql.raw(list)})`;
}

interface Found {
  id: string;
  check: number;
}

/** Which rows of a batch break a reference or a unique key: one statement, index lookups only. */
async function findConflicts(db: Db, plan: RowTable, rows: Row[]): Promise<Found[]> {
  const checks: string[] = [];
  (plan.references ?? []).forEach((ref, i) => {
    checks.push(
      `SELECT s.id, ${i} AS check FROM s WHERE s.${ref.column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${ref.table} x WHERE x.id = s.${ref.column})`,
    );
  });
  const offset = plan.references?.length ?? 0;
  (plan.uniques ?? []).forEach((key, i) => {
    const where = (a: string) => (key.where ? ` AND ${key.where(a)}` : '');
    // Two checks, not one EXISTS … OR EXISTS: under OR each EXISTS is a subplan run for every row, and the one over
    // the batch scans the whole batch each time (batch² rows); alone, each is a semi-join (index lookups, or a hash).
    checks.push(
      `SELECT s.id, ${offset + i} AS check FROM s WHERE true${where('s')} AND EXISTS (SELECT 1 FROM ${plan.table} x WHERE x.id <> s.id${where('x')} AND ${key.same('x', 's')})`,
      `SELECT s.id, ${offset + i} AS check FROM s WHERE true${where('s')} AND EXISTS (SELECT 1 FROM s x WHERE x._n < s._n AND x.id <> s.id${where('x')} AND ${key.same('x', 's')})`,
    );
  });
  if (!checks.length) return [];
  const json = JSON.stringify(rows.map((r, n) => ({ ...r, _n: n })));
  const found = rowsOf<Found>(
    await db.execute(
      sql`WITH s AS MATERIALIZED (SELECT * FROM ${recordset(plan.columns, json)}) ${sql.raw(checks.join(' UNION ALL '))}`,
    ),
  );
  // A row naming a row of its own table that comes earlier in the batch has it. Seen here rather than in SQL: a second
  // anti-join over the batch, under the first, was estimated at one row and run as a nested loop (batch² rows).
  const position = new Map(rows.map((r, n) => [r.id, n]));
  const refs = plan.references ?? [];
  return found.filter((f) => {
    const ref = refs[f.check];
    const at = position.get(f.id);
    if (ref?.table !== plan.table || at === undefined) return true;
    const target = position.get(String(rows[at]?.[ref.column]));
    return target === undefined || target >= at;
  });
}

/**
 * Inserts new rows and updates changed ones; remembers the rows it created. Rows Desk already holds as they are
 * are left out before the INSERT … ON CONFLICT DO UPDATE: that one locks every existing row it meets even when its
 * WHERE leaves the row unchanged, so a run over an unchanged source wrote a lock on every row.
 */
async function upsert(db: Db, plan: RowTable, json: string): Promise<{ created: number; updated: number }> {
  const names = Object.keys(plan.columns);
  const list = names.join(', ');
  const changing = names.filter((n) => n !== 'id');
  const value = (n: string, theirs: string) =>
    plan.merge?.[n]?.(`${plan.table}.${n}`, `${theirs}.${n}`) ?? `${theirs}.${n}`;
  const set = changing.map((n) => `${n} = ${value(n, 'excluded')}`).join(', ');
  const mine = changing.map((n) => `${plan.table}.${n}`).join(', ');
  const theirs = (alias: string) => changing.map((n) => value(n, alias)).join(', ');
  const result = await db.execute(sql`
    WITH up AS (
      INSERT INTO ${sql.raw(plan.table)} (${sql.raw(list)})
      SELECT ${sql.raw(list)} FROM ${recordset(plan.columns, json)}
      WHERE NOT EXISTS (SELECT 1 FROM ${sql.raw(plan.table)} WHERE ${sql.raw(plan.table)}.id = s.id AND (${sql.raw(mine)}) IS NOT DISTINCT FROM (${sql.raw(theirs('s'))}))
      ORDER BY _n
      ON CONFLICT (id) DO UPDATE SET ${sql.raw(set)}
      WHERE (${sql.raw(mine)}) IS DISTINCT FROM (${sql.raw(theirs('excluded'))})
      RETURNING id, (xmax = 0) AS created
    ), remembered AS (
      INSERT INTO imported_rows (table_name, id) SELECT ${plan.table}::varchar, id FROM up WHERE created
      ON CONFLICT DO NOTHING
    )
    SELECT count(*) FILTER (WHERE created)::int AS created, count(*) FILTER (WHERE NOT created)::int AS updated FROM up`);
  const [counts] = rowsOf<{ created: number; updated: number }>(result);
  return { created: counts?.created ?? 0, updated: counts?.updated ?? 0 };
}

/** Applies the conflicts found: rows skipped, or columns cleared; rows naming a skipped row of their table follow. */
function resolve(plan: RowTable, rows: Row[], found: Found[], problems: Problem[]): Row[] {
  const refs = plan.references ?? [];
  const keys = plan.uniques ?? [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const skipped = new Set<string>();
  const apply = (row: Row, check: number) => {
    if (skipped.has(row.id)) return;
    const ref = refs[check];
    const key = keys[check - refs.length];
    const column = ref?.clear ?? key?.clear?.column;
    const problem = ref?.problem ?? key?.problem ?? 'conflict';
    if (column) {
      if (row[column] === null) return;
      problems.push({
        table: plan.table,
        id: row.id,
        problem,
        outcome: ref?.clear ? `imported without ${ref.clear}` : (key?.clear?.outcome ?? ''),
      });
      row[column] = null;
      return;
    }
    skipped.add(row.id);
    problems.push({ table: plan.table, id: row.id, problem, outcome: 'skipped' });
  };
  for (const f of found) {
    const row = byId.get(f.id);
    if (row) apply(row, f.check);
  }
  // A row naming a row of its own table that this batch skips would break its reference: it follows that row's fate.
  const selfRefs = refs.map((ref, i) => ({ ref, i })).filter(({ ref }) => ref.table === plan.table);
  for (let changed = selfRefs.length > 0; changed; ) {
    changed = false;
    for (const row of rows)
      for (const { ref, i } of selfRefs) {
        const target = row[ref.column];
        if (typeof target === 'string' && skipped.has(target) && !skipped.has(row.id)) {
          apply(row, i);
          changed = true;
        }
      }
  }
  return rows.filter((r) => !skipped.has(r.id));
}

/** The SQLSTATE of a database error (drizzle wraps the driver's in `cause`). */
function sqlState(err: unknown): string | undefined {
  for (let e = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Upserts a batch; when Desk refuses it for what a row holds (a data exception or a constraint the checks above did
 * not foresee: SQLSTATE classes 22 and 23), the batch is halved under savepoints until the rows Desk refuses are
 * found, and those are reported and skipped: one odd row never stops an import.
 */
async function upsertOrSkip(
  db: Db,
  plan: RowTable,
  rows: Row[],
  problems: Problem[],
): Promise<{ created: number; updated: number }> {
  if (!rows.length) return { created: 0, updated: 0 };
  const numbered = JSON.stringify(rows.map((r, n) => ({ ...r, _n: n })));
  try {
    return await db.transaction((savepoint) => upsert(savepoint as unknown as Db, plan, numbered));
  } catch (err) {
    const state = sqlState(err);
    if (!state || !/^2[23]/.test(state)) throw err;
    if (rows.length === 1) {
      const [row] = rows as [Row];
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      problems.push({
        table: plan.table,
        id: row.id,
        problem: `Desk refused it: ${cause}`,
        outcome: 'skipped',
      });
      return { created: 0, updated: 0 };
    }
    const half = Math.ceil(rows.length / 2);
    const first = await upsertOrSkip(db, plan, rows.slice(0, half), problems);
    const second = await upsertOrSkip(db, plan, rows.slice(half), problems);
    return { created: first.created + second.created, updated: first.updated + second.updated };
  }
}

export async function importRows(run: ImportRun, plan: RowTable): Promise<TableResult> {
  const result = emptyResult(plan.table, plan.source);
  const [total] = await run.source.unsafe<{ n: number }[]>(`SELECT (${plan.count})::int AS n`);
  run.progress.start(plan.table, total?.n ?? 0);
  let last: unknown = null;
  for (;;) {
    const rows = (await run.source.unsafe(plan.read, [last as string, run.batchSize])) as unknown as Row[];
    if (!rows.length) break;
    last = rows[rows.length - 1]?.[plan.key];
    result.read += rows.length;
    const problems: Problem[] = [];
    const prepared: Row[] = [];
    for (const row of rows) {
      const done = plan.prepare?.(row);
      if (done?.skip) {
        if ('expired' in done) result.expired += 1;
        else problems.push({ table: plan.table, id: row.id, problem: done.problem, outcome: 'skipped' });
        continue;
      }
      if (done)
        problems.push({ table: plan.table, id: row.id, problem: done.problem, outcome: done.outcome });
      prepared.push(row);
    }
    const counts = await run.unit(async (db) => {
      const found = await findConflicts(db, plan, prepared);
      const kept = resolve(plan, prepared, found, problems);
      return upsertOrSkip(db, plan, kept, problems);
    });
    result.created += counts.created;
    result.updated += counts.updated;
    result.skipped += problems.filter((p) => p.outcome === 'skipped').length;
    for (const p of problems) run.problem(p);
    run.progress.advance(plan.table, result.read);
  }
  return result;
}

/**
 * Deletes the rows an earlier run created whose id left the source: the source's ids are read in order, and each
 * batch compares them with the remembered ids of its id range (so memory stays one batch); only the rows gone are then
 * deleted. The comparison is made here, not in SQL: an anti-join of imported_rows against a list of ids is planned
 * from guesses (just after a run filled imported_rows its statistics are stale), and a nested loop over the list
 * (batch × batch rows) took seconds per batch. Returns how many deleted.
 */
export async function deleteGone(run: ImportRun, plan: RowTable): Promise<number> {
  let total = 0;
  let last: string | null = null;
  for (;;) {
    const ids: string[] = (
      await run.source.unsafe<{ id: string }[]>(
        `SELECT id FROM ${plan.source} WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
        [last as string, run.batchSize],
      )
    ).map((r) => r.id);
    const upTo: string | null = ids.length < run.batchSize ? null : (ids[ids.length - 1] ?? null);
    const from = last;
    const deleted = await run.unit(async (db) => {
      // Only the bounds that are set are written, so the range is an index condition.
      const range = sql.join(
        [
          sql`table_name = ${plan.table}`,
          ...(from === null ? [] : [sql`id > ${from}::uuid`]),
          ...(upTo === null ? [] : [sql`id <= ${upTo}::uuid`]),
        ],
        sql` AND `,
      );
      const remembered = rowsOf<{ id: string }>(
        await db.execute(sql`SELECT id FROM imported_rows WHERE ${range}`),
      );
      const listed = new Set(ids);
      const gone = remembered.map((r) => r.id).filter((id) => !listed.has(id));
      if (!gone.length) return 0;
      const found = await db.execute(sql`
        WITH gone AS (
          DELETE FROM imported_rows r
          WHERE r.table_name = ${plan.table}
            AND r.id = ANY (ARRAY(SELECT json_array_elements_text(${JSON.stringify(gone)}::json)::uuid))
          RETURNING r.id
        ), deleted AS (
          DELETE FROM ${sql.raw(plan.table)} x USING gone WHERE x.id = gone.id RETURNING 1
        )
        SELECT count(*)::int AS n FROM deleted`);
      return rowsOf<{ n: number }>(found)[0]?.n ?? 0;
    });
    total += deleted;
    if (upTo === null) return total;
    last = upTo;
  }
}

/** Syncs a pair table as one set: new pairs inserted, moved ones updated, pairs of imported owners gone deleted. */
export async function importPairs(run: ImportRun, plan: PairTable): Promise<TableResult> {
  const result = emptyResult(plan.table, plan.source);
  const rows = (await run.source.unsafe(plan.read)) as unknown as Record<string, unknown>[];
  run.progress.start(plan.table, rows.length);
  result.read = rows.length;
  const problems: Problem[] = [];
  const names = Object.keys(plan.columns);
  const owner = plan.owner.column;
  const refused = new Set<number>();
  rows.forEach((row, n) => {
    const why = plan.refuse?.(row);
    if (!why) return;
    refused.add(n);
    problems.push({
      table: plan.table,
      id: String(row[owner]),
      problem: `${plan.describe(row)}: ${why}`,
      outcome: 'skipped',
    });
  });
  const json = JSON.stringify(rows.map((r, n) => ({ ...r, _n: n })).filter((r) => !refused.has(r._n)));
  const sameKey = (a: string, b: string) => plan.key.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');
  const counts = await run.unit(async (db) => {
    const refChecks = plan.references.map(
      (ref, i) =>
        `SELECT s._n, ${i} AS check FROM s WHERE NOT EXISTS (SELECT 1 FROM ${ref.table} x WHERE x.id = s.${ref.column})`,
    );
    // The key held by another owner Desk made (an imported owner's pair moves with the source), or earlier in it.
    // Two checks, not one EXISTS … OR EXISTS (see findConflicts): the pairs are one set, so that would be set² rows.
    const taken = [
      `SELECT s._n, ${plan.references.length} AS check FROM s WHERE EXISTS (SELECT 1 FROM ${plan.table} x WHERE ${sameKey('x', 's')} AND x.${owner} <> s.${owner} AND NOT EXISTS (SELECT 1 FROM imported_rows r WHERE r.table_name = '${plan.owner.table}' AND r.id = x.${owner}))`,
      `SELECT s._n, ${plan.references.length} AS check FROM s WHERE EXISTS (SELECT 1 FROM s x WHERE x._n < s._n AND ${sameKey('x', 's')})`,
    ];
    const found = rowsOf<{ _n: number; check: number }>(
      await db.execute(
        sql`WITH s AS MATERIALIZED (SELECT * FROM ${recordset(plan.columns, json)}) ${sql.raw([...refChecks, ...taken].join(' UNION ALL '))}`,
      ),
    );
    const skipped = new Set<number>(refused);
    for (const f of found) {
      if (skipped.has(f._n)) continue;
      skipped.add(f._n);
      const row = rows[f._n] ?? {};
      const ref = plan.references[f.check];
      problems.push({
        table: plan.table,
        id: String(row[owner]),
        problem: `${plan.describe(row)}: ${ref ? ref.problem : 'already belongs to another one'}`,
        outcome: 'skipped',
      });
    }
    const kept = JSON.stringify(rows.map((r, n) => ({ ...r, _n: n })).filter((r) => !skipped.has(r._n)));
    const others = names.filter((n) => !plan.key.includes(n));
    const update = others.length
      ? `DO UPDATE SET ${others.map((n) => `${n} = excluded.${n}`).join(', ')} WHERE (${others.map((n) => `${plan.table}.${n}`).join(', ')}) IS DISTINCT FROM (${others.map((n) => `excluded.${n}`).join(', ')})`
      : 'DO NOTHING';
    // Pairs Desk holds as they are stay out of the DO UPDATE, which would lock each one (see upsert).
    const unchanged = others.length
      ? `WHERE NOT EXISTS (SELECT 1 FROM ${plan.table} x WHERE ${sameKey('x', 's')} AND (${others.map((n) => `x.${n}`).join(', ')}) IS NOT DISTINCT FROM (${others.map((n) => `s.${n}`).join(', ')}))`
      : '';
    const written = rowsOf<{ created: number; updated: number; deleted: number }>(
      await db.execute(sql`
        WITH s AS MATERIALIZED (SELECT * FROM ${recordset(plan.columns, kept)}),
        up AS (
          INSERT INTO ${sql.raw(plan.table)} (${sql.raw(names.join(', '))}) SELECT ${sql.raw(names.join(', '))} FROM s
          ${sql.raw(unchanged)}
          ON CONFLICT (${sql.raw(plan.key.join(', '))}) ${sql.raw(update)}
          RETURNING (xmax = 0) AS created
        ), gone AS (
          DELETE FROM ${sql.raw(plan.table)} x USING imported_rows r
          WHERE r.table_name = ${plan.owner.table}::varchar AND r.id = x.${sql.raw(owner)}
            AND NOT EXISTS (SELECT 1 FROM s WHERE ${sql.raw(sameKey('s', 'x'))})
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM up WHERE created)::int AS created, (SELECT count(*) FROM up WHERE NOT created)::int AS updated,
          (SELECT count(*) FROM gone)::int AS deleted`),
    );
    return written[0] ?? { created: 0, updated: 0, deleted: 0 };
  });
  result.created = counts.created;
  result.updated = counts.updated;
  result.deleted = counts.deleted;
  result.skipped = problems.length;
  for (const p of problems) run.problem(p);
  run.progress.advance(plan.table, rows.length);
  return result;
}

/** Unchanged = read, less what was written or left out. */
export function finish(result: TableResult): TableResult {
  result.unchanged = Math.max(
    0,
    result.read - result.created - result.updated - result.skipped - result.expired,
  );
  return result;
}
