// DESIGN.md §5 "Isolation": an agent never reaches another organization's users through the routes that take a
// user id or an email, and "unknown" and "elsewhere" get the same answer.
import { describe, expect, it } from 'vitest';
import type { User } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';

const t = useDesk();

/** An agent of `organizationId` (null: one without an organization) and their browser. */
async function agentOf(organizationId: string | null) {
  const user = await t.createUser({ organizationId });
  return { user, browser: await t.browserFor(user) };
}

async function teamOf(owner: Awaited<ReturnType<typeof agentOf>>): Promise<string> {
  const res = await owner.browser.post('/api/v1.0/teams/', { name: 'Équipe fermée' });
  expect(res.status).toBe(201);
  return (res.json as { id: string }).id;
}

async function documentOf(owner: Awaited<ReturnType<typeof agentOf>>): Promise<string> {
  const res = await owner.browser.post('/api/v1.0/documents/', { title: 'Note', content: 'Interne' });
  expect(res.status).toBe(201);
  return (res.json as { id: string }).id;
}

async function memberIds(owner: Awaited<ReturnType<typeof agentOf>>, teamId: string): Promise<string[]> {
  const page = (await owner.browser.get(`/api/v1.0/teams/${teamId}/accesses/`)).json as {
    results: { user: { id: string } }[];
  };
  return page.results.map((r) => r.user.id);
}

describe('adding a member to a team by id', () => {
  it('answers a user of another organization exactly as an unknown id, and adds nobody', async () => {
    const owner = await agentOf(await t.createOrganization());
    const stranger = await t.createUser({ organizationId: await t.createOrganization(), name: 'Étrangère' });
    const team = await teamOf(owner);
    const elsewhere = await owner.browser.post(`/api/v1.0/teams/${team}/accesses/`, {
      user: stranger.id,
      role: 'member',
    });
    const unknown = await owner.browser.post(`/api/v1.0/teams/${team}/accesses/`, {
      user: crypto.randomUUID(),
      role: 'member',
    });
    expect([elsewhere.status, elsewhere.text]).toEqual([unknown.status, unknown.text]);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.text).not.toContain(stranger.email ?? '');
    expect(await memberIds(owner, team)).toEqual([owner.user.id]);
  });

  it('adds a colleague of the same organization', async () => {
    const org = await t.createOrganization();
    const owner = await agentOf(org);
    const colleague = await t.createUser({ organizationId: org });
    const team = await teamOf(owner);
    const res = await owner.browser.post(`/api/v1.0/teams/${team}/accesses/`, { user: colleague.id });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ user: { id: colleague.id, email: colleague.email } });
  });

  it('keeps agents without an organization and agents with one apart, as the search does', async () => {
    const loner = await agentOf(null);
    const placed = await agentOf(await t.createOrganization());
    const otherLoner = await t.createUser({ organizationId: null });
    const lonersTeam = await teamOf(loner);
    const placedTeam = await teamOf(placed);
    expect(
      (await loner.browser.post(`/api/v1.0/teams/${lonersTeam}/accesses/`, { user: placed.user.id })).status,
    ).toBe(400);
    expect(
      (await placed.browser.post(`/api/v1.0/teams/${placedTeam}/accesses/`, { user: otherLoner.id })).status,
    ).toBe(400);
    expect(
      (await loner.browser.post(`/api/v1.0/teams/${lonersTeam}/accesses/`, { user: otherLoner.id })).status,
    ).toBe(201);
  });
});

describe('sharing a document', () => {
  it('with a user of another organization by id answers exactly as an unknown id', async () => {
    const owner = await agentOf(await t.createOrganization());
    const stranger = await t.createUser({ organizationId: await t.createOrganization() });
    const doc = await documentOf(owner);
    const elsewhere = await owner.browser.post(`/api/v1.0/documents/${doc}/accesses/`, { user: stranger.id });
    const unknown = await owner.browser.post(`/api/v1.0/documents/${doc}/accesses/`, {
      user: crypto.randomUUID(),
    });
    expect([elsewhere.status, elsewhere.text]).toEqual([unknown.status, unknown.text]);
    expect(elsewhere.status).toBe(400);
    expect((await (await t.browserFor(stranger)).get(`/api/v1.0/documents/${doc}/`)).status).toBe(404);
  });

  it("by the email of another organization's user makes an invitation, as for an unknown address", async () => {
    const owner = await agentOf(await t.createOrganization());
    const stranger = await t.createUser({
      organizationId: await t.createOrganization(),
      email: uniqueEmail('doc'),
    });
    const doc = await documentOf(owner);
    const elsewhere = await owner.browser.post(`/api/v1.0/documents/${doc}/invitations/`, {
      email: stranger.email,
    });
    const unknown = await owner.browser.post(`/api/v1.0/documents/${doc}/invitations/`, {
      email: uniqueEmail('nobody'),
    });
    expect(elsewhere.status).toBe(201);
    expect(unknown.status).toBe(201);
    expect(Object.keys(elsewhere.json as object).sort()).toEqual(Object.keys(unknown.json as object).sort());
    expect(elsewhere.text).not.toContain(stranger.id);
    expect((await (await t.browserFor(stranger)).get(`/api/v1.0/documents/${doc}/`)).status).toBe(404);
  });

  it('by the email of a colleague gives the access at once', async () => {
    const org = await t.createOrganization();
    const owner = await agentOf(org);
    const colleague: User = await t.createUser({ organizationId: org, email: uniqueEmail('colleague') });
    const doc = await documentOf(owner);
    const res = await owner.browser.post(`/api/v1.0/documents/${doc}/invitations/`, {
      email: colleague.email,
    });
    expect(res.status).toBe(201);
    expect((await (await t.browserFor(colleague)).get(`/api/v1.0/documents/${doc}/`)).status).toBe(200);
  });
});

describe('inviting to a team', () => {
  it("by the email of another organization's user makes an invitation, not an access", async () => {
    const owner = await agentOf(await t.createOrganization());
    const stranger = await t.createUser({
      organizationId: await t.createOrganization(),
      email: uniqueEmail('team'),
    });
    const team = await teamOf(owner);
    const res = await owner.browser.post(`/api/v1.0/teams/${team}/invitations/`, { email: stranger.email });
    expect(res.status).toBe(201);
    expect(res.text).not.toContain(stranger.id);
    expect(await memberIds(owner, team)).toEqual([owner.user.id]);
  });

  it('finds the colleague among several accounts sharing an address in other organizations', async () => {
    const org = await t.createOrganization();
    const owner = await agentOf(org);
    const email = uniqueEmail('shared');
    await t.createUser({ organizationId: await t.createOrganization(), email });
    await t.createUser({ organizationId: await t.createOrganization(), email: email.toUpperCase() });
    const colleague = await t.createUser({ organizationId: org, email });
    const team = await teamOf(owner);
    const res = await owner.browser.post(`/api/v1.0/teams/${team}/invitations/`, { email });
    expect(res.status).toBe(201);
    expect((await memberIds(owner, team)).sort()).toEqual([owner.user.id, colleague.id].sort());
  });
});
