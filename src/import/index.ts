// `desk import people`: a people v1.26 database copied into Desk's (DESIGN.md §10), read at one consistent snapshot
// (a read-only, repeatable-read transaction), written a batch per transaction. Running it again with the same source
// writes nothing; `dryRun` does everything in one transaction rolled back at the end, so it reports exactly.
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type Db, rowsOf } from '../platform/database.ts';
import { settleTables } from '../platform/maintenance.ts';
import type { WebhookSecrets } from '../webhooks/index.ts';
import {
  deleteGone,
  finish,
  type ImportRun,
  importPairs,
  importRows,
  type PairTable,
  type Problem,
  type Progress,
  type RowTable,
  type TableResult,
} from './engine.ts';
import { PEOPLE_COLUMNS, peopleTables } from './people.ts';

export type { Problem, Progress, TableResult } from './engine.ts';
export { importedRows } from './schema.ts';

export interface ImportOptions {
  /** people's database (postgres://…). */
  from: string;
  /** Desk's database. */
  db: Db;
  dryRun?: boolean;
  batchSize?: number;
  /** INVITATION_VALIDITY_DURATION: invitations older than this (from updated_at) are not revived. */
  invitationValiditySeconds: number;
  now?: number;
  progress?: Progress;
  onProblem?: (problem: Problem) => void;
  /** Bounds connecting to the source, and each of its statements. */
  sourceTimeoutSeconds?: number;
  /** Encrypts the secrets of people's team webhooks as Desk keeps them; without it they are left out. */
  webhookSecrets?: WebhookSecrets;
}

export interface ImportResult {
  dryRun: boolean;
  tables: TableResult[];
  problems: number;
  /** people's rows Desk has no place for yet, with why: counted, so the operator knows what stays behind. */
  leftOut: { source: string; rows: number; why: string }[];
  /** Tables written, vacuumed and analysed after the import, their GIN indexes flushed (none for a dry run). */
  settled: string[];
  /** Why the tables written could not be vacuumed and analysed (the import itself is complete). */
  settleError?: string;
}

const LEFT_OUT: { source: string; why: string }[] = [
  {
    source: 'people_organization_access',
    why: 'Desk has no organization roles (staff manage organizations)',
  },
  {
    source: 'people_organization_service_providers',
    why: "Desk links service providers to teams only (a team's visibility)",
  },
  {
    source: 'people_account_service',
    why: "Desk's server-to-server callers are SERVER_TO_SERVER_API_TOKENS",
  },
];

/** Another import into the same Desk database is running. */
export class ImportRunning extends Error {}

const IMPORT_LOCK = 72_110_022;

/**
 * One import at a time into a PostgreSQL Desk database: a session advisory lock on a connection of its own, held
 * until the returned function lets it go (or the process dies). Two imports at once would each see the other's
 * half-written batches as rows to update or delete. Embedded PGlite needs none: its folder admits one process.
 */
export async function holdImportLock(databaseUrl: string): Promise<() => Promise<void>> {
  const client = postgres(databaseUrl, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    const [row] = await client<{ held: boolean }[]>`SELECT pg_try_advisory_lock(${IMPORT_LOCK}) AS held`;
    if (!row?.held)
      throw new ImportRunning(
        'Another `desk import people` is writing to this Desk database: wait for it to finish (or stop it), then run this one.',
      );
  } catch (err) {
    await client.end({ timeout: 5 });
    throw err;
  }
  return () => client.end({ timeout: 5 });
}

/** The source is not a people v1.26 database (or not one this user may read). */
export class NotPeopleDatabase extends Error {}

/** The source database could not be reached. */
export class SourceUnavailable extends Error {}

/** The error itself, not what wraps it (a query error names the whole statement and every value of the batch). */
function deepest(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/** The import stopped at a table: Desk's database refused a batch of it, or people's stopped answering. */
export class ImportStopped extends Error {
  constructor(
    readonly table: string,
    cause: unknown,
  ) {
    super(deepest(cause), { cause });
  }
}

class DryRunDone extends Error {
  constructor(readonly tables: TableResult[]) {
    super('dry run: rolled back');
  }
}

const quiet: Progress = { start() {}, advance() {}, end() {} };

/** What the source lacks of people v1.26's tables and columns, said in words (empty when it has them all). */
async function missingParts(source: postgres.Sql): Promise<string> {
  const rows = await source<{ table_name: string; column_name: string }[]>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name IN ${source(Object.keys(PEOPLE_COLUMNS))}`;
  const present = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`));
  const tables = new Set(rows.map((r) => r.table_name));
  const missingTables = Object.keys(PEOPLE_COLUMNS).filter((t) => !tables.has(t));
  const missingColumns = Object.entries(PEOPLE_COLUMNS)
    .filter(([table]) => tables.has(table))
    .flatMap(([table, columns]) => columns.map((c) => `${table}.${c}`).filter((c) => !present.has(c)));
  const list = (what: string, names: string[]) =>
    `the ${what}${names.length > 1 ? 's' : ''} ${names.join(', ')}`;
  return [
    ...(missingTables.length ? [list('table', missingTables)] : []),
    ...(missingColumns.length ? [list('column', missingColumns)] : []),
  ].join(' and ');
}

function isRowTable(plan: RowTable | PairTable): plan is RowTable {
  return 'key' in plan && typeof plan.key === 'string';
}

export async function importPeople(o: ImportOptions): Promise<ImportResult> {
  const timeout = o.sourceTimeoutSeconds ?? 600;
  const source = postgres(o.from, {
    max: 1,
    connect_timeout: Math.min(timeout, 30),
    onnotice: () => {},
    // Times stay text, so microseconds reach Desk as people stored them.
    types: {
      time: { to: 1184, from: [1114, 1184], serialize: (x: string) => x, parse: (x: string) => x },
    },
    // Times are read as text (above): in ISO style and UTC, whatever the server's defaults.
    connection: {
      application_name: 'desk import people',
      statement_timeout: timeout * 1000,
      DateStyle: 'ISO, MDY',
      TimeZone: 'UTC',
    },
  });
  let problems = 0;
  const progress = o.progress ?? quiet;
  const tables = peopleTables({
    invitationValiditySeconds: o.invitationValiditySeconds,
    now: o.now ?? Date.now(),
    webhookSecrets: o.webhookSecrets,
  });
  try {
    const missing = await missingParts(source).catch((err: unknown) => {
      throw new SourceUnavailable(`people's database cannot be read: ${(err as Error).message}`);
    });
    if (missing)
      throw new NotPeopleDatabase(
        `This is not a people v1.26 database (suitenumerique/people@9bb1758f): it lacks ${missing}.`,
      );
    const all = async (run: Omit<ImportRun, 'source'>, snapshot: postgres.TransactionSql) => {
      const full: ImportRun = { ...run, source: snapshot };
      // Rows gone from people are deleted first, so the keys they held are free for the rows that replace them (a
      // member removed and added again, a user made again with the same sub); children before parents, so a row is
      // deleted before (rather than by) the row it depends on.
      const at = async <T>(table: string, work: () => Promise<T>): Promise<T> => {
        try {
          return await work();
        } catch (err) {
          throw err instanceof ImportStopped ? err : new ImportStopped(table, err);
        }
      };
      const deleted = new Map<RowTable, number>();
      for (const plan of [...tables].reverse())
        if (isRowTable(plan)) deleted.set(plan, await at(plan.table, () => deleteGone(full, plan)));
      const results: TableResult[] = [];
      for (const plan of tables) {
        const result = await at(plan.table, () =>
          isRowTable(plan) ? importRows(full, plan) : importPairs(full, plan),
        );
        if (isRowTable(plan)) result.deleted = deleted.get(plan) ?? 0;
        results.push(result);
        progress.end(finish(result));
      }
      return results;
    };
    const base = {
      batchSize: o.batchSize ?? 5_000,
      progress,
      problem(p: Problem) {
        problems += 1;
        o.onProblem?.(p);
      },
    };
    const leftOut: ImportResult['leftOut'] = [];
    const results = await source.begin('isolation level repeatable read read only', async (snapshot) => {
      const unencryptable = o.webhookSecrets
        ? []
        : [
            {
              source: 'people_team_webhook',
              why: 'their secrets need the SECRET_KEY of the Desk that sends them',
            },
          ];
      for (const { source: table, why } of [...unencryptable, ...LEFT_OUT]) {
        const [present] = await snapshot<
          { n: number }[]
        >`SELECT count(*)::int AS n FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_name = ${table}`;
        if (!present?.n) continue;
        const [counted] = await snapshot.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`);
        if (counted?.n) leftOut.push({ source: table, rows: counted.n, why });
      }
      if (!o.dryRun) return all({ ...base, unit: (work) => o.db.transaction(work) }, snapshot);
      try {
        await o.db.transaction(async (tx) => {
          throw new DryRunDone(await all({ ...base, unit: (work) => work(tx as unknown as Db) }, snapshot));
        });
      } catch (err) {
        if (err instanceof DryRunDone) return err.tables;
        throw err;
      }
      throw new Error('unreachable: a dry run always rolls back');
    });
    // A bulk write leaves no statistics, unset hint bits and full GIN pending lists, which the first searches would
    // pay for (bench/search, "fresh"): settle what was written now.
    const written = (results as TableResult[])
      .filter((r) => !o.dryRun && r.created + r.updated + r.deleted > 0)
      .map((r) => r.table);
    // Everything is committed by now: a failure here (a role that does not own the tables, a lock held too long)
    // is reported as a warning, never as a failed import.
    let settled = [...new Set(written)];
    let settleError: string | undefined;
    try {
      await settleTables(async (text) => rowsOf(await o.db.execute(sql.raw(text))), settled);
    } catch (err) {
      settleError = err instanceof Error ? err.message : String(err);
      settled = [];
    }
    return {
      dryRun: o.dryRun ?? false,
      tables: results as TableResult[],
      problems,
      leftOut,
      settled,
      ...(settleError ? { settleError } : {}),
    };
  } finally {
    await source.end({ timeout: 5 });
  }
}
