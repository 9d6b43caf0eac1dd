// What `desk import people` brought in: the rows it created, so that a later run deletes only those (a row gone from
// people's database) and never one Desk made itself.
import { pgTable, primaryKey, uuid, varchar } from 'drizzle-orm/pg-core';

export const importedRows = pgTable(
  'imported_rows',
  {
    /** The Desk table the row is in (`users`, `team_accesses`, …). */
    tableName: varchar('table_name', { length: 63 }).notNull(),
    id: uuid('id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tableName, t.id] })],
);
