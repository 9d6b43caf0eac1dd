// One import at a time into a Desk database on PostgreSQL: a second one is refused at once, with a message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdImportLock, ImportRunning } from '../../src/import/index.ts';
import { createPeopleSource, type PeopleSource } from '../support/people-source.ts';

// Any PostgreSQL database of the test's own stands for Desk's: the lock is per database.
let database: PeopleSource;
beforeAll(async () => {
  database = await createPeopleSource();
});
afterAll(() => database?.close());

describe('the import lock', () => {
  it('refuses a second import while one runs, and lets the next one in once it is done', async () => {
    const release = await holdImportLock(database.url);
    await expect(holdImportLock(database.url)).rejects.toBeInstanceOf(ImportRunning);
    await release();
    const again = await holdImportLock(database.url);
    await again();
  });

  it('lets exactly one of two imports started at the same instant in', async () => {
    const results = await Promise.allSettled([holdImportLock(database.url), holdImportLock(database.url)]);
    const held = results.filter((r) => r.status === 'fulfilled');
    expect(held).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(ImportRunning);
    await (held[0] as PromiseFulfilledResult<() => Promise<void>>).value();
  });
});
