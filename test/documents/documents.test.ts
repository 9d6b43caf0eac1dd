// Documents for signed-in agents: abilities per role, sharing with users and teams, the last owner, invitations.
import { describe, expect, it } from 'vitest';
import type { User } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';

const t = useDesk();

async function documentOf(owner?: User) {
  const user = owner ?? (await t.createUser());
  const browser = await t.browserFor(user);
  const res = await browser.post('/api/v1.0/documents/', { title: 'Note de service', content: 'Bonjour' });
  expect(res.status).toBe(201);
  return { id: (res.json as { id: string }).id, owner: user, browser };
}

async function sharedWith(role: 'reader' | 'editor' | 'owner') {
  const doc = await documentOf();
  const user = await t.createUser();
  const res = await doc.browser.post(`/api/v1.0/documents/${doc.id}/accesses/`, { user: user.id, role });
  expect(res.status).toBe(201);
  return { ...doc, user, as: await t.browserFor(user), accessId: (res.json as { id: string }).id };
}

describe('a document', () => {
  it('belongs to its creator, who sees it in their list with every ability', async () => {
    const { browser, id } = await documentOf();
    const list = await browser.get('/api/v1.0/documents/');
    expect(list.json).toMatchObject({
      count: 1,
      results: [{ id, role: 'owner', abilities: { put: true, delete: true, manage_accesses: true } }],
    });
  });

  const cells: ['reader' | 'editor' | 'owner', number, number, number][] = [
    ['reader', 200, 403, 403],
    ['editor', 200, 200, 403],
    ['owner', 200, 200, 204],
  ];
  for (const [role, read, update, remove] of cells) {
    it(`shared as ${role}: read ${read}, update ${update}, delete ${remove}`, async () => {
      const doc = await sharedWith(role);
      expect((await doc.as.get(`/api/v1.0/documents/${doc.id}/`)).status).toBe(read);
      expect((await doc.as.patch(`/api/v1.0/documents/${doc.id}/`, { title: 'Changed' })).status).toBe(
        update,
      );
      expect((await doc.as.delete(`/api/v1.0/documents/${doc.id}/`)).status).toBe(remove);
    });
  }

  it('is invisible (404) to someone without access, and 401 to anonymous', async () => {
    const { id } = await documentOf();
    const stranger = await t.browserFor(await t.createUser());
    expect((await stranger.get(`/api/v1.0/documents/${id}/`)).status).toBe(404);
    expect((await t.browser().get(`/api/v1.0/documents/${id}/`)).status).toBe(401);
  });

  it('shared with a team gives its members that role', async () => {
    const doc = await documentOf();
    const team = (await doc.browser.post('/api/v1.0/teams/', { name: 'Rédaction' })).json as { id: string };
    const member = await t.createUser();
    await doc.browser.post(`/api/v1.0/teams/${team.id}/accesses/`, { user: member.id, role: 'member' });
    expect(
      (await doc.browser.post(`/api/v1.0/documents/${doc.id}/accesses/`, { team: team.id, role: 'editor' }))
        .status,
    ).toBe(201);
    const asMember = await t.browserFor(member);
    expect((await asMember.get(`/api/v1.0/documents/${doc.id}/`)).json).toMatchObject({ role: 'editor' });
    expect((await asMember.patch(`/api/v1.0/documents/${doc.id}/`, { content: 'Edited' })).status).toBe(200);
  });

  it('cannot be owned by a team', async () => {
    const doc = await documentOf();
    const team = (await doc.browser.post('/api/v1.0/teams/', { name: 'Owners?' })).json as { id: string };
    const res = await doc.browser.post(`/api/v1.0/documents/${doc.id}/accesses/`, {
      team: team.id,
      role: 'owner',
    });
    expect(res.status).toBe(400);
    expect(res.json).toHaveProperty('role');
  });

  it('refuses a too long title with a field error', async () => {
    const { browser } = await documentOf();
    const res = await browser.post('/api/v1.0/documents/', { title: 'x'.repeat(256) });
    expect(res.status).toBe(400);
    expect(res.json).toHaveProperty('title');
  });
});

describe('document accesses', () => {
  it('can be managed by owners only', async () => {
    const doc = await sharedWith('editor');
    const other = await t.createUser();
    expect(
      (await doc.as.post(`/api/v1.0/documents/${doc.id}/accesses/`, { user: other.id, role: 'reader' }))
        .status,
    ).toBe(403);
    expect(
      (await doc.browser.patch(`/api/v1.0/documents/${doc.id}/accesses/${doc.accessId}/`, { role: 'reader' }))
        .status,
    ).toBe(200);
  });

  it('protect the last owner with a 400 and a message', async () => {
    const { id, browser } = await documentOf();
    const list = (await browser.get(`/api/v1.0/documents/${id}/accesses/`)).json as {
      results: { id: string }[];
    };
    const mine = list.results[0]?.id;
    const res = await browser.delete(`/api/v1.0/documents/${id}/accesses/${mine}/`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      detail: 'A document must keep at least one owner: make someone else owner first.',
    });
    expect(
      (await browser.patch(`/api/v1.0/documents/${id}/accesses/${mine}/`, { role: 'reader' })).status,
    ).toBe(400);
  });

  it('list their abilities per row', async () => {
    const doc = await sharedWith('reader');
    const res = await doc.browser.get(`/api/v1.0/documents/${doc.id}/accesses/`);
    const rows = (res.json as { results: { role: string; abilities: { set_role_to: string[] } }[] }).results;
    expect(rows.map((r) => [r.role, r.abilities.set_role_to])).toEqual([
      ['owner', []],
      ['reader', ['editor', 'owner']],
    ]);
  });
});

describe('document invitations', () => {
  let owner: Browser;
  it('turn into access when the invited person first signs in', async () => {
    const doc = await documentOf();
    owner = doc.browser;
    const email = uniqueEmail('guest');
    expect(
      (await owner.post(`/api/v1.0/documents/${doc.id}/invitations/`, { email, role: 'editor' })).status,
    ).toBe(201);
    const guest = await t.createUser({ email });
    await t.desk.database.db.transaction((tx) => t.desk.lifecycle.userCreated(tx, guest));
    expect((await (await t.browserFor(guest)).get(`/api/v1.0/documents/${doc.id}/`)).json).toMatchObject({
      role: 'editor',
    });
    expect((await owner.get(`/api/v1.0/documents/${doc.id}/invitations/`)).json).toEqual([]);
  });

  it('for an existing user give access at once', async () => {
    const doc = await documentOf();
    const existing = await t.createUser();
    const res = await doc.browser.post(`/api/v1.0/documents/${doc.id}/invitations/`, {
      email: existing.email,
      role: 'reader',
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ access: { role: 'reader', user: { id: existing.id } } });
  });
});
