// Mailboxes of a mail domain (DESIGN.md §11, people's mailbox_manager mailboxes API): who reads, creates and changes
// them, what dimail is asked, and the mails a mailbox's agent gets (welcome, new password, login link).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import { type RunningDesk, startDeskOn, useDesk } from '../support/desk.ts';
import { startFakeDimail } from '../support/fake-dimail.ts';
import { MAIL_DOMAINS_API as api, mailDomainsKit, type TestDomain } from '../support/mail-domains.ts';
import { startSmtpSink } from '../support/smtp.ts';

const WEBMAIL_URL = 'https://webmail.example.test';
const dimail = await startFakeDimail();
const smtp = await startSmtpSink();
afterAll(async () => {
  await dimail.close();
  await smtp.close();
});
const clock = { now: Date.now() };
const dimailSettings = {
  MAIL_PROVISIONING_API_URL: dimail.url,
  MAIL_PROVISIONING_API_CREDENTIALS: dimail.credentials,
  MAIL_PROVISIONING_API_TIMEOUT: '2',
};
const t = useDesk(
  {
    ...dimailSettings,
    WEBMAIL_URL,
    EMAIL_HOST: '127.0.0.1',
    EMAIL_PORT: String(smtp.port),
    EMAIL_FROM: 'desk@example.gouv.fr',
  },
  { now: () => clock.now },
);
const kit = mailDomainsKit(t, clock);

interface MailboxJson {
  id: string;
  first_name: string;
  last_name: string;
  local_part: string;
  secondary_email: string | null;
  status: string;
}

let n = 0;
/** A mailbox body with unique names and secondary email. */
function mailboxBody(overrides: Record<string, unknown> = {}) {
  n += 1;
  const tag = `${crypto.randomUUID().slice(0, 6)}${n}`;
  return {
    first_name: `Ada${tag}`,
    last_name: 'Lovelace',
    local_part: `ada.${tag}`,
    secondary_email: `ada.${tag}@elsewhere.example`,
    ...overrides,
  };
}

async function createMailbox(d: TestDomain, overrides: Record<string, unknown> = {}, b: Browser = d.b) {
  const res = await b.post(`${api}/${d.slug}/mailboxes/`, mailboxBody(overrides));
  expect(res.status, res.text).toBe(201);
  return res.json as MailboxJson;
}

const dimailCalls = (method: string, path: string) =>
  dimail.requests.filter((r) => r.method === method && r.path.replace(/\/+$/, '') === path);
/** A field of dimail's last answer to that call (the password or login code it made). */
const dimailMade = (method: string, path: string, field: string) =>
  String((dimailCalls(method, path).at(-1)?.response as Record<string, unknown> | undefined)?.[field] ?? '');

describe('reading mailboxes', () => {
  it('lists and retrieves the domain’s mailboxes for a viewer', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const { b } = await kit.member(d, 'viewer');
    const list = await b.get(`${api}/${d.slug}/mailboxes/`);
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ count: 1, results: [box] });
    const one = await b.get(`${api}/${d.slug}/mailboxes/${box.id}/`);
    expect(one.status).toBe(200);
    expect(one.json).toEqual(box);
  });

  it('answers 404 to a user without a role on the domain', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const stranger = await t.browserFor(await t.createUser());
    expect((await stranger.get(`${api}/${d.slug}/mailboxes/`)).status).toBe(404);
    expect((await stranger.get(`${api}/${d.slug}/mailboxes/${box.id}/`)).status).toBe(404);
  });
});

describe('creating a mailbox', () => {
  it('is refused to a viewer', async () => {
    const d = await kit.domain();
    const { b } = await kit.member(d, 'viewer');
    const res = await b.post(`${api}/${d.slug}/mailboxes/`, mailboxBody());
    expect(res.status).toBe(403);
  });

  it.each(['administrator', 'owner'] as const)(
    'by an %s makes it on dimail with the display name "First Last"',
    async (role) => {
      const d = await kit.domain();
      const b = role === 'owner' ? d.b : (await kit.member(d, role)).b;
      const body = mailboxBody();
      const res = await b.post(`${api}/${d.slug}/mailboxes/`, body);
      expect(res.status, res.text).toBe(201);
      expect(res.json).toEqual({ id: expect.any(String), ...body, status: 'enabled' });
      expect(dimail.platform.mailboxes.get(`${body.local_part}@${d.name}`)).toMatchObject({
        givenName: body.first_name,
        surName: body.last_name,
        displayName: `${body.first_name} Lovelace`,
        active: true,
      });
    },
  );

  it('lower-cases the local part', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d, { local_part: 'Grace.HOPPER' });
    expect(box.local_part).toBe('grace.hopper');
    expect(dimail.platform.mailboxes.has(`grace.hopper@${d.name}`)).toBe(true);
  });

  it.each(['a b', 'é', 'x@y'])('refuses the local part %j', async (localPart) => {
    const d = await kit.domain();
    const res = await d.b.post(`${api}/${d.slug}/mailboxes/`, mailboxBody({ local_part: localPart }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ local_part: [expect.any(String)] });
  });

  it('requires a first name', async () => {
    const d = await kit.domain();
    const { first_name: _, ...body } = mailboxBody();
    const res = await d.b.post(`${api}/${d.slug}/mailboxes/`, body);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ first_name: [expect.any(String)] });
  });

  it('refuses an address the domain already has', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const res = await d.b.post(`${api}/${d.slug}/mailboxes/`, mailboxBody({ local_part: box.local_part }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ local_part: [expect.any(String)] });
  });

  it('refuses a first and last name the domain already has, whatever their case', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const res = await d.b.post(
      `${api}/${d.slug}/mailboxes/`,
      mailboxBody({ first_name: box.first_name.toUpperCase(), last_name: box.last_name.toLowerCase() }),
    );
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      __all__: ['Mailbox with this First name, Last name and Domain already exists.'],
    });
  });

  it('accepts the same first and last name on another domain', async () => {
    const d = await kit.domain();
    const other = await kit.domain('', d.owner);
    const box = await createMailbox(d);
    const again = await createMailbox(other, { first_name: box.first_name, last_name: box.last_name });
    expect(again.status).toBe('enabled');
  });

  it('refuses a secondary email equal to the mailbox’s own address', async () => {
    const d = await kit.domain();
    const res = await d.b.post(
      `${api}/${d.slug}/mailboxes/`,
      mailboxBody({ local_part: 'self', secondary_email: `self@${d.name}` }),
    );
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ secondary_email: [expect.any(String)] });
  });

  it('on a domain waiting for DNS records answers pending and asks nothing of dimail', async () => {
    const d = await kit.domain('action-required.');
    expect(d.status).toBe('action_required');
    const box = await createMailbox(d);
    expect(box.status).toBe('pending');
    expect(dimail.requests.some((r) => r.path.startsWith(`/domains/${d.name}/mailboxes`))).toBe(false);
  });

  it('on a pending domain is made once a check enables the domain, and its agent gets a welcome with a login link', async () => {
    const d = await kit.domain();
    await kit.setDomainStatus(d, 'pending');
    const body = mailboxBody();
    const box = await createMailbox(d, body);
    expect(box.status).toBe('pending');
    expect(dimail.platform.mailboxes.has(`${body.local_part}@${d.name}`)).toBe(false);

    const fetched = await d.b.post(`${api}/${d.slug}/fetch/`, {});
    expect(fetched.status, fetched.text).toBe(200);
    expect(fetched.json).toMatchObject({ status: 'enabled' });
    await kit.runQueuedJobs();

    expect(dimail.platform.mailboxes.get(`${body.local_part}@${d.name}`)?.active).toBe(true);
    expect((await d.b.get(`${api}/${d.slug}/mailboxes/${box.id}/`)).json).toMatchObject({
      status: 'enabled',
    });
    const made = dimailMade('POST', `/domains/${d.name}/mailboxes/${body.local_part}/code`, 'code');
    expect(made).toBeTruthy();
    const welcome = await kit.mailsTo(body.secondary_email);
    expect(welcome.map((m) => m.template)).toEqual(['mailbox_created']);
    // Sent: the mail carried the link, the outbox keeps no usable copy.
    expect(welcome[0]?.context.loginLink).toBe('[sent]');
    const sent = smtp.received.find((m) => m.to && JSON.stringify(m.to).includes(body.secondary_email));
    expect(sent?.text).toContain(`${WEBMAIL_URL}/code/${made}`);
  });

  it('is refused on a disabled domain', async () => {
    const d = await kit.domain();
    await kit.setDomainStatus(d, 'disabled');
    const res = await d.b.post(`${api}/${d.slug}/mailboxes/`, mailboxBody());
    expect(res.status).toBe(400);
  });
});

describe('changing a mailbox', () => {
  it('an administrator changes its names and secondary email', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const { b } = await kit.member(d, 'administrator');
    const res = await b.patch(`${api}/${d.slug}/mailboxes/${box.id}/`, {
      first_name: 'Augusta',
      secondary_email: 'augusta@elsewhere.example',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      first_name: 'Augusta',
      last_name: box.last_name,
      secondary_email: 'augusta@elsewhere.example',
    });
  });

  it('a viewer changes their own mailbox (the one whose address is their email)', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const { b } = await kit.member(d, 'viewer', { email: `${box.local_part}@${d.name}` });
    const res = await b.patch(`${api}/${d.slug}/mailboxes/${box.id}/`, {
      secondary_email: `mine.${box.local_part}@elsewhere.example`,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ secondary_email: `mine.${box.local_part}@elsewhere.example` });
  });

  it('is refused to a viewer on another’s mailbox', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const { b } = await kit.member(d, 'viewer');
    const res = await b.patch(`${api}/${d.slug}/mailboxes/${box.id}/`, { first_name: 'Other' });
    expect(res.status).toBe(403);
  });

  it('never changes the address', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const res = await d.b.patch(`${api}/${d.slug}/mailboxes/${box.id}/`, { local_part: 'renamed' });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ local_part: box.local_part });
  });

  it('gives dimail the new display name', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const res = await d.b.patch(`${api}/${d.slug}/mailboxes/${box.id}/`, {
      first_name: 'Augusta',
      last_name: 'King',
    });
    expect(res.status, res.text).toBe(200);
    const patches = dimailCalls('PATCH', `/domains/${d.name}/mailboxes/${box.local_part}`);
    expect(patches.at(-1)?.body).toMatchObject({ displayName: 'Augusta King' });
    expect(dimail.platform.mailboxes.get(`${box.local_part}@${d.name}`)?.displayName).toBe('Augusta King');
  });
});

describe('enabling and disabling a mailbox', () => {
  it('is refused to a viewer', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const { b } = await kit.member(d, 'viewer');
    expect((await b.post(`${api}/${d.slug}/mailboxes/${box.id}/disable/`, {})).status).toBe(403);
    expect((await b.post(`${api}/${d.slug}/mailboxes/${box.id}/enable/`, {})).status).toBe(403);
  });

  it('an administrator disables then enables it on dimail', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const { b } = await kit.member(d, 'administrator');
    const address = `${box.local_part}@${d.name}`;
    const off = await b.post(`${api}/${d.slug}/mailboxes/${box.id}/disable/`, {});
    expect(off.status, off.text).toBe(200);
    expect(off.json).toMatchObject({ status: 'disabled' });
    expect(dimail.platform.mailboxes.get(address)?.active).toBe(false);
    const on = await b.post(`${api}/${d.slug}/mailboxes/${box.id}/enable/`, {});
    expect(on.status, on.text).toBe(200);
    expect(on.json).toMatchObject({ status: 'enabled' });
    expect(dimail.platform.mailboxes.get(address)?.active).toBe(true);
  });
});

describe('resetting a mailbox’s password', () => {
  it('mails the password dimail made to the secondary email, and the outbox forgets it once sent', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const res = await d.b.post(`${api}/${d.slug}/mailboxes/${box.id}/reset_password/`, {});
    expect(res.status, res.text).toBe(200);
    const password = dimailMade(
      'POST',
      `/domains/${d.name}/mailboxes/${box.local_part}/reset_password`,
      'password',
    );
    expect(password).toBeTruthy();
    const queued = (await kit.mailsTo(box.secondary_email ?? '')).filter(
      (m) => m.template === 'mailbox_password_reset',
    );
    expect(queued).toHaveLength(1);
    expect(queued[0]?.secret).toEqual(['password']);
    expect(queued[0]?.context.password).toBe(password);

    await kit.runQueuedJobs();
    // The queue's own poller may hold the mail job when runQueuedJobs looks: wait for its outcome.
    const stored = async () =>
      (await kit.mailsTo(box.secondary_email ?? '')).find((m) => m.template === 'mailbox_password_reset');
    await expect.poll(async () => (await stored())?.context.password).toBe('[sent]');
    await expect.poll(() => smtp.received.find((m) => m.text?.includes(password))).toBeDefined();
    const sent = smtp.received.find((m) => m.text?.includes(password));
    expect(JSON.stringify(sent?.to)).toContain(box.secondary_email);
  });

  it('asks for a secondary email first', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d, { secondary_email: null });
    const res = await d.b.post(`${api}/${d.slug}/mailboxes/${box.id}/reset_password/`, {});
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      secondary_email: ['Please add a secondary email before resetting the password.'],
    });
  });
});

describe('a login link', () => {
  it('mails WEBMAIL_URL/code/<dimail’s code> to the secondary email', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const res = await d.b.post(`${api}/${d.slug}/mailboxes/${box.id}/login_link/`, {});
    expect(res.status, res.text).toBe(200);
    const code = dimailMade('POST', `/domains/${d.name}/mailboxes/${box.local_part}/code`, 'code');
    expect(code).toBeTruthy();
    const links = (await kit.mailsTo(box.secondary_email ?? '')).filter(
      (m) => m.template === 'mailbox_login_link',
    );
    expect(links).toHaveLength(1);
    expect(links[0]?.context.loginLink).toBe(`${WEBMAIL_URL}/code/${encodeURIComponent(code)}`);
    expect(links[0]?.secret).toEqual(['loginLink']);
  });

  it('asks for a secondary email first', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d, { secondary_email: null });
    const res = await d.b.post(`${api}/${d.slug}/mailboxes/${box.id}/login_link/`, {});
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ secondary_email: [expect.any(String)] });
  });
});

describe('a Desk without WEBMAIL_URL and with FEATURE_MAILBOXES_CREATE=false', () => {
  // Another pod on the same database and store, with those settings.
  let pod: RunningDesk;
  beforeAll(async () => {
    pod = await startDeskOn(
      t.testDb,
      t.store.kv,
      { ...dimailSettings, FEATURE_MAILBOXES_CREATE: 'false' },
      () => clock.now,
    );
    await pod.desk.jobs.stop();
  });
  afterAll(() => pod?.stop());

  async function onPod(user: User): Promise<Browser> {
    const session = await pod.desk.sessions.create(user.id);
    const b = pod.browser();
    b.cookies.set(pod.desk.config.SESSION_COOKIE_NAME, session.id);
    b.cookies.set('csrftoken', `csrf-${crypto.randomUUID()}`);
    return b;
  }

  it('refuses to create mailboxes', async () => {
    const d = await kit.domain();
    const res = await (await onPod(d.owner)).post(`${api}/${d.slug}/mailboxes/`, mailboxBody());
    expect(res.status).toBe(403);
  });

  it('refuses login links, naming WEBMAIL_URL', async () => {
    const d = await kit.domain();
    const box = await createMailbox(d);
    const res = await (await onPod(d.owner)).post(`${api}/${d.slug}/mailboxes/${box.id}/login_link/`, {});
    expect(res.status).toBe(400);
    expect((res.json as { detail: string }).detail).toContain('WEBMAIL_URL');
  });
});
