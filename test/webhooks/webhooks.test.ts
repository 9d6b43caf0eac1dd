// DESIGN.md §12 "Webhooks": a team's owners and administrators send its membership changes to another app; each
// change reaches a real HTTP receiver after the change commits (a SCIM PatchOp with the user's sub and the bearer
// secret), in order, retried after failures, never delaying the request that made it.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/audit/schema.ts';
import { jobs } from '../../src/platform/schema.ts';
import { teamAccesses } from '../../src/teams/index.ts';
import type { User } from '../../src/users/index.ts';
import { teamWebhookDeliveries, teamWebhooks } from '../../src/webhooks/schema.ts';
import type { Browser } from '../support/browser.ts';
import { useDesk } from '../support/desk.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const t = useDesk();
const db = () => t.testDb.database.db;

interface WebhookBody {
  id: string;
  url: string;
  protocol: string;
  status: string;
  last_error: string | null;
  last_success_at: string | null;
  has_secret: boolean;
}

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

/** A team its owner runs, with a colleague to add, in one organization; the receiver starts afresh. */
async function team() {
  receiver.received.length = 0;
  receiver.answers.length = 0;
  const organizationId = await t.createOrganization();
  const owner = await t.createUser({ organizationId });
  const browser = await t.browserFor(owner);
  const created = (await browser.post('/api/v1.0/teams/', { name: 'Tchap room' })).json as { id: string };
  return { organizationId, owner, browser, teamId: created.id };
}

async function hook(browser: Browser, teamId: string, body: Record<string, unknown> = {}) {
  const res = await browser.post(`/api/v1.0/teams/${teamId}/webhooks/`, {
    url: receiver.url,
    secret: 's3cr3t-token',
    ...body,
  });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as WebhookBody;
}

async function add(browser: Browser, teamId: string, user: User) {
  const res = await browser.post(`/api/v1.0/teams/${teamId}/accesses/`, { user: user.id, role: 'member' });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as { id: string };
}

/** Runs the job queue until nothing is due (the background poller may take some jobs too). */
async function deliverDue() {
  for (let i = 0; i < 20 && (await t.desk.jobs.runOnce()) > 0; i++);
}

/** Makes every waiting delivery and its job due now, as if the retry pause had passed. */
async function skipRetryPause() {
  await db().update(teamWebhookDeliveries).set({ nextAttemptAt: new Date() });
  await db()
    .update(jobs)
    .set({ runAt: new Date(Date.now() - 1000) })
    .where(and(eq(jobs.kind, 'webhooks.deliver'), eq(jobs.status, 'pending')));
}

async function webhook(browser: Browser, teamId: string, id: string) {
  return (await browser.get(`/api/v1.0/teams/${teamId}/webhooks/${id}/`)).json as WebhookBody;
}

const patchOp = (op: string, user: User) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op, path: 'members', value: [{ value: user.sub, email: user.email, type: 'User' }] }],
});

describe('a team webhook', () => {
  it('is added by the team’s owner, listed without its secret, and removed', async () => {
    const { browser, teamId } = await team();
    const made = await hook(browser, teamId, { protocol: 'scim' });
    expect(made).toMatchObject({ url: receiver.url, protocol: 'scim', status: 'pending', has_secret: true });
    expect(JSON.stringify(made)).not.toContain('s3cr3t');
    const list = (await browser.get(`/api/v1.0/teams/${teamId}/webhooks/`)).json as WebhookBody[];
    expect(list.map((w) => w.id)).toEqual([made.id]);
    expect((await browser.delete(`/api/v1.0/teams/${teamId}/webhooks/${made.id}/`)).status).toBe(204);
    expect((await browser.get(`/api/v1.0/teams/${teamId}/webhooks/${made.id}/`)).status).toBe(404);
  });

  it('keeps its secret encrypted at rest, bound to the webhook', async () => {
    const { browser, teamId } = await team();
    const made = await hook(browser, teamId);
    const [row] = await db().select().from(teamWebhooks).where(eq(teamWebhooks.id, made.id));
    expect(row?.secret).toMatch(/^v1\./);
    expect(row?.secret).not.toContain('s3cr3t');
  });

  it('is refused to the team’s members (403) and to whoever is not in the team (404)', async () => {
    const { organizationId, browser, teamId } = await team();
    const member = await t.createUser({ organizationId });
    await db().insert(teamAccesses).values({ teamId, userId: member.id, role: 'member' });
    const memberBrowser = await t.browserFor(member);
    expect((await memberBrowser.get(`/api/v1.0/teams/${teamId}/webhooks/`)).status).toBe(403);
    const post = await memberBrowser.post(`/api/v1.0/teams/${teamId}/webhooks/`, { url: receiver.url });
    expect(post.status).toBe(403);
    const stranger = await t.browserFor(await t.createUser());
    expect((await stranger.get(`/api/v1.0/teams/${teamId}/webhooks/`)).status).toBe(404);
    expect((await browser.get(`/api/v1.0/teams/${teamId}/webhooks/`)).status).toBe(200);
  });

  it('refuses a URL that is not http or https, and an unknown protocol, naming the field', async () => {
    const { browser, teamId } = await team();
    const ftp = await browser.post(`/api/v1.0/teams/${teamId}/webhooks/`, { url: 'ftp://example.fr/x' });
    expect(ftp.status).toBe(400);
    expect(Object.keys(ftp.json as object)).toEqual(['url']);
    const other = await browser.post(`/api/v1.0/teams/${teamId}/webhooks/`, {
      url: receiver.url,
      protocol: 'slack',
    });
    expect(other.status).toBe(400);
    expect(Object.keys(other.json as object)).toEqual(['protocol']);
  });

  it('refuses a secret that could not travel in an HTTP header (a line break), naming the field', async () => {
    const { browser, teamId } = await team();
    const res = await browser.post(`/api/v1.0/teams/${teamId}/webhooks/`, {
      url: receiver.url,
      secret: 'token\r\nX-Injected: yes',
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(['secret']);
  });

  it('is one of at most 10 a team may have', async () => {
    const { browser, teamId } = await team();
    const made = await Promise.all(
      Array.from({ length: 11 }, () =>
        browser.post(`/api/v1.0/teams/${teamId}/webhooks/`, { url: receiver.url }),
      ),
    );
    expect(made.map((r) => r.status).sort()).toEqual([...Array(10).fill(201), 400]);
    expect(made.find((r) => r.status === 400)?.json).toEqual({
      detail: 'A team has at most 10 webhooks: remove one first.',
    });
  });

  it('is written to the audit log without its secret', async () => {
    const { browser, teamId } = await team();
    const made = await hook(browser, teamId);
    const events = await db().select().from(auditEvents).where(eq(auditEvents.targetId, teamId));
    const created = events.find((e) => e.event === 'webhook.created');
    expect(created?.details).toEqual({ webhook: made.id, url: receiver.url, protocol: 'scim' });
    expect(JSON.stringify(events)).not.toContain('s3cr3t');
  });
});

describe('a membership change', () => {
  it('reaches the receiver as a SCIM PatchOp adding the user by their sub, with the bearer secret', async () => {
    const { organizationId, browser, teamId } = await team();
    const made = await hook(browser, teamId);
    const colleague = await t.createUser({ organizationId });
    await add(browser, teamId, colleague);
    await deliverDue();
    const [request] = await receiver.waitFor(1);
    expect(request?.method).toBe('PATCH');
    expect(request?.path).toBe('/scim/v2/Groups/42');
    expect(request?.headers.authorization).toBe('Bearer s3cr3t-token');
    expect(request?.json).toEqual(patchOp('add', colleague));
    const after = await webhook(browser, teamId, made.id);
    expect(after).toMatchObject({ status: 'success', last_error: null });
    expect(after.last_success_at).not.toBeNull();
  });

  it('reaches the receiver as a removal when the member is removed', async () => {
    const { organizationId, browser, teamId } = await team();
    await hook(browser, teamId);
    const colleague = await t.createUser({ organizationId });
    const access = await add(browser, teamId, colleague);
    expect((await browser.delete(`/api/v1.0/teams/${teamId}/accesses/${access.id}/`)).status).toBe(204);
    await deliverDue();
    const requests = await receiver.waitFor(2);
    expect(requests.map((r) => r.json)).toEqual([patchOp('add', colleague), patchOp('remove', colleague)]);
  });

  it('is answered at once while the receiver hangs', async () => {
    const { organizationId, browser, teamId } = await team();
    await hook(browser, teamId);
    receiver.answers.push('hang');
    const colleague = await t.createUser({ organizationId });
    await add(browser, teamId, colleague);
    // The background queue sends it; the request above was answered before the receiver even saw it, or while it
    // holds it: either way the answer did not wait for the receiver.
    await receiver.waitFor(1);
    expect(receiver.hanging).toBe(1);
    const second = await t.createUser({ organizationId });
    await add(browser, teamId, second);
    receiver.release();
    // The second change follows once the first is answered (before the next test's receiver starts afresh).
    await deliverDue();
    await receiver.waitFor(2);
  });

  it('is retried after the receiver fails, the failure shown on the webhook meanwhile', async () => {
    const { organizationId, browser, teamId } = await team();
    const made = await hook(browser, teamId);
    receiver.answers.push(503, 500);
    const colleague = await t.createUser({ organizationId });
    await add(browser, teamId, colleague);
    await deliverDue();
    await receiver.waitFor(1);
    const failing = await webhook(browser, teamId, made.id);
    expect(failing.status).toBe('failure');
    expect(failing.last_error).toContain('503');
    await skipRetryPause();
    await deliverDue();
    await skipRetryPause();
    await deliverDue();
    const requests = await receiver.waitFor(3);
    expect(requests.map((r) => r.json)).toEqual([1, 2, 3].map(() => patchOp('add', colleague)));
    expect(await webhook(browser, teamId, made.id)).toMatchObject({ status: 'success', last_error: null });
  });

  it('arrives in order: a later change waits while an earlier one is retried', async () => {
    const { organizationId, browser, teamId } = await team();
    await hook(browser, teamId);
    receiver.answers.push(500);
    const first = await t.createUser({ organizationId });
    const second = await t.createUser({ organizationId });
    await add(browser, teamId, first);
    await add(browser, teamId, second);
    await deliverDue();
    await receiver.waitFor(1);
    // The second change is due, but the first waits for its retry: the receiver has seen only the first.
    await deliverDue();
    expect(receiver.received).toHaveLength(1);
    await skipRetryPause();
    await deliverDue();
    const requests = await receiver.waitFor(3);
    expect(requests.map((r) => r.json)).toEqual([
      patchOp('add', first),
      patchOp('add', first),
      patchOp('add', second),
    ]);
  });

  it('made by ten requests at once is delivered ten times, once each', async () => {
    const { organizationId, browser, teamId } = await team();
    await hook(browser, teamId);
    const colleagues = await Promise.all(Array.from({ length: 10 }, () => t.createUser({ organizationId })));
    await Promise.all(colleagues.map((c) => add(browser, teamId, c)));
    await deliverDue();
    const requests = await receiver.waitFor(10);
    await deliverDue();
    expect(receiver.received).toHaveLength(10);
    const subs = requests.map((r) => (r.json as ReturnType<typeof patchOp>).Operations[0]?.value[0]?.value);
    expect([...subs].sort()).toEqual(colleagues.map((c) => c.sub).sort());
  });

  it('is sent by one worker at a time per webhook, however many run the queue', async () => {
    const { organizationId, browser, teamId } = await team();
    await hook(browser, teamId);
    const colleagues = await Promise.all(Array.from({ length: 6 }, () => t.createUser({ organizationId })));
    for (const c of colleagues) await add(browser, teamId, c);
    receiver.answers.push(...colleagues.map(() => 'slow' as const));
    receiver.mostAtOnce = 0;
    // Three workers at once (as three pods would), each taking what is due.
    await Promise.all([deliverDue(), deliverDue(), deliverDue()]);
    for (let i = 0; receiver.received.length < 6 && i < 50; i++) await deliverDue();
    const requests = await receiver.waitFor(6);
    expect(receiver.mostAtOnce).toBe(1);
    const subs = requests.map((r) => (r.json as ReturnType<typeof patchOp>).Operations[0]?.value[0]?.value);
    expect(subs).toEqual(colleagues.map((c) => c.sub));
  });

  it('is sent once even when its job runs twice at once (a worker taken for dead, say)', async () => {
    const { organizationId, browser, teamId } = await team();
    await hook(browser, teamId);
    await add(browser, teamId, await t.createUser({ organizationId }));
    const [job] = await db()
      .select({ payload: jobs.payload })
      .from(jobs)
      .where(and(eq(jobs.kind, 'webhooks.deliver'), eq(jobs.status, 'pending')));
    await db()
      .insert(jobs)
      .values([1, 2].map(() => ({ kind: 'webhooks.deliver', payload: job?.payload ?? {} })));
    receiver.answers.push('slow', 'slow', 'slow');
    await Promise.all([deliverDue(), deliverDue(), deliverDue()]);
    await skipRetryPause();
    await deliverDue();
    await receiver.waitFor(1);
    expect(receiver.received).toHaveLength(1);
  });

  it('waiting to be sent is dropped with its webhook', async () => {
    const { organizationId, browser, teamId } = await team();
    const made = await hook(browser, teamId);
    await add(browser, teamId, await t.createUser({ organizationId }));
    await browser.delete(`/api/v1.0/teams/${teamId}/webhooks/${made.id}/`);
    const [left] = await db()
      .select({ n: sql<number>`count(*)::int` })
      .from(teamWebhookDeliveries)
      .where(eq(teamWebhookDeliveries.webhookId, made.id));
    expect(left?.n).toBe(0);
    await deliverDue();
    expect(receiver.received).toHaveLength(0);
  });
});

describe('staff in the back office', () => {
  it('see, add and remove the webhooks of any team', async () => {
    const { teamId } = await team();
    const { browser: staff } = await t.loginAsStaff();
    const made = await staff.post(`/api/v1.0/admin/teams/${teamId}/webhooks/`, {
      url: receiver.url,
      secret: 'x',
    });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    const id = (made.json as WebhookBody).id;
    const list = (await staff.get(`/api/v1.0/admin/teams/${teamId}/webhooks/`)).json as WebhookBody[];
    expect(list.map((w) => w.id)).toEqual([id]);
    expect((await staff.delete(`/api/v1.0/admin/teams/${teamId}/webhooks/${id}/`)).status).toBe(204);
    expect((await staff.get(`/api/v1.0/admin/teams/${crypto.randomUUID()}/webhooks/`)).status).toBe(404);
  });

  it('are the only ones the back office answers: to a team’s owner its routes do not exist (404)', async () => {
    const { browser, teamId } = await team();
    expect((await browser.get(`/api/v1.0/admin/teams/${teamId}/webhooks/`)).status).toBe(404);
  });
});
