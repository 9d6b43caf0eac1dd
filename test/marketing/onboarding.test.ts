// New users are sent to the onboarding backend by a background job: sign-in never waits on it nor fails for it.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKETING_JOB } from '../../src/marketing/index.ts';
import { jobs } from '../../src/platform/schema.ts';
import { users } from '../../src/users/index.ts';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import { type FakeBrevo, startFakeBrevo } from '../support/fake-brevo.ts';
import { loginThroughForge } from '../support/forge-login.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore, uniqueEmail } from '../support/parts.ts';
import { type Forge, startForge } from '../support/token-forge.ts';

let forge: Forge;
let brevo: FakeBrevo;
let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;

beforeAll(async () => {
  forge = await startForge();
  brevo = await startFakeBrevo();
  testDb = await testDatabase();
  store = testStore();
  desk = await startDeskOn(testDb, store.kv, {
    ...forge.settings,
    SIGNUP_NEW_USER_TO_MARKETING_EMAIL: 'true',
    LASUITE_MARKETING_BACKEND: 'brevo',
    LASUITE_MARKETING_PARAMETERS: JSON.stringify({
      api_key: 'k',
      api_contact_list_ids: [3],
      base_url: brevo.url,
    }),
  });
});

afterAll(async () => {
  await desk?.stop();
  await store?.kv.close();
  await brevo?.close();
  await forge?.close();
  await testDb?.drop();
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('onboarding', () => {
  it('registers a user created at sign-in with Brevo', async () => {
    const email = uniqueEmail('signup');
    await loginThroughForge(desk, forge, { userinfo: { email } });
    await until(() => brevo.contacts.has(email));
    expect(brevo.contacts.get(email)).toEqual({ listIds: [3] });
  });

  it('does not register a returning user again', async () => {
    const email = uniqueEmail('returning');
    const { sub } = await loginThroughForge(desk, forge, { userinfo: { email } });
    await until(() => brevo.contacts.has(email));
    const before = brevo.requests.length;
    await loginThroughForge(desk, forge, { sub, userinfo: { email } });
    // The sign-in's transaction has committed: an onboarding it queued would be in the jobs table now.
    const [user] = await testDb.database.db.select({ id: users.id }).from(users).where(eq(users.sub, sub));
    const queued = await testDb.database.db
      .select({ status: jobs.status })
      .from(jobs)
      .where(and(eq(jobs.kind, MARKETING_JOB), sql`${jobs.payload}->>'userId' = ${user!.id}`));
    expect(queued).toEqual([{ status: 'done' }]);
    expect(brevo.requests.length).toBe(before);
  });

  it('lets users sign in while Brevo is down, and registers them once it is back', async () => {
    brevo.failWith = 503;
    const email = uniqueEmail('later');
    const { browser } = await loginThroughForge(desk, forge, { userinfo: { email } });
    expect((await browser.get('/api/v1.0/users/me/')).status).toBe(200);
    await until(() =>
      brevo.requests.some((r) => r.method === 'GET' && r.path.includes(encodeURIComponent(email))),
    );
    brevo.failWith = undefined;
    // The retry waits for its back-off; bring it forward.
    await testDb.database.db.update(jobs).set({ runAt: sql`now()` }).where(sql`status = 'pending'`);
    await until(() => brevo.contacts.has(email));
  });
});
