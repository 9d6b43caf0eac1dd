// Helpers for the mail-domain API tests: a domain made by its owner through the API, colleagues given a role on it,
// the queued jobs run with the clock moved on, and the mails the outbox holds.
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { insertDomainAccess } from '../../src/mail-domains/queries.ts';
import type { DomainRole } from '../../src/mail-domains/schema.ts';
import { rowsOf } from '../../src/platform/database.ts';
import type { User } from '../../src/users/index.ts';
import type { Browser } from './browser.ts';
import type { TestDesk } from './desk.ts';

export const MAIL_DOMAINS_API = '/api/v1.0/mail-domains';

/** A domain name no other test uses; `prefix` picks dimail's outcome (`action-required.` → action_required). */
export const uniqueDomainName = (prefix = '') => `${prefix}d${crypto.randomUUID().slice(0, 8)}.example.fr`;

export interface TestDomain {
  id: string;
  slug: string;
  name: string;
  status: string;
  owner: User;
  /** The owner's browser. */
  b: Browser;
  /** The domain as its list and retrieve routes answer. */
  json: Record<string, unknown>;
}

export interface QueuedMail {
  to: string;
  template: string;
  language: string;
  context: Record<string, unknown>;
  secret?: string[];
}

export function mailDomainsKit(t: TestDesk, clock: { now: number }) {
  const db = () => t.testDb.database.db;

  async function domain(prefix = '', owner?: User): Promise<TestDomain> {
    const user = owner ?? (await t.createUser());
    const b = await t.browserFor(user);
    const name = uniqueDomainName(prefix);
    const res = await b.post(`${MAIL_DOMAINS_API}/`, { name, support_email: `support@${name}` });
    expect(res.status, res.text).toBe(201);
    const json = res.json as { id: string; slug: string; status: string };
    return { id: json.id, slug: json.slug, name, status: json.status, owner: user, b, json };
  }

  /** A user with that role on the domain (made directly, as people's factories do), and their browser. */
  async function member(d: TestDomain, role: DomainRole, values: Partial<User> = {}) {
    const user = await t.createUser(values);
    await insertDomainAccess(db(), d.id, user.id, role);
    return { user, b: await t.browserFor(user) };
  }

  async function setDomainStatus(d: TestDomain, status: string): Promise<void> {
    await db().execute(sql`update mail_domains set status = ${status} where id = ${d.id}`);
  }

  /** Runs the queued jobs due once the clock moved past the requests' own attempts. */
  async function runQueuedJobs(): Promise<void> {
    clock.now += 10 * 60_000;
    // The queue's own poller may hold a due job at this moment (runOnce then finds none): stopping it waits for the
    // job in hand, then what is left is run here, and the poller starts again.
    await t.desk.jobs.stop();
    for (let round = 0; round < 20 && (await t.desk.jobs.runOnce()) > 0; round += 1);
    t.desk.jobs.start();
  }

  async function mailsTo(address: string): Promise<QueuedMail[]> {
    const rows = rowsOf<{ payload: QueuedMail }>(
      await db().execute(sql`select payload from jobs where kind = 'mail' order by created_at, id`),
    );
    return rows.map((r) => r.payload).filter((p) => p.to === address);
  }

  return { db, domain, member, setDomainStatus, runQueuedJobs, mailsTo };
}
