// DESIGN.md §12: every membership change reaches a team's webhooks whoever makes it — a directory by SCIM included —
// and a Matrix webhook invites and kicks in its room on a homeserver speaking the Matrix client-server API.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamAccesses } from '../../src/teams/index.ts';
import { users } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { type FakeMatrix, startFakeMatrix } from '../support/fake-matrix.ts';
import { managedTeam, provisionedUser, scimClientOf, scimPatch } from '../support/scim.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let homeserver: FakeMatrix;
let receiver: WebhookReceiver;
// Set before Desk starts (this hook runs before useDesk's): rooms on the fake's server are reached through it.
const settings: Record<string, string> = {};
beforeAll(async () => {
  homeserver = await startFakeMatrix();
  receiver = await startWebhookReceiver();
  settings.MATRIX_BASE_HOME_SERVER = homeserver.url;
});
const t = useDesk(settings);
afterAll(async () => {
  await receiver?.close();
  await homeserver?.close();
});

async function deliverDue() {
  for (let i = 0; i < 20 && (await t.desk.jobs.runOnce()) > 0; i++);
}

describe('a webhook of a team a directory manages by SCIM', () => {
  it('gets the members the directory adds, by their sub once they signed in', async () => {
    receiver.received.length = 0;
    const db = t.testDb.database.db;
    const client = await scimClientOf(t);
    const { organizationId } = client;
    const owner = await t.createUser({ organizationId });
    const team = await managedTeam(db, { organizationId, clientId: client.id, members: [] });
    await db.insert(teamAccesses).values({ teamId: team.id, userId: owner.id, role: 'owner' });
    const browser = await t.browserFor(owner);
    const made = await browser.post(`/api/v1.0/teams/${team.id}/webhooks/`, {
      url: receiver.url,
      secret: 'tok',
    });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    const provisioned = await provisionedUser(db, {
      organizationId,
      clientId: client.id,
      email: `agent.${crypto.randomUUID().slice(0, 6)}@example.gouv.fr`,
    });
    // Signed in since: the sub other apps know them by.
    const [agent] = await db
      .update(users)
      .set({ sub: `sub-${crypto.randomUUID()}` })
      .where(eq(users.id, provisioned.id))
      .returning();
    const patched = await scimPatch(client, `/Groups/${team.id}`, {
      op: 'add',
      path: 'members',
      value: [{ value: provisioned.id }],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBeLessThan(300);
    await deliverDue();
    const [request] = await receiver.waitFor(1);
    expect(request?.json).toMatchObject({
      Operations: [
        { op: 'add', path: 'members', value: [{ value: agent?.sub, email: agent?.email, type: 'User' }] },
      ],
    });
  });
});

describe('a Matrix webhook', () => {
  it('joins its room and invites the new member, then kicks them when removed', async () => {
    const organizationId = await t.createOrganization();
    const owner = await t.createUser({ organizationId });
    const browser = await t.browserFor(owner);
    const team = (await browser.post('/api/v1.0/teams/', { name: 'Salon' })).json as { id: string };
    const bot = `@desk-bot:${homeserver.serverName}`;
    const token = homeserver.addAccount(bot);
    const roomId = homeserver.createRoom({ members: { [bot]: 'invite' } });
    const made = await browser.post(`/api/v1.0/teams/${team.id}/webhooks/`, {
      url: `https://app.element.io/#/room/${roomId}`,
      protocol: 'matrix',
      secret: token,
    });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    const colleague = await t.createUser({
      organizationId,
      email: `agent.${crypto.randomUUID().slice(0, 6)}@example.gouv.fr`,
    });
    const access = (await browser.post(`/api/v1.0/teams/${team.id}/accesses/`, { user: colleague.id }))
      .json as {
      id: string;
    };
    await deliverDue();
    const matrixId = `@${colleague.email?.replace('@', '-')}:${homeserver.serverName}`.toLowerCase();
    expect(homeserver.membership(roomId, bot)).toBe('join');
    expect(homeserver.membership(roomId, matrixId)).toBe('invite');
    await browser.delete(`/api/v1.0/teams/${team.id}/accesses/${access.id}/`);
    await deliverDue();
    expect(homeserver.membership(roomId, matrixId)).toBe('leave');
    const webhook = (
      await browser.get(`/api/v1.0/teams/${team.id}/webhooks/${(made.json as { id: string }).id}/`)
    ).json as { status: string };
    expect(webhook.status).toBe('success');
  });
});
