// A password sent by mail is in the mail, not in the outbox: the job's row forgets it once the mail is sent, a
// retry still has it, and neither the staff API nor the development outbox list ever shows it.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { enqueueMail, type MailMessage, mailJobHandler, SENT_SECRET } from '../../src/email/index.ts';
import { backoffMs, JobQueue } from '../../src/platform/job-queue.ts';
import { jobs } from '../../src/platform/schema.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';

// No EMAIL_HOST: this Desk's own queue sends no mail, only the queues of these tests do.
const t = useDesk({ DEBUG: 'true' });

/** A mailer keeping every message it was handed, refusing the next `refuse` of them as a busy SMTP server does. */
function recordingMailer() {
  const mailer = {
    attempts: [] as MailMessage[],
    refuse: 0,
    async send(message: MailMessage) {
      mailer.attempts.push(message);
      if (mailer.refuse > 0) {
        mailer.refuse -= 1;
        throw new Error('451 try again later');
      }
    },
  };
  return mailer;
}

/** A worker sending mail through `mailer`, on a clock that `later` moves forward. */
function mailWorker(mailer: ReturnType<typeof recordingMailer>, options: { maxAttempts?: number } = {}) {
  let ahead = 0;
  const queue = new JobQueue(t.desk.database, { now: () => Date.now() + ahead, ...options });
  queue.register('mail', mailJobHandler(mailer));
  return {
    run: () => queue.runOnce(),
    later(ms: number) {
      ahead += ms;
    },
  };
}

const newPassword = () => `pw-${crypto.randomUUID()}`;

/** Queues a password reset mail to a new secondary address, its password marked secret; returns both. */
async function queuePasswordReset(options: { secret?: boolean } = {}) {
  const to = uniqueEmail('secondary');
  const password = newPassword();
  await t.desk.database.db.transaction((tx) =>
    enqueueMail(
      tx,
      {
        to,
        template: 'mailbox_password_reset',
        language: 'en-us',
        context: {
          email: 'jean.dupont@ville-exemple.fr',
          password,
          webmailUrl: 'https://webmail.example.gouv.fr/',
        },
      },
      options.secret === false ? {} : { secret: ['password'] },
    ),
  );
  return { to, password };
}

async function jobTo(to: string) {
  const rows = await t.desk.database.db
    .select()
    .from(jobs)
    .where(sql`${jobs.kind} = 'mail' and ${jobs.payload}->>'to' = ${to}`);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('a password sent by mail', () => {
  it('is in the mail, and the outbox row forgets it once the mail is sent', async () => {
    const mailer = recordingMailer();
    const { to, password } = await queuePasswordReset();
    expect(JSON.stringify((await jobTo(to)).payload)).toContain(password);
    await mailWorker(mailer).run();
    const [mail] = mailer.attempts.filter((m) => m.to === to);
    expect(mail?.text).toContain(`New password: ${password}`);
    expect(mail?.html).toContain(password);
    const job = await jobTo(to);
    expect(job.status).toBe('done');
    expect(JSON.stringify(job.payload)).not.toContain(password);
    expect(job.payload).toMatchObject({
      to,
      template: 'mailbox_password_reset',
      context: { email: 'jean.dupont@ville-exemple.fr', password: SENT_SECRET },
    });
  });

  it('is still in the mail at the second attempt when the first was refused', async () => {
    const mailer = recordingMailer();
    mailer.refuse = 1;
    const worker = mailWorker(mailer);
    const { to, password } = await queuePasswordReset();
    await worker.run();
    expect(await jobTo(to)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: '451 try again later',
    });
    worker.later(backoffMs(1) + 1);
    await worker.run();
    const attempts = mailer.attempts.filter((m) => m.to === to);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]?.text).toContain(`New password: ${password}`);
    const job = await jobTo(to);
    expect(job).toMatchObject({ status: 'done', attempts: 2 });
    expect(JSON.stringify(job.payload)).not.toContain(password);
  });

  it('never shows in the staff jobs API, before or after the mail is sent', async () => {
    const staff = await t.browserFor(await t.createUser({ isStaff: true }));
    const { to, password } = await queuePasswordReset();
    const { id } = await jobTo(to);
    const listed = async () => {
      const res = await staff.get('/api/v1.0/admin/jobs/?page_size=100');
      expect(res.status).toBe(200);
      expect((res.json as { results: { id: string }[] }).results.map((j) => j.id)).toContain(id);
      return res.text;
    };
    expect(await listed()).not.toContain(password);
    await mailWorker(recordingMailer()).run();
    expect((await jobTo(to)).status).toBe('done');
    expect(await listed()).not.toContain(password);
  });

  it('stays with a mail that failed for good, so that a staff retry sends it, and the retry does not show it', async () => {
    const staff = await t.browserFor(await t.createUser({ isStaff: true }));
    const mailer = recordingMailer();
    mailer.refuse = 1;
    const { to, password } = await queuePasswordReset();
    await mailWorker(mailer, { maxAttempts: 1 }).run();
    const failed = await jobTo(to);
    expect(failed.status).toBe('failed');
    const retried = await staff.post(`/api/v1.0/admin/jobs/${failed.id}/retry/`);
    expect(retried.status).toBe(200);
    expect(retried.text).not.toContain(password);
    await mailWorker(mailer).run();
    expect(mailer.attempts.filter((m) => m.to === to).map((m) => m.text.includes(password))).toEqual([
      true,
      true,
    ]);
    expect(JSON.stringify((await jobTo(to)).payload)).not.toContain(password);
  });

  it('never shows in the development outbox list; the outbox preview of the sent mail shows it forgotten', async () => {
    const { to, password } = await queuePasswordReset();
    const { id } = await jobTo(to);
    const pending = await t.browser().get(`/__debug__/outbox/${id}`);
    expect(pending.status).toBe(200);
    expect(pending.text).toContain(password); // the mail as it will be sent: what the development outbox is for
    expect((await t.browser().get('/__debug__/outbox')).text).not.toContain(password);
    await mailWorker(recordingMailer()).run();
    const sent = await t.browser().get(`/__debug__/outbox/${id}`);
    expect(sent.status).toBe(200);
    expect(sent.text).not.toContain(password);
    expect(sent.text).toContain(SENT_SECRET);
    expect((await t.browser().get('/__debug__/outbox')).text).not.toContain(password);
  });
});

describe('a mail with no secret', () => {
  it('stays in the outbox as it was sent', async () => {
    const { to, password } = await queuePasswordReset({ secret: false });
    const queued = (await jobTo(to)).payload;
    await mailWorker(recordingMailer()).run();
    const job = await jobTo(to);
    expect(job.status).toBe('done');
    expect(job.payload).toEqual(queued);
    expect(job.payload).not.toHaveProperty('secret');
    expect(JSON.stringify(job.payload)).toContain(password);
  });
});
