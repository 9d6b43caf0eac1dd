// DESIGN.md §11: a dimail failure never loses what an agent asked for. Whatever the outage (an error, no answer in
// time, connections refused), each request answers at once with its record pending, and the queued job brings dimail
// and the record to what was asked once dimail is back.
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/platform/database.ts';
import type { Browser } from '../support/browser.ts';
import { useDesk } from '../support/desk.ts';
import { startFakeDimail } from '../support/fake-dimail.ts';

const dimail = await startFakeDimail();
afterAll(() => dimail.close());
let clock = Date.now();
const t = useDesk(
  {
    MAIL_PROVISIONING_API_URL: dimail.url,
    MAIL_PROVISIONING_API_CREDENTIALS: dimail.credentials,
    MAIL_PROVISIONING_API_TIMEOUT: '1',
    WEBMAIL_URL: 'https://webmail.example.test',
  },
  { now: () => clock },
);

const isToken = (path: string) => path.replace(/\/+$/, '') === '/token';
const unique = () => `d${crypto.randomUUID().slice(0, 8)}.example.fr`;
const api = '/api/v1.0/mail-domains';

async function enabledDomain(): Promise<{ b: Browser; slug: string; name: string }> {
  const b = await t.browserFor(await t.createUser());
  const name = unique();
  const res = await b.post(`${api}/`, { name, support_email: `support@${name}` });
  expect(res.status, res.text).toBe(201);
  expect((res.json as { status: string }).status).toBe('enabled');
  return { b, slug: (res.json as { slug: string }).slug, name };
}

async function mailbox(b: Browser, slug: string, localPart: string) {
  return b.post(`${api}/${slug}/mailboxes/`, {
    first_name: localPart,
    last_name: 'Agent',
    local_part: localPart,
    secondary_email: `${localPart}.${slug}@elsewhere.example`,
  });
}

/** Runs the queued jobs due after the clock moved past the requests' own attempts. */
async function runQueuedJobs(): Promise<void> {
  clock += 10 * 60_000;
  for (let round = 0; round < 20 && (await t.desk.jobs.runOnce()) > 0; round += 1);
}

async function mailsTo(address: string): Promise<{ template: string; context: Record<string, unknown> }[]> {
  const rows = rowsOf<{ payload: { to: string; template: string; context: Record<string, unknown> } }>(
    await t.testDb.database.db.execute(sql`select payload from jobs where kind = 'mail' order by created_at`),
  );
  return rows.map((r) => r.payload).filter((p) => p.to === address);
}

const outages = [
  {
    what: 'answers 500',
    down: () => dimail.failNext(/./, 500, 100_000),
    back: async () => dimail.heal(),
  },
  {
    what: 'does not answer within MAIL_PROVISIONING_API_TIMEOUT',
    down: () => dimail.failNext(/./, 'hang', 100_000),
    back: async () => dimail.heal(),
  },
  {
    what: 'refuses connections',
    down: () => dimail.stop(),
    back: () => dimail.restart(),
  },
] as const;

describe.sequential.each(outages)('when dimail $what', ({ down, back }) => {
  it('answers every change at once as pending, and the queued jobs finish each one once dimail is back', async () => {
    const { b, slug, name } = await enabledDomain();
    const existing = (await mailbox(b, slug, 'existing')).json as { id: string; status: string };
    expect(existing.status).toBe('enabled');
    await down();
    try {
      const otherName = unique();
      const domain = await b.post(`${api}/`, { name: otherName, support_email: `support@${otherName}` });
      expect(domain.status, domain.text).toBe(201);
      expect(domain.json).toMatchObject({ name: otherName, status: 'pending' });

      const created = await mailbox(b, slug, 'newcomer');
      expect(created.status, created.text).toBe(201);
      expect(created.json).toMatchObject({ local_part: 'newcomer', status: 'pending' });

      const alias = await b.post(`${api}/${slug}/aliases/`, {
        local_part: 'desk',
        destination: `existing@${name}`,
      });
      expect(alias.status, alias.text).toBe(201);
      expect(alias.json).toMatchObject({ status: 'pending' });

      const link = await b.post(`${api}/${slug}/mailboxes/${existing.id}/login_link/`, {});
      expect(link.status, link.text).toBe(202);

      const disabled = await b.post(`${api}/${slug}/mailboxes/${existing.id}/disable/`, {});
      expect(disabled.status, disabled.text).toBe(200);
      expect(disabled.json).toMatchObject({ status: 'pending' });

      expect(dimail.platform.domains.has(otherName)).toBe(false);
      expect(dimail.platform.mailboxes.has(`newcomer@${name}`)).toBe(false);
    } finally {
      await back();
    }
    await runQueuedJobs();

    const otherDomains = (await b.get(`${api}/?ordering=-created_at`)).json as {
      results: { name: string; status: string }[];
    };
    expect(otherDomains.results.every((d) => d.status === 'enabled')).toBe(true);
    const boxes = (await b.get(`${api}/${slug}/mailboxes/`)).json as {
      results: { local_part: string; status: string }[];
    };
    expect(Object.fromEntries(boxes.results.map((m) => [m.local_part, m.status]))).toEqual({
      existing: 'disabled',
      newcomer: 'enabled',
    });
    const aliases = (await b.get(`${api}/${slug}/aliases/`)).json as { results: { status: string }[] };
    expect(aliases.results.map((a) => a.status)).toEqual(['enabled']);

    expect(dimail.platform.mailboxes.get(`newcomer@${name}`)?.active).toBe(true);
    expect(dimail.platform.mailboxes.get(`existing@${name}`)?.active).toBe(false);
    expect(dimail.platform.aliases.some((a) => a.domain === name && a.username === 'desk')).toBe(true);
    // The login link asked during the outage, and the newcomer's welcome with its own link, both reached the outbox.
    expect((await mailsTo(`existing.${slug}@elsewhere.example`)).map((m) => m.template)).toContain(
      'mailbox_login_link',
    );
    expect((await mailsTo(`newcomer.${slug}@elsewhere.example`)).map((m) => m.template)).toEqual([
      'mailbox_created',
    ]);
  });
});

describe('dimail tokens', () => {
  it('are asked once with Basic credentials and reused with Bearer until they expire', async () => {
    const { b, slug } = await enabledDomain();
    const before = dimail.requests.length;
    for (const localPart of ['one', 'two', 'three'])
      expect((await mailbox(b, slug, localPart)).status).toBe(201);
    const made = dimail.requests.slice(before);
    expect(made.filter((r) => isToken(r.path)).length).toBeLessThanOrEqual(1);
    expect(
      made.filter((r) => r.path.includes('/mailboxes/')).every((r) => r.authorization === 'bearer'),
    ).toBe(true);
    expect(made.filter((r) => isToken(r.path)).every((r) => r.authorization === 'basic')).toBe(true);
  });

  it('are asked again once when dimail stops taking the one Desk holds', async () => {
    const { b, slug } = await enabledDomain();
    await mailbox(b, slug, 'before');
    dimail.revokeTokens();
    const before = dimail.requests.length;
    const res = await mailbox(b, slug, 'after');
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ status: 'enabled' });
    expect(dimail.requests.slice(before).filter((r) => isToken(r.path)).length).toBe(1);
  });

  it('a check refused for Desk’s credentials answers 503 naming the setting to fix', async () => {
    const { b, slug, name } = await enabledDomain();
    dimail.failNext(`GET /domains/${name}/check`, 403);
    const res = await b.post(`${api}/${slug}/fetch/`, {});
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect((res.json as { detail: string }).detail).toContain('MAIL_PROVISIONING_API_CREDENTIALS');
  });
});

describe('a refusal by dimail', () => {
  it('undoes the creation it refused: the mailbox is not kept and the answer says why', async () => {
    const { b, slug, name } = await enabledDomain();
    dimail.failNext(`POST /domains/${name}/mailboxes/refused`, 422);
    const res = await mailbox(b, slug, 'refused');
    expect(res.status).toBe(400);
    const list = (await b.get(`${api}/${slug}/mailboxes/`)).json as { count: number };
    expect(list.count).toBe(0);
    // The audit log, append-only, keeps the creation and says it was refused.
    const events = rowsOf<{ event: string }>(
      await t.testDb.database.db.execute(
        sql`select event from audit_events where target_label = ${`refused@${name}`} order by event`,
      ),
    ).map((e) => e.event);
    expect(events.sort()).toEqual(['mail_platform.refused', 'mailbox.created']);
  });

  it('fails a domain whose creation the queued job finds refused, and tells its support address', async () => {
    const b = await t.browserFor(await t.createUser());
    const name = unique();
    // The agent's own attempt meets an outage; when the job tries again (and the periodic checks after it), dimail
    // refuses the domain.
    dimail.failNext('POST /domains/', 500);
    dimail.failNext('POST /domains/', 422, 1_000);
    const res = await b.post(`${api}/`, { name, support_email: `support@${name}` });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ status: 'pending' });
    await runQueuedJobs();
    const slug = (res.json as { slug: string }).slug;
    expect((await b.get(`${api}/${slug}/`)).json).toMatchObject({ status: 'failed' });
    const mails = await mailsTo(`support@${name}`);
    expect(mails.map((m) => [m.template, m.context.status])).toEqual([['maildomain_status', 'failed']]);
    dimail.heal();
  });
});
