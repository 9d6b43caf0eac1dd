// After a bulk write (an import from people, a benchmark's load): bring tables to the state a database that has lived a
// day is in, so the first searches do not pay for it. VACUUM (ANALYZE) sets the visibility map and hint bits and gives
// the planner statistics; gin_clean_pending_list moves the GIN indexes' pending entries into the index proper, which a
// search would otherwise scan in full. Neither can run inside a transaction: call it after the writes commit.

/** Runs one statement outside any transaction (no parameters: the names come from the catalog or from Desk's code). */
export type Run = (text: string) => Promise<readonly Record<string, unknown>[]>;

const TABLE_NAME = /^[a-z_][a-z0-9_]*$/;

/** VACUUM (ANALYZE) of each table, then every GIN index on them flushed; answers the GIN indexes flushed. */
export async function settleTables(run: Run, tables: readonly string[]): Promise<string[]> {
  const names = [...new Set(tables)];
  for (const name of names) if (!TABLE_NAME.test(name)) throw new Error(`not a table name: ${name}`);
  if (!names.length) return [];
  await run(`vacuum (analyze) ${names.join(', ')}`);
  const indexes = await run(`
    select i.indexrelid::regclass::text as name
    from pg_index i
    join pg_class c on c.oid = i.indexrelid
    join pg_am am on am.oid = c.relam
    where am.amname = 'gin' and i.indrelid in (${names.map((n) => `'${n}'::regclass`).join(', ')})
    order by 1`);
  const flushed: string[] = [];
  for (const { name } of indexes) {
    await run(`select gin_clean_pending_list('${String(name).replaceAll("'", "''")}'::regclass)`);
    flushed.push(String(name));
  }
  return flushed;
}
