// users/me is the web app's first call and every app's "who am I": each statement it sends is a named one, built once
// (one round trip, no parsing), never an unnamed one that postgres.js sends as Parse and Describe, waits, then Bind.
import { beforeAll, describe, expect, it } from 'vitest';
import { useDesk } from '../support/desk.ts';
import { recordStatements } from '../support/statements.ts';

const t = useDesk();

beforeAll(async () => {
  // Only the request's statements are recorded: the background job queue stops polling.
  await t.desk.jobs.stop();
});

describe('users/me', () => {
  it('sends only named statements: the user, the organization and the mail domain check', async () => {
    const me = await t.browserFor(await t.createUser({ organizationId: await t.createOrganization() }));
    // The first users/me of this Desk's database: every statement is prepared while recorded, so its name is seen.
    const recording = recordStatements(t.testDb.database);
    try {
      expect((await me.get('/api/v1.0/users/me/')).status).toBe(200);
    } finally {
      recording.stop();
    }
    // The job queue's first pass (scheduled at start, before it was stopped) may still be running beside the request.
    const request = recording.sent.filter(({ text }) => !/\bjobs\b/.test(text));
    expect(request.map(({ text, named }) => ({ table: /from "(\w+)"/.exec(text)?.[1], named }))).toEqual([
      { table: 'users', named: true },
      { table: 'organizations', named: true },
      { table: 'mail_domain_accesses', named: true },
    ]);
  });
});
