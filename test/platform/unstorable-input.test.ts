// Input PostgreSQL cannot store is refused at the door, on every route: unpaired UTF-16 surrogates ("\ud800" in JSON)
// in any string or key, and instants outside the years 1–9999. A 400 naming the field, never a 500, nothing written.
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contacts } from '../../src/contacts/index.ts';
import { useDesk } from '../support/desk.ts';

const t = useDesk();

const SURROGATE = ['Unpaired surrogate characters are not allowed.'];

async function agent() {
  return t.browserFor(await t.createUser());
}

/** The body as JSON text with the escapes kept: what a client that writes "\ud800" sends. */
const raw = (body: unknown) => ({
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});

describe('unpaired surrogates in JSON bodies', () => {
  it.each([
    ['a value of data (jsonb)', { data: { customFields: { note: 'x\ud800' } } }, 'data.customFields.note'],
    ['a key of data (jsonb)', { data: { customFields: { '\udc00k': 'v' } } }, 'data.customFields.\\udc00k'],
    [
      'a field inside a list',
      { data: { emails: [{ type: '\ud83d', value: 'a@example.com' }] } },
      'data.emails.0.type',
    ],
    ['plain text', { notes: 'end\ud800' }, 'notes'],
  ])('a contact with one in %s is refused, naming the field, and not stored', async (_, extra, field) => {
    const me = await agent();
    const name = `Surrogate ${crypto.randomUUID()}`;
    const res = await me.request('POST', '/api/v1.0/contacts/', raw({ full_name: name, ...extra }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ [field]: SURROGATE });
    expect(await t.desk.database.db.select().from(contacts).where(eq(contacts.fullName, name))).toEqual([]);
  });

  it('a contact edit with one is refused and leaves the contact as it was', async () => {
    const me = await agent();
    const created = await me.post('/api/v1.0/contacts/', {
      full_name: 'Kept',
      data: { customFields: { a: 'b' } },
    });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    const res = await me.request(
      'PATCH',
      `/api/v1.0/contacts/${id}/`,
      raw({ data: { customFields: { a: '\ud800' } } }),
    );
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ 'data.customFields.a': SURROGATE });
    expect((await me.get(`/api/v1.0/contacts/${id}/`)).json).toMatchObject({
      data: { customFields: { a: 'b' } },
    });
  });

  it("an organization's metadata with one, as a value or a nested key, is refused for staff too", async () => {
    const { browser: staff } = await t.loginAsStaff();
    const value = await staff.request(
      'POST',
      '/api/v1.0/admin/organizations/',
      raw({ name: 'Mairie', metadata: { code: 'x\ud800' } }),
    );
    expect(value.status).toBe(400);
    expect(value.json).toEqual({ 'metadata.code': SURROGATE });
    const key = await staff.request(
      'POST',
      '/api/v1.0/admin/organizations/',
      raw({ name: 'Mairie', metadata: { list: [{ '\udfff': 1 }] } }),
    );
    expect(key.status).toBe(400);
    expect(key.json).toEqual({ 'metadata.list.0.\\udfff': SURROGATE });
  });

  it('a team name with one is refused, not stored with a replacement character', async () => {
    const me = await agent();
    const name = `Team ${crypto.randomUUID()} \ud800`;
    const res = await me.request('POST', '/api/v1.0/teams/', raw({ name }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ name: SURROGATE });
    const stored = await t.desk.database.db.execute(
      sql`select 1 from teams where name like ${`${name.slice(0, 41)}%`}`,
    );
    expect(Array.isArray(stored) ? stored : (stored as { rows: unknown[] }).rows).toEqual([]);
  });

  it('an unknown top-level key with one is refused by name before anything else', async () => {
    const me = await agent();
    const res = await me.request('POST', '/api/v1.0/teams/', raw({ name: 'Fine', '\ud800': 1 }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ '\\ud800': SURROGATE });
  });

  it('a paired surrogate (an emoji) is kept as it was sent', async () => {
    const me = await agent();
    const res = await me.request(
      'POST',
      '/api/v1.0/contacts/',
      raw({ full_name: 'Smile \ud83d\ude00', data: { customFields: { '\ud83d\ude00': '\ud83d\ude00' } } }),
    );
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ full_name: 'Smile 😀', data: { customFields: { '😀': '😀' } } });
  });
});

describe('unstorable text in the query and the path', () => {
  it('a query value that is not UTF-8 is refused or read as text, never a server error', async () => {
    const me = await agent();
    for (const q of ['%ED%A0%80', '%C0%80', 'a%uD800']) {
      const res = await me.get(`/api/v1.0/users/?q=${q}`);
      expect(res.status, q).toBeLessThan(500);
      expect(res.json, q).toBeDefined();
    }
  });

  it('a path id that is not UTF-8 is a bad URL (400) or names no resource (404), in JSON', async () => {
    const me = await agent();
    for (const id of ['%ED%A0%80', '%C0%80', '%00']) {
      const res = await me.get(`/api/v1.0/contacts/${id}/`);
      expect([400, 404], id).toContain(res.status);
      expect(res.json, id).toBeDefined();
    }
  });
});

describe('instants outside the years PostgreSQL stores', () => {
  const AUDIT = '/api/v1.0/admin/audit-events/';

  it.each([
    ['since', '0000-01-01'],
    ['until', '0000-12-31T23:59:59Z'],
    ['since', '0001-01-01T00:30:00+01:00'],
    ['until', '9999-12-31T23:30:00-01:00'],
  ])('?%s=%s on the audit log answers 400 naming the field', async (field, value) => {
    const { browser: staff } = await t.loginAsStaff();
    const res = await staff.get(`${AUDIT}?${field}=${encodeURIComponent(value)}`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      [field]: ['Enter an instant between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.'],
    });
  });

  it.each(['+010000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '+275761-01-01T00:00:00Z'])(
    '?since=%s (beyond four-digit years) answers 400',
    async (value) => {
      const { browser: staff } = await t.loginAsStaff();
      const res = await staff.get(`${AUDIT}?since=${encodeURIComponent(value)}`);
      expect(res.status).toBe(400);
      expect(Object.keys(res.json as object)).toEqual(['since']);
    },
  );

  it('the first and last instants of the range are answered', async () => {
    const { browser: staff } = await t.loginAsStaff();
    const res = await staff.get(`${AUDIT}?since=0001-01-01&until=9999-12-31T23:59:59Z`);
    expect(res.status).toBe(200);
  });
});
