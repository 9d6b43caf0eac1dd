// DESIGN.md §12: a webhook URL is a server-side request an agent chooses. Unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
// Desk refuses URLs reaching loopback, private, link-local or metadata addresses — at creation, and again at each
// delivery after DNS resolution (an address that changed since is caught then).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamAccesses } from '../../src/teams/index.ts';
import { teamWebhooks } from '../../src/webhooks/schema.ts';
import { useDesk } from '../support/desk.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const t = useDesk({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'false' });
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

async function owner() {
  const organizationId = await t.createOrganization();
  const user = await t.createUser({ organizationId });
  const browser = await t.browserFor(user);
  const team = (await browser.post('/api/v1.0/teams/', { name: 'Guarded' })).json as { id: string };
  return { organizationId, browser, teamId: team.id };
}

describe('with private addresses refused', () => {
  it.each([
    ['a loopback address', () => receiver.url],
    ['a cloud metadata service', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a private network', () => 'https://10.1.2.3/scim/Groups/1'],
    ['an IPv4 loopback written as a number', () => 'http://2130706433/hook'],
    ['an IPv6 loopback', () => 'http://[::1]:8080/hook'],
    ['a loopback behind an IPv4-mapped IPv6 address', () => 'http://[::ffff:127.0.0.1]/hook'],
  ])('a webhook to %s is refused at creation, naming the url field', async (_what, url) => {
    const { browser, teamId } = await owner();
    const res = await browser.post(`/api/v1.0/teams/${teamId}/webhooks/`, { url: url() });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(['url']);
  });

  it('a webhook to a name that resolves privately is refused without telling the address it has', async () => {
    const { browser, teamId } = await owner();
    const res = await browser.post(`/api/v1.0/teams/${teamId}/webhooks/`, {
      url: 'http://localhost:8080/hook',
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ url: ['The host of this URL does not resolve to a public address.'] });
  });

  it('a Matrix room whose homeserver is a private address is refused at creation', async () => {
    const { browser, teamId } = await owner();
    const res = await browser.post(`/api/v1.0/teams/${teamId}/webhooks/`, {
      url: 'https://app.element.io/#/room/!abc:10.0.0.7',
      protocol: 'matrix',
      secret: 'token',
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(['url']);
  });

  it('a webhook whose address became private is not sent to, and says why', async () => {
    const { organizationId, browser, teamId } = await owner();
    // Kept before its address changed (as if its DNS now answered 127.0.0.1): the check at delivery catches it.
    const [hook] = await t.testDb.database.db
      .insert(teamWebhooks)
      .values({ teamId, url: receiver.url, protocol: 'scim' })
      .returning();
    const colleague = await t.createUser({ organizationId });
    await t.testDb.database.db.insert(teamAccesses).values({ teamId, userId: colleague.id, role: 'member' });
    for (let i = 0; i < 5 && (await t.desk.jobs.runOnce()) > 0; i++);
    expect(receiver.received).toHaveLength(0);
    const shown = (await browser.get(`/api/v1.0/teams/${teamId}/webhooks/${hook?.id}/`)).json as {
      status: string;
      last_error: string;
    };
    expect(shown.status).toBe('failure');
    expect(shown.last_error).toMatch(/^Not sent: .*loopback/);
  });
});
