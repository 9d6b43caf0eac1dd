// What Desk sends its database, statement by statement: the text, the values, and whether it went named.
import type { Logger } from 'drizzle-orm/logger';
import type { Database } from '../../src/platform/database.ts';

/** A value written into SQL text, as a custom plan sees it: a string quoted, anything else as it prints. */
export const sqlLiteral = (value: unknown): string =>
  typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value);

/** A statement as Desk sent it. */
export interface SentStatement {
  text: string;
  params: unknown[];
  /** Sent as a named statement (postgres.js prepares it once per connection; PGlite ignores names). */
  named: boolean;
}

type PrepareQuery = (
  query: unknown,
  fields: unknown,
  name: string | undefined,
  ...rest: unknown[]
) => { execute(...args: unknown[]): Promise<unknown> };

/**
 * Records the statements sent on `database` until the recording is stopped, from its query logger. Drizzle prepares a
 * statement on the session, named or not, before its first run: one prepared while recording says by its name whether
 * it goes named; one prepared before (preparedPerDatabase, namedStatements: once per database object) was given a
 * name, as only those are kept. To see every statement prepared, run the work on a view of its own
 * (`Object.create(database.db)`): what is built per database object is then built again on it.
 */
export function recordStatements(database: Database): { sent: SentStatement[]; stop(): void } {
  const logger: Logger = database.queries;
  const logQuery = logger.logQuery;
  // Both views: user search runs on connections of its own (genericPlans).
  const sessions = [...new Set([database.db, database.genericPlans])].map(
    (db) => (db as unknown as { session: { prepareQuery: PrepareQuery } }).session,
  );
  const originals = sessions.map((session) => session.prepareQuery);
  let executing: boolean | undefined;
  sessions.forEach((session, i) => {
    const prepareQuery = originals[i] as PrepareQuery;
    session.prepareQuery = function (this: unknown, query, fields, name, ...rest) {
      const prepared = prepareQuery.call(this, query, fields, name, ...rest);
      const execute = prepared.execute;
      prepared.execute = function (this: unknown, ...args: unknown[]) {
        executing = name !== undefined;
        return execute.apply(this, args);
      };
      return prepared;
    };
  });
  const sent: SentStatement[] = [];
  logger.logQuery = (text, params) => {
    sent.push({ text, params, named: executing ?? true });
    executing = undefined;
    logQuery.call(logger, text, params);
  };
  return {
    sent,
    stop() {
      logger.logQuery = logQuery;
      sessions.forEach((session, i) => {
        session.prepareQuery = originals[i] as PrepareQuery;
      });
    },
  };
}
