// Contacts: mine and the shared ones, owners-only edits, protected profiles, one-level personal overrides, a validated `data`.
import { describe, expect, it } from 'vitest';
import { contacts } from '../../src/contacts/index.ts';
import type { User } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { uniqueEmail } from '../support/parts.ts';

const t = useDesk();

async function sharedContact(fullName = 'Service des Archives') {
  const [row] = await t.testDb.database.db
    .insert(contacts)
    .values({ ownerId: null, fullName, data: { emails: [{ type: 'Work', value: uniqueEmail('archives') }] } })
    .returning();
  return row!;
}

async function someone(): Promise<{ user: User; browser: Awaited<ReturnType<typeof t.browserFor>> }> {
  const user = await t.createUser();
  return { user, browser: await t.browserFor(user) };
}

interface Page {
  count: number;
  results: { id: string; full_name: string }[];
}

describe('the contact list', () => {
  it('shows my contacts and shared ones, not the private contacts of others', async () => {
    const me = await someone();
    const other = await someone();
    const shared = await sharedContact(`Shared ${crypto.randomUUID().slice(0, 6)}`);
    const mine = (await me.browser.post('/api/v1.0/contacts/', { full_name: 'Mine Only' })).json as {
      id: string;
    };
    const theirs = (await other.browser.post('/api/v1.0/contacts/', { full_name: 'Theirs Only' })).json as {
      id: string;
    };
    const ids = ((await me.browser.get('/api/v1.0/contacts/?page_size=100')).json as Page).results.map(
      (c) => c.id,
    );
    expect(ids).toEqual(expect.arrayContaining([mine.id, shared.id]));
    expect(ids).not.toContain(theirs.id);
  });

  it('finds names without accents or case, and emails', async () => {
    const me = await someone();
    await me.browser.post('/api/v1.0/contacts/', {
      full_name: 'Hélène Strauß',
      data: { emails: [{ type: 'Work', value: 'h.s@mairie.example.fr' }] },
    });
    const byName = (await me.browser.get('/api/v1.0/contacts/?q=HELENE')).json as Page;
    expect(byName.results.map((c) => c.full_name)).toContain('Hélène Strauß');
    const byEmail = (await me.browser.get('/api/v1.0/contacts/?q=mairie.example')).json as Page;
    expect(byEmail.results.map((c) => c.full_name)).toContain('Hélène Strauß');
  });

  it('pages', async () => {
    const me = await someone();
    for (let i = 0; i < 3; i++) await me.browser.post('/api/v1.0/contacts/', { full_name: `Paged ${i}` });
    const page = (await me.browser.get('/api/v1.0/contacts/?q=paged&page_size=2')).json as Page & {
      next: string | null;
    };
    expect(page.count).toBe(3);
    expect(page.results).toHaveLength(2);
    expect(page.next).toContain('page=2');
  });

  it('needs a session', async () => {
    expect((await t.browser().get('/api/v1.0/contacts/')).status).toBe(401);
  });
});

describe('a contact', () => {
  it('is created with valid data and owned by its creator', async () => {
    const me = await someone();
    const res = await me.browser.post('/api/v1.0/contacts/', {
      full_name: 'Jean Valjean',
      short_name: 'Jean',
      data: {
        emails: [{ type: 'Work', value: 'jean@example.gouv.fr' }],
        phones: [{ type: 'Mobile', value: '+33 6 12 34 56 78' }],
        addresses: [
          { type: 'Work', street: '1 rue de Rivoli', postalCode: '75001', city: 'Paris', country: 'France' },
        ],
        links: [{ type: 'Website', value: 'https://example.gouv.fr' }],
        organizations: [{ name: 'DINUM', jobTitle: 'Agent' }],
        customFields: { badge: '42' },
      },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      full_name: 'Jean Valjean',
      owner: me.user.id,
      override: null,
      user: null,
    });
  });

  const invalid: [string, unknown, string][] = [
    ['a malformed email', { emails: [{ type: 'Work', value: 'not-an-email' }] }, 'data.emails.0.value'],
    [
      'a link that is not http(s)',
      { links: [{ type: 'Site', value: 'javascript:alert(1)' }] },
      'data.links.0.value',
    ],
    ['an unknown key', { hobbies: ['chess'] }, 'data.hobbies'],
    ['an entry without type', { phones: [{ value: '0102030405' }] }, 'data.phones.0.type'],
    ['an organization without name', { organizations: [{ department: 'IT' }] }, 'data.organizations.0.name'],
  ];
  for (const [what, data, path] of invalid) {
    it(`with ${what} in data is refused, naming ${path}`, async () => {
      const me = await someone();
      const res = await me.browser.post('/api/v1.0/contacts/', { full_name: 'Bad Data', data });
      expect(res.status).toBe(400);
      expect(Object.keys(res.json as object)).toEqual([path]);
    });
  }

  it('is changed by its owner only; a shared one cannot be changed (403), another’s private one is not found (404)', async () => {
    const me = await someone();
    const other = await someone();
    const mine = (await me.browser.post('/api/v1.0/contacts/', { full_name: 'Before' })).json as {
      id: string;
    };
    expect(
      (await me.browser.patch(`/api/v1.0/contacts/${mine.id}/`, { full_name: 'After' })).json,
    ).toMatchObject({ full_name: 'After' });
    expect(
      (await other.browser.patch(`/api/v1.0/contacts/${mine.id}/`, { full_name: 'Hacked' })).status,
    ).toBe(404);
    const shared = await sharedContact();
    expect((await me.browser.patch(`/api/v1.0/contacts/${shared.id}/`, { full_name: 'Hacked' })).status).toBe(
      403,
    );
    expect((await me.browser.get(`/api/v1.0/contacts/${shared.id}/`)).status).toBe(200);
  });

  it('that is a profile cannot be deleted', async () => {
    const user = await t.createUser({ name: 'Profile Person' });
    await t.testDb.database.db.transaction((tx) => t.desk.lifecycle.userCreated(tx, user));
    const browser = await t.browserFor(user);
    const list = (await browser.get('/api/v1.0/contacts/?q=profile%20person')).json as {
      results: { id: string; user: string | null }[];
    };
    const profile = list.results.find((c) => c.user === user.id);
    expect(profile).toBeDefined();
    const res = await browser.delete(`/api/v1.0/contacts/${profile?.id}/`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'A profile contact cannot be deleted.' });
  });

  it('of my own is deleted', async () => {
    const me = await someone();
    const mine = (await me.browser.post('/api/v1.0/contacts/', { full_name: 'Temporary' })).json as {
      id: string;
    };
    expect((await me.browser.delete(`/api/v1.0/contacts/${mine.id}/`)).status).toBe(204);
    expect((await me.browser.get(`/api/v1.0/contacts/${mine.id}/`)).status).toBe(404);
  });
});

describe('an override', () => {
  it('replaces the shared contact in my list only', async () => {
    const me = await someone();
    const other = await someone();
    const shared = await sharedContact(`Overridable ${crypto.randomUUID().slice(0, 6)}`);
    const mine = await me.browser.post('/api/v1.0/contacts/', {
      full_name: 'My version',
      override: shared.id,
    });
    expect(mine.status).toBe(201);
    const myIds = ((await me.browser.get('/api/v1.0/contacts/?page_size=100')).json as Page).results.map(
      (c) => c.id,
    );
    expect(myIds).toContain((mine.json as { id: string }).id);
    expect(myIds).not.toContain(shared.id);
    const theirIds = (
      (await other.browser.get('/api/v1.0/contacts/?page_size=100')).json as Page
    ).results.map((c) => c.id);
    expect(theirIds).toContain(shared.id);
  });

  it('cannot override an override', async () => {
    const me = await someone();
    const shared = await sharedContact();
    const first = (await me.browser.post('/api/v1.0/contacts/', { full_name: 'v1', override: shared.id }))
      .json as { id: string };
    const [publicOverride] = await t.testDb.database.db
      .insert(contacts)
      .values({ ownerId: null, overrideId: shared.id, fullName: 'public override' })
      .returning();
    const res = await me.browser.post('/api/v1.0/contacts/', {
      full_name: 'v2',
      override: publicOverride?.id,
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ override: ['A contact that overrides another cannot be overridden.'] });
    expect(first.id).toBeDefined();
  });

  it('is one per contact and owner', async () => {
    const me = await someone();
    const shared = await sharedContact();
    expect(
      (await me.browser.post('/api/v1.0/contacts/', { full_name: 'v1', override: shared.id })).status,
    ).toBe(201);
    const again = await me.browser.post('/api/v1.0/contacts/', { full_name: 'v2', override: shared.id });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ override: ['You already override this contact.'] });
  });

  it('must target a contact I can see', async () => {
    const me = await someone();
    const other = await someone();
    const theirs = (await other.browser.post('/api/v1.0/contacts/', { full_name: 'Private' })).json as {
      id: string;
    };
    expect(
      (await me.browser.post('/api/v1.0/contacts/', { full_name: 'x', override: theirs.id })).status,
    ).toBe(400);
  });
});

describe('a new user', () => {
  it('gets a profile contact with their name and email', async () => {
    const user = await t.createUser({ name: 'Nouvelle Recrue' });
    await t.testDb.database.db.transaction((tx) => t.desk.lifecycle.userCreated(tx, user));
    const list = (await (await t.browserFor(user)).get('/api/v1.0/contacts/?q=recrue')).json as {
      results: { user: string; full_name: string; data: unknown }[];
    };
    expect(list.results).toEqual([
      expect.objectContaining({
        user: user.id,
        full_name: 'Nouvelle Recrue',
        data: { emails: [{ type: 'Work', value: user.email }] },
      }),
    ]);
  });
});

describe('hostile contact input', () => {
  it('refuses more custom fields than a card can need', async () => {
    const me = await someone();
    const customFields = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`f${i}`, 'x']));
    const res = await me.browser.post('/api/v1.0/contacts/', {
      full_name: 'Many Fields',
      data: { customFields },
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ 'data.customFields': ['At most 50 custom fields.'] });
  });

  it.each([
    [{ full_name: 'Nul\u0000Name' }, 'full_name'],
    [{ full_name: 'Ok', notes: 'a\u0000b' }, 'notes'],
    [{ full_name: 'Ok', data: { customFields: { 'k\u0000': 'v' } } }, 'data.customFields.k\\u0000'],
    [{ full_name: 'Ok', data: { customFields: { k: 'v\u0000' } } }, 'data.customFields.k'],
  ])('refuses a NUL character, naming the field (%#)', async (body, field) => {
    const me = await someone();
    const res = await me.browser.post('/api/v1.0/contacts/', body);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ [field]: ['Null characters are not allowed.'] });
  });

  it('takes an override that is not a UUID as a field error, not a crash', async () => {
    const me = await someone();
    const res = await me.browser.post('/api/v1.0/contacts/', {
      full_name: 'Override',
      override: 'ffffffff-ffff-ffff-ffff-fffffffffff-',
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ override: ['Must be a valid UUID.'] });
  });
});
