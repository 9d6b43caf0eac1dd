// Invitation and document mails: rendered in the right language, received by a real SMTP server, retried, never sent twice.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SmtpMailer } from '../../src/email/smtp.ts';
import { configFrom } from '../../src/platform/config.ts';
import { jobs } from '../../src/platform/schema.ts';
import type { User } from '../../src/users/index.ts';
import { users } from '../../src/users/index.ts';
import { BASE_SETTINGS, type RunningDesk, startDeskOn } from '../support/desk.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore, uniqueEmail } from '../support/parts.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp.ts';

let smtp: SmtpSink;
let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;
const SERVER_TOKEN = 'mail-test-server-token-0123456789';

beforeAll(async () => {
  smtp = await startSmtpSink();
  testDb = await testDatabase();
  store = testStore();
  desk = await startDeskOn(testDb, store.kv, {
    EMAIL_HOST: '127.0.0.1',
    EMAIL_PORT: String(smtp.port),
    EMAIL_FROM: 'desk@example.gouv.fr',
    EMAIL_APP_URL: 'https://desk.example.gouv.fr',
    SERVER_TO_SERVER_API_TOKENS: SERVER_TOKEN,
  });
});

afterAll(async () => {
  await desk?.stop();
  await store?.kv.close();
  await smtp?.close();
  await testDb?.drop();
});

async function inviter(language: 'en-us' | 'fr-fr', teamName: string) {
  const [user] = await testDb.database.db
    .insert(users)
    .values({ email: uniqueEmail('inviter'), name: 'Hélène Martin', language })
    .returning();
  const session = await desk.desk.sessions.create(user!.id);
  const browser = desk.browser();
  browser.cookies.set('desk_sessionid', session.id);
  browser.cookies.set('csrftoken', 'csrf-for-mail-tests');
  const team = (await browser.post('/api/v1.0/teams/', { name: teamName })).json as { id: string };
  return { user: user as User, browser, teamId: team.id };
}

function mailsTo(email: string) {
  return smtp.received.filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === email);
}

const mailTo = (email: string) => mailsTo(email)[0];

function waitForMailTo(email: string) {
  return vi.waitUntil(() => mailTo(email), { timeout: 15_000 });
}

/** A document created by a service provider for its owner (`sub`, `email`), which may mail the owner. */
function createForOwner(json: Record<string, unknown>) {
  return desk.browser().request('POST', '/api/v1.0/documents/create-for-owner/', {
    headers: { authorization: `Bearer ${SERVER_TOKEN}` },
    json: { sub: `sub-${crypto.randomUUID()}`, ...json },
  });
}

/** The outbox's jobs for an address: what was queued, and where each stands. */
function mailJobsTo(email: string) {
  return testDb.database.db
    .select()
    .from(jobs)
    .where(sql`${jobs.kind} = 'mail' and ${jobs.payload}->>'to' = ${email}`);
}

describe('the invitation mail', () => {
  it('reaches the invitee in English, with HTML and text parts and a sign-in link', async () => {
    const { browser, teamId } = await inviter('en-us', 'Numérique');
    const email = uniqueEmail('invitee');
    expect(
      (await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email, role: 'administrator' })).status,
    ).toBe(201);
    const mail = await waitForMailTo(email);
    expect(mail.subject).toBe('Invitation to join the team Numérique');
    expect(mail.from?.text).toContain('desk@example.gouv.fr');
    expect(mail.text).toContain('as administrator');
    expect(mail.text).toContain('https://desk.example.gouv.fr/');
    expect(mail.html).toContain('href="https://desk.example.gouv.fr/"');
  });

  it('speaks French when the inviter does, and escapes the team name in HTML', async () => {
    const { browser, teamId } = await inviter('fr-fr', '<b>Équipe</b>');
    const email = uniqueEmail('invitee');
    await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email, role: 'member' });
    const mail = await waitForMailTo(email);
    expect(mail.subject).toBe("Invitation à rejoindre l'équipe <b>Équipe</b>");
    expect(mail.text).toContain('en tant que membre');
    expect(mail.html).toContain('&lt;b&gt;Équipe&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>Équipe</b>');
  });

  it('is retried after a temporary SMTP failure and delivered once', async () => {
    const { browser, teamId } = await inviter('en-us', 'Retry');
    const email = uniqueEmail('retry');
    smtp.refuseNext = 1;
    expect((await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email })).status).toBe(201);
    // The first attempt is refused; the next one waits for the back-off: run it now.
    const [refused] = await vi.waitUntil(
      async () => {
        const found = await mailJobsTo(email);
        return found[0]?.lastError && found[0].lockedUntil === null && found;
      },
      { timeout: 15_000 },
    );
    expect(refused).toMatchObject({ status: 'pending', attempts: 1 });
    expect(mailTo(email)).toBeUndefined();
    await testDb.database.db.update(jobs).set({ runAt: sql`now()` }).where(sql`${jobs.id} = ${refused!.id}`);
    const mail = await waitForMailTo(email);
    expect(mail.subject).toBe('Invitation to join the team Retry');
    expect(mailsTo(email)).toHaveLength(1);
  });
});

describe('the document mail', () => {
  it('tells the owner in their language, with the caller subject and message and a link to the document', async () => {
    const email = uniqueEmail('owner');
    const res = await createForOwner({
      title: 'Rapport',
      content: 'x',
      email,
      language: 'fr-fr',
      subject: 'Votre rapport',
      message: 'Bonne lecture.',
    });
    const id = (res.json as { id: string }).id;
    const mail = await waitForMailTo(email);
    expect(mail.subject).toBe('Votre rapport');
    expect(mail.text).toContain('Bonne lecture.');
    expect(mail.text).toContain(`https://desk.example.gouv.fr/documents/${id}/`);
    expect(mail.html).toContain('Ouvrir le document');
  });

  it('is not sent when send_notification_email is false', async () => {
    const create = (email: string, notify: boolean) =>
      createForOwner({ title: 'Quiet', content: '', email, send_notification_email: notify });
    const silent = uniqueEmail('silent');
    expect((await create(silent, false)).status).toBe(201);
    // The outbox runs in order: once a later mail has arrived, a mail for the first document would have too.
    const later = uniqueEmail('later');
    expect((await create(later, true)).status).toBe(201);
    await waitForMailTo(later);
    expect(mailTo(silent)).toBeUndefined();
    expect(await mailJobsTo(silent)).toEqual([]);
  });
});

describe('two Desk processes sharing the outbox', () => {
  it('send each mail once', async () => {
    const second = await startDeskOn(testDb, store.kv, {
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(smtp.port),
    });
    try {
      const { browser, teamId } = await inviter('en-us', 'Twice?');
      const emails = Array.from({ length: 6 }, () => uniqueEmail('once'));
      for (const email of emails) await browser.post(`/api/v1.0/teams/${teamId}/invitations/`, { email });
      for (const email of emails) await waitForMailTo(email);
      // Every job done: no run is left that could send a second copy.
      for (const email of emails)
        await vi.waitUntil(
          async () =>
            (await mailJobsTo(email)).every((job) => job.status === 'done' && job.lockedUntil === null),
          { timeout: 15_000 },
        );
      for (const email of emails) expect(mailsTo(email)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});

describe('the SMTP mailer', () => {
  it('gives up within its timeouts when nothing listens', async () => {
    const mailer = new SmtpMailer(configFrom({ ...BASE_SETTINGS, EMAIL_HOST: '127.0.0.1', EMAIL_PORT: '1' }));
    await expect(
      mailer.send({ to: 'a@example.gouv.fr', subject: 's', html: '<p>h</p>', text: 't' }),
    ).rejects.toThrow();
    mailer.close();
  });
});

describe('development pages', () => {
  it('preview the invitation mail as HTML and as text, in French on request', async () => {
    const html = await desk.browser().get('/__debug__/mail/team_invitation_html');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.text).toContain('&lt;Numérique&gt;');
    const text = await desk.browser().get('/__debug__/mail/team_invitation_txt?lang=fr-fr');
    expect(text.text).toContain("Invitation à rejoindre l'équipe");
    expect((await desk.browser().get('/__debug__/mail/nope_html')).status).toBe(404);
  });

  it('list the outbox', async () => {
    const res = await desk.browser().get('/__debug__/outbox');
    expect(res.status).toBe(200);
    expect((res.json as { template: string }[]).some((m) => m.template === 'team_invitation')).toBe(true);
  });
});
