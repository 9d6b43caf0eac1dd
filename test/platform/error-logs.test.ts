// What a failed request leaves in the logs: the error's kind and code, never the values it carried.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeError } from '../../src/platform/logging.ts';
import { type TestDatabase, testDatabase } from '../support/parts.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await testDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

describe('an error in the logs', () => {
  it('keeps a failed query short and without its parameters', async () => {
    const secret = `confidential-${'x'.repeat(300_000)}`;
    const failure = await testDb.database.db
      .execute(sql`select ${secret}::uuid`)
      .catch((err: unknown) => err);
    const logged = JSON.stringify(serializeError(failure));
    expect(logged).not.toContain('confidential');
    expect(logged.length).toBeLessThan(5_000);
    expect(serializeError(failure)).toMatchObject({ message: 'Failed query' });
  });

  it('keeps the class, the code and the first line of a plain error, without what it quotes', () => {
    const err = Object.assign(new Error('invalid input "jean.dupont@example.gouv.fr"\nsecond line'), {
      code: '22P02',
    });
    expect(serializeError(err)).toMatchObject({ type: 'Error', code: '22P02', message: 'invalid input "…"' });
  });
});
