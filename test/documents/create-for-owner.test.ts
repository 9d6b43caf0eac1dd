// A trusted back-end files a document for an agent: who owns it, when, and what is refused.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentAccesses, documentInvitations, documents } from '../../src/documents/schema.ts';
import { users } from '../../src/users/index.ts';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import { loginThroughForge, newSub } from '../support/forge-login.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore, uniqueEmail } from '../support/parts.ts';
import { type Forge, startForge } from '../support/token-forge.ts';

const TOKEN = 'a-trusted-backend-token-0123456789abcdef';
let forge: Forge;
let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;
const extra: RunningDesk[] = [];

beforeAll(async () => {
  forge = await startForge();
  testDb = await testDatabase();
  store = testStore();
  desk = await startDeskOn(testDb, store.kv, {
    ...forge.settings,
    SERVER_TO_SERVER_API_TOKENS: `other-token-xyz,${TOKEN}`,
  });
});

afterAll(async () => {
  for (const d of [desk, ...extra]) await d?.stop();
  await store?.kv.close();
  await forge?.close();
  await testDb?.drop();
});

function validBody(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Rapport annuel',
    content: '# Rapport\n\nTexte.',
    sub: newSub(),
    email: uniqueEmail('agent'),
    ...overrides,
  };
}

function call(
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  on: RunningDesk = desk,
) {
  return on.browser().request('POST', '/api/v1.0/documents/create-for-owner/', { json: body, headers });
}

async function ownersOf(documentId: string): Promise<string[]> {
  const rows = await testDb.database.db
    .select()
    .from(documentAccesses)
    .where(eq(documentAccesses.documentId, documentId));
  return rows.filter((r) => r.role === 'owner').map((r) => r.userId ?? '');
}

async function documentCount(): Promise<number> {
  const [row] = await testDb.database.db.select({ n: sql<number>`count(*)::int` }).from(documents);
  return row?.n ?? 0;
}

describe('the caller', () => {
  it('without a token gets 401 with WWW-Authenticate', async () => {
    const res = await call(validBody(), {});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('with an unknown token gets 401', async () => {
    expect((await call(validBody(), { authorization: 'Bearer not-a-configured-token' })).status).toBe(401);
  });

  it('with a token of the wrong length or scheme gets 401', async () => {
    expect((await call(validBody(), { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await call(validBody(), { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect((await call(validBody(), { authorization: `Bearer ${TOKEN} extra` })).status).toBe(401);
  });

  it('with only a browser session gets 401', async () => {
    const { browser } = await loginThroughForge(desk, forge);
    const res = await browser.post('/api/v1.0/documents/create-for-owner/', validBody());
    expect(res.status).toBe(401);
  });

  it('with any of the configured tokens is accepted', async () => {
    expect((await call(validBody(), { authorization: 'Bearer other-token-xyz' })).status).toBe(201);
  });
});

describe('the body', () => {
  it('missing a field is refused naming it', async () => {
    const { email: _, ...withoutEmail } = validBody();
    const res = await call(withoutEmail);
    expect(res.status).toBe(400);
    expect(res.json).toHaveProperty('email');
  });

  it('with an unknown field is refused naming it', async () => {
    const res = await call(validBody({ owner: 'me' }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ owner: ['Unknown field.'] });
  });

  it('with ill-typed fields is refused naming each', async () => {
    const res = await call(validBody({ title: 42, send_notification_email: 'yes' }));
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object).sort()).toEqual(['send_notification_email', 'title']);
  });

  it('with a sub that is not ASCII or too long is refused', async () => {
    expect((await call(validBody({ sub: 'sûb-é' }))).json).toHaveProperty('sub');
    expect((await call(validBody({ sub: 'x'.repeat(256) }))).json).toHaveProperty('sub');
  });

  it('with content over the limit answers 413 and creates nothing', async () => {
    const before = await documentCount();
    const res = await call(validBody({ content: 'x'.repeat(500_001) }));
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ detail: 'content is too large: at most 500000 characters.' });
    expect(await documentCount()).toBe(before);
  });
});

describe('the owner', () => {
  it('is the user with that sub', async () => {
    const sub = newSub();
    const [user] = await testDb.database.db.insert(users).values({ sub, email: uniqueEmail() }).returning();
    const res = await call(validBody({ sub }));
    expect(res.status).toBe(201);
    expect(await ownersOf((res.json as { id: string }).id)).toEqual([user?.id]);
  });

  it('is the user with that email when the sub is unknown, and their sub is kept', async () => {
    const email = uniqueEmail();
    const [user] = await testDb.database.db.insert(users).values({ sub: newSub(), email }).returning();
    const res = await call(validBody({ email: email.toUpperCase() }));
    expect(await ownersOf((res.json as { id: string }).id)).toEqual([user?.id]);
    const [after] = await testDb.database.db.select().from(users).where(eq(users.id, user!.id));
    expect(after?.sub).toBe(user?.sub);
  });

  it('is refused (400, nothing created) when the email belongs to another user and the email fallback is off', async () => {
    const strict = await startDeskOn(testDb, store.kv, {
      ...forge.settings,
      SERVER_TO_SERVER_API_TOKENS: TOKEN,
      OIDC_FALLBACK_TO_EMAIL_FOR_IDENTIFICATION: 'false',
    });
    extra.push(strict);
    const email = uniqueEmail();
    await testDb.database.db.insert(users).values({ sub: newSub(), email });
    const before = await documentCount();
    const res = await call(validBody({ email }), { authorization: `Bearer ${TOKEN}` }, strict);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ email: ['This email belongs to another user than this sub.'] });
    expect(await documentCount()).toBe(before);
  });

  it('who has never signed in gets an owner invitation, turned into ownership at first sign-in', async () => {
    const email = uniqueEmail('newcomer');
    const res = await call(validBody({ email }));
    const id = (res.json as { id: string }).id;
    expect(await ownersOf(id)).toEqual([]);
    const pending = await testDb.database.db
      .select()
      .from(documentInvitations)
      .where(eq(documentInvitations.documentId, id));
    expect(pending.map((p) => [p.email, p.role])).toEqual([[email, 'owner']]);

    const { browser } = await loginThroughForge(desk, forge, { userinfo: { email } });
    const doc = await browser.get(`/api/v1.0/documents/${id}/`);
    expect(doc.status).toBe(200);
    expect(doc.json).toMatchObject({ title: 'Rapport annuel', role: 'owner', abilities: { delete: true } });
  });
});

describe('a retried call', () => {
  it('with the same Idempotency-Key returns the first document instead of a second', async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, 'idempotency-key': `key-${crypto.randomUUID()}` };
    const body = validBody();
    const before = await documentCount();
    const first = await call(body, headers);
    const second = await call(body, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json).toEqual(first.json);
    expect(await documentCount()).toBe(before + 1);
  });

  it('with the same key sent concurrently still makes one document', async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, 'idempotency-key': `key-${crypto.randomUUID()}` };
    const body = validBody();
    const before = await documentCount();
    const answers = await Promise.all([call(body, headers), call(body, headers), call(body, headers)]);
    const ids = new Set(answers.map((a) => (a.json as { id: string }).id));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(ids.size).toBe(1);
    expect(await documentCount()).toBe(before + 1);
  });

  it('without a key makes a second document', async () => {
    const body = validBody();
    const a = await call(body);
    const b = await call(body);
    expect((a.json as { id: string }).id).not.toBe((b.json as { id: string }).id);
  });
});
