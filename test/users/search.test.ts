// GET /api/v1.0/users/: signed-in only, paged, leaves out a team's members and inactive users, takes % and _ literally.
import { describe, expect, it } from 'vitest';
import { users } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';

const t = useDesk();

interface Page {
  count: number;
  next: string | null;
  results: { id: string; name: string; email: string }[];
}

describe('user search', () => {
  it('needs a session', async () => {
    expect((await t.browser().get('/api/v1.0/users/?q=a')).status).toBe(401);
  });

  it('answers id, name and email only, paged', async () => {
    const tag = `Pagé${crypto.randomUUID().slice(0, 4)}`;
    for (let i = 0; i < 3; i++) await t.createUser({ name: `${tag} Person${i}` });
    const me = await t.browserFor(await t.createUser());
    const page = (await me.get(`/api/v1.0/users/?q=${encodeURIComponent(tag)}&page_size=2`)).json as Page;
    expect(page.count).toBe(3);
    expect(page.results).toHaveLength(2);
    expect(Object.keys(page.results[0] ?? {}).sort()).toEqual(['email', 'id', 'name']);
    expect(page.next).toContain('page=2');
  });

  it.each(['', '%20', '-', '---', '.', '%20-%20'])(
    'answers a page for q=%s, as the web app first sends',
    async (q) => {
      await t.createUser({ name: 'Anyone Listed' });
      const me = await t.browserFor(await t.createUser());
      const res = await me.get(`/api/v1.0/users/?q=${q}`);
      expect(res.status).toBe(200);
      // Without a letter to match, colleagues are listed by name ("." starts no name and no address).
      if (q !== '.') expect((res.json as Page).count).toBeGreaterThan(0);
    },
  );

  it.each(['a:* | b', "o'\\", '!x', '(&', 'x² y', "l'o:*)", "'|'", 'a & !b <-> c'])(
    'answers a page for q=%s, text search operators taken as letters',
    async (q) => {
      await t.createUser({ name: 'Operator Proof' });
      const me = await t.browserFor(await t.createUser());
      const res = await me.get(`/api/v1.0/users/?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
    },
  );

  it('refuses a NUL character in q, naming the field', async () => {
    const me = await t.browserFor(await t.createUser());
    const res = await me.get('/api/v1.0/users/?q=ab%00c');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ q: ['Null characters are not allowed.'] });
  });

  it("answers 404 for team_id of a team I am not in, so another team's members stay unknown", async () => {
    const stranger = await t.browserFor(await t.createUser());
    const team = (await stranger.post('/api/v1.0/teams/', { name: 'Private' })).json as { id: string };
    const me = await t.browserFor(await t.createUser());
    expect((await me.get(`/api/v1.0/users/?q=a&team_id=${team.id}`)).status).toBe(404);
  });

  it('refuses a 36-character team_id that is not a UUID', async () => {
    const me = await t.browserFor(await t.createUser());
    const res = await me.get('/api/v1.0/users/?q=a&team_id=------------------------------------');
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(['team_id']);
  });

  it('leaves out the members of team_id', async () => {
    const owner = await t.createUser({ name: 'Teamowner Zyx' });
    const member = await t.createUser({ name: 'Teammember Zyx' });
    const outsider = await t.createUser({ name: 'Outsider Zyx' });
    const browser = await t.browserFor(owner);
    const team = (await browser.post('/api/v1.0/teams/', { name: 'Zyx' })).json as { id: string };
    await browser.post(`/api/v1.0/teams/${team.id}/accesses/`, { user: member.id, role: 'member' });
    const found = (await browser.get(`/api/v1.0/users/?q=zyx&team_id=${team.id}`)).json as Page;
    expect(found.results.map((r) => r.id)).toEqual([outsider.id]);
  });

  it('refuses a team_id that is not a UUID', async () => {
    const me = await t.browserFor(await t.createUser());
    const res = await me.get('/api/v1.0/users/?q=a&team_id=42');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ team_id: ['Must be a valid UUID.'] });
  });

  it('counts every match, also beyond the 1,000 best it ranks for the pages', async () => {
    const tag = `Countable${crypto
      .randomUUID()
      .slice(0, 6)
      .replace(/[^a-z]/g, 'x')}`;
    await t.testDb.database.db
      .insert(users)
      .values(
        Array.from({ length: 1_050 }, (_, i) => ({ name: `${tag} Agent${i}`, email: uniqueEmail('count') })),
      );
    const me = await t.browserFor(await t.createUser());
    const page = (await me.get(`/api/v1.0/users/?q=${tag}`)).json as Page;
    expect(page.count).toBe(1_050);
    expect(page.results).toHaveLength(20);
  });

  it('counts the look-alikes found after the exact matches when those do not fill a page', async () => {
    const tag = `Lookalike${crypto
      .randomUUID()
      .slice(0, 6)
      .replace(/[^a-z]/g, 'x')}`;
    await t.createUser({ name: `Jeanne ${tag}` });
    await t.createUser({ name: `Jaenne ${tag}` });
    const me = await t.browserFor(await t.createUser());
    const page = (await me.get(`/api/v1.0/users/?q=jeanne%20${tag}`)).json as Page;
    expect(page.results.map((r) => r.name)).toEqual([`Jeanne ${tag}`, `Jaenne ${tag}`]);
    expect(page.count).toBe(2);
  });

  it('never lists inactive users', async () => {
    await t.createUser({ name: 'Dormant Qwv', isActive: false });
    const me = await t.browserFor(await t.createUser());
    expect(((await me.get('/api/v1.0/users/?q=dormant%20qwv')).json as Page).count).toBe(0);
  });

  it('takes % and _ literally', async () => {
    await t.createUser({ name: 'Percent Wild', email: uniqueEmail('wild') });
    const me = await t.browserFor(await t.createUser());
    expect(((await me.get('/api/v1.0/users/?q=%25')).json as Page).count).toBe(0);
    expect(((await me.get('/api/v1.0/users/?q=_')).json as Page).count).toBe(0);
  });
});
