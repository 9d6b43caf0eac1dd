// The periodic status check (DESIGN.md §11): one queued check job whatever the number of pods, a check of every domain
// but the disabled each MAIL_CHECK_DOMAIN_INTERVAL minutes, and a mail to the support address when a status changes.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_CHECK_JOB, MAIL_SYNC_JOB } from '../../src/mail-domains/index.ts';
import { rowsOf } from '../../src/platform/database.ts';
import { users } from '../../src/users/index.ts';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import { startFakeDimail } from '../support/fake-dimail.ts';
import { type TestDatabase, testDatabase, testStore, uniqueEmail } from '../support/parts.ts';

const dimail = await startFakeDimail();
const clock = Date.now();
let testDb: TestDatabase;
const pods: RunningDesk[] = [];
const settings = {
  MAIL_PROVISIONING_API_URL: dimail.url,
  MAIL_PROVISIONING_API_CREDENTIALS: dimail.credentials,
  MAIL_PROVISIONING_API_TIMEOUT: '2',
  MAIL_CHECK_DOMAIN_INTERVAL: '15',
};

beforeAll(async () => {
  testDb = await testDatabase();
  const store = testStore(() => clock);
  // Two pods of one Desk on one database, both starting their job queues.
  for (let i = 0; i < 2; i += 1) pods.push(await startDeskOn(testDb, store.kv, settings, () => clock));
  // The tests run the queue by hand from here on, each step when they choose.
  for (const pod of pods) await pod.desk.jobs.stop();
});

/** Makes the queued periodic check due now. */
const checkDueNow = () =>
  db().execute(
    sql`update jobs set run_at = ${new Date(clock).toISOString()}::timestamptz where kind = ${MAIL_CHECK_JOB} and status = 'pending'`,
  );

afterAll(async () => {
  for (const pod of pods) await pod.stop();
  await testDb?.drop();
  await dimail.close();
});

const db = () => testDb.database.db;
const pendingJobs = async (kind: string) =>
  rowsOf<{ id: string; run_at: string | Date; payload: Record<string, unknown> }>(
    await db().execute(sql`select id, run_at, payload from jobs where kind = ${kind} and status = 'pending'`),
  );
/** The checks the periodic job queued, whether they ran since or not. */
const queuedChecks = async () =>
  rowsOf<{ payload: Record<string, unknown> }>(
    await db().execute(
      sql`select payload from jobs where kind = ${MAIL_SYNC_JOB} and payload->>'check' = 'true'`,
    ),
  ).map((r) => r.payload);

async function ownerBrowser(language = 'en-us') {
  const [user] = await db()
    .insert(users)
    .values({ email: uniqueEmail(), name: 'Owner', sub: `sub-${crypto.randomUUID()}`, language })
    .returning();
  const pod = pods[0] as RunningDesk;
  const session = await pod.desk.sessions.create(user!.id);
  const b = pod.browser();
  b.cookies.set(pod.desk.config.SESSION_COOKIE_NAME, session.id);
  b.cookies.set('csrftoken', `csrf-${crypto.randomUUID()}`);
  return b;
}

async function createDomain(name: string, language?: string) {
  const b = await ownerBrowser(language);
  const res = await b.post('/api/v1.0/mail-domains/', { name, support_email: `support@${name}` });
  expect(res.status, res.text).toBe(201);
  return { ...(res.json as { id: string; slug: string; status: string }), owner: b };
}

const statusMails = async (name: string) =>
  rowsOf<{ payload: { to: string; language: string; context: { status: string; details: string[] } } }>(
    await db().execute(
      sql`select payload from jobs where kind = 'mail' and payload->>'template' = 'maildomain_status' and payload->>'to' = ${`support@${name}`} order by created_at`,
    ),
  ).map((r) => r.payload);

describe('the periodic check of mail domains', () => {
  it('stays one queued job when several pods start', async () => {
    // Each pod queues it once listening (an onListen hook, which may end after listen() returned).
    await expect.poll(async () => (await pendingJobs(MAIL_CHECK_JOB)).length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await pendingJobs(MAIL_CHECK_JOB)).toHaveLength(1);
  });

  it('queues a check of every domain but the disabled, and runs again MAIL_CHECK_DOMAIN_INTERVAL minutes later', async () => {
    const checked = await createDomain(`d${crypto.randomUUID().slice(0, 8)}.example.fr`);
    const disabled = await createDomain(`d${crypto.randomUUID().slice(0, 8)}.example.fr`);
    await db().execute(sql`update mail_domains set status = 'disabled' where id = ${disabled.id}`);
    const at = clock;
    await checkDueNow();
    await (pods[1] as RunningDesk).desk.jobs.runOnce();
    const checks = await queuedChecks();
    expect(checks).toContainEqual({ entity: 'domain', id: checked.id, check: true });
    expect(checks.some((p) => p.id === disabled.id)).toBe(false);
    const [next] = await pendingJobs(MAIL_CHECK_JOB);
    expect(new Date(next!.run_at).getTime()).toBe(at + 15 * 60_000);
    // The checks ran: the domain's status was read again at dimail.
    const [row] = rowsOf<{ last_checked_at: Date | string | null }>(
      await db().execute(sql`select last_checked_at from mail_domains where id = ${checked.id}`),
    );
    expect(row?.last_checked_at).not.toBeNull();
  });

  it('mails the support address, in the owner’s language, when a check changes the status', async () => {
    const name = `d${crypto.randomUUID().slice(0, 8)}.example.fr`;
    const domain = await createDomain(name, 'fr-fr');
    expect(domain.status).toBe('enabled');
    const atCreation = await statusMails(name);
    expect(atCreation.map((m) => [m.context.status, m.language])).toEqual([['enabled', 'fr-fr']]);
    // A domain set back to pending (as one made while dimail was down) that dimail finds ok is enabled and mailed;
    // a check that changes nothing mails nothing.
    await db().execute(sql`update mail_domains set status = 'pending' where id = ${domain.id}`);
    const b = domain.owner;
    const fetched = await b.post(`/api/v1.0/mail-domains/${domain.slug}/fetch/`, {});
    expect(fetched.status, fetched.text).toBe(200);
    expect((fetched.json as { status: string }).status).toBe('enabled');
    expect((await statusMails(name)).map((m) => m.context.status)).toEqual(['enabled', 'enabled']);
    await b.post(`/api/v1.0/mail-domains/${domain.slug}/fetch/`, {});
    expect(await statusMails(name)).toHaveLength(2);
  });

  it('tells what DNS records to set when dimail finds them missing', async () => {
    const name = `action-required.d${crypto.randomUUID().slice(0, 8)}.example.fr`;
    const domain = await createDomain(name);
    expect(domain.status).toBe('action_required');
    const [mail] = await statusMails(name);
    expect(mail?.context.status).toBe('action_required');
    expect(mail?.context.details.length).toBeGreaterThan(0);
  });

  it('enables a domain whose internal fault dimail fixes, and fails one it cannot', async () => {
    const fixable = await createDomain(`fixable.d${crypto.randomUUID().slice(0, 8)}.example.fr`);
    expect(fixable.status).toBe('enabled');
    const failed = await createDomain(`failed.d${crypto.randomUUID().slice(0, 8)}.example.fr`);
    expect(failed.status).toBe('failed');
  });
});
