// Organizations (DESIGN.md §7): found at sign-in by SIRET, else by mail domain, else created; agents see only
// their colleagues; staff manage organizations.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents } from '../../src/audit/index.ts';
import { assignOrganizationsByDomain, organizations } from '../../src/organizations/index.ts';
import { findOrCreateOrganization, mergeOrganizations } from '../../src/organizations/queries.ts';
import { jobs } from '../../src/platform/schema.ts';
import { type User, users } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import {
  answer,
  answerAlone,
  beginLogin,
  callback,
  loginThroughForge,
  newSub,
} from '../support/forge-login.ts';
import {
  DATABASE_URL,
  type TestDatabase,
  type TestStore,
  testDatabase,
  testStore,
} from '../support/parts.ts';
import { type Forge, startForge } from '../support/token-forge.ts';

let forge: Forge;
let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;
const schemaFile = join(mkdtempSync(join(tmpdir(), 'desk-org-')), 'metadata.json');
writeFileSync(
  schemaFile,
  JSON.stringify({ type: 'object', properties: { code_insee: { type: 'string', pattern: '^[0-9]{5}$' } } }),
);

beforeAll(async () => {
  forge = await startForge();
  testDb = await testDatabase();
  store = testStore();
  desk = await startDeskOn(testDb, store.kv, {
    ...forge.settings,
    OIDC_ORGANIZATION_REGISTRATION_ID_FIELD: 'siret',
    OIDC_USERINFO_FULLNAME_FIELDS: 'given_name,usual_name',
    ORGANIZATION_REGISTRATION_ID_VALIDATORS: '["^[0-9]{14}$"]',
    ORGANIZATION_METADATA_SCHEMA: schemaFile,
  });
});
afterAll(async () => {
  await desk?.stop();
  await store?.kv.close();
  await forge?.close();
  await testDb?.drop();
});

const random = () => crypto.randomUUID().slice(0, 8);
const newSiret = () => String(Math.floor(Math.random() * 1e14)).padStart(14, '0');
const newDomain = () => `${random()}.gouv.fr`;

interface Me {
  id: string;
  organization: { id: string; name: string; registration_id_list: string[] } | null;
}

async function signIn(userinfo: Record<string, unknown>, sub = newSub()) {
  const { browser } = await loginThroughForge(desk, forge, { sub, userinfo });
  const me = (await browser.get('/api/v1.0/users/me/')).json as Me;
  return { browser, me, sub };
}

async function found(browser: Browser, q: string): Promise<string[]> {
  const page = (await browser.get(`/api/v1.0/users/?q=${encodeURIComponent(q)}`)).json as {
    results: { id: string }[];
  };
  return page.results.map((r) => r.id);
}

async function staffBrowser(): Promise<Browser> {
  const [staff] = await testDb.database.db
    .insert(users)
    .values({ email: `staff.${random()}@example.org`, name: 'Staff', isStaff: true })
    .returning();
  const session = await desk.desk.sessions.create((staff as User).id);
  const browser = desk.browser();
  browser.cookies.set('desk_sessionid', session.id);
  browser.cookies.set('csrftoken', 'csrf-for-tests');
  return browser;
}

describe('the organization found at sign-in', () => {
  it('is the one of a valid SIRET, shared by every agent who gives it', async () => {
    const siret = newSiret();
    const a = await signIn({ siret, email: `a@${newDomain()}` });
    const b = await signIn({ siret, email: `b@${newDomain()}` });
    expect(a.me.organization).toMatchObject({ name: siret, registration_id_list: [siret] });
    expect(b.me.organization?.id).toBe(a.me.organization?.id);
  });

  it('keeps the SIRET as its name, and asks no company registry, when no plugin (INSTALLED_PLUGINS) is on', async () => {
    const siret = newSiret();
    const { me } = await signIn({ siret, email: `a@${newDomain()}` });
    expect(me.organization?.name).toBe(siret);
    const queued = await testDb.database.db
      .select()
      .from(jobs)
      .where(sql`${jobs.payload}->>'organizationId' = ${me.organization?.id ?? ''}`);
    expect(queued).toEqual([]);
  });

  it('ignores a SIRET that fails the validators and falls back to the mail domain', async () => {
    const domain = newDomain();
    const { me } = await signIn({ siret: '123', email: `jean@${domain}` });
    expect(me.organization).toMatchObject({ name: domain, registration_id_list: [] });
  });

  it('is the mail domain when no SIRET is given, shared by agents of that domain', async () => {
    const domain = newDomain();
    const a = await signIn({ email: `a@${domain}` });
    const b = await signIn({ email: `b@${domain.toUpperCase()}` });
    expect(a.me.organization?.id).toBe(b.me.organization?.id);
  });

  it('refuses a login that gives neither a valid SIRET nor an email, saying why', async () => {
    const attempt = await beginLogin(desk);
    await answer(forge, attempt, newSub(), { userinfo: { email: undefined, siret: 'not-a-siret' } });
    const res = await callback(attempt);
    expect(res.location).toBe('/?login_error=organization_unknown');
  });

  it('moves an agent whose SIRET changed, and their teams stay theirs', async () => {
    const sub = newSub();
    const first = await signIn({ siret: newSiret(), email: `m@${newDomain()}` }, sub);
    const team = (await first.browser.post('/api/v1.0/teams/', { name: 'Reste à moi' })).json as {
      id: string;
    };
    const second = await signIn({ siret: newSiret(), email: `m@${newDomain()}` }, sub);
    expect(second.me.organization?.id).not.toBe(first.me.organization?.id);
    expect((await second.browser.get(`/api/v1.0/teams/${team.id}/`)).status).toBe(200);
  });

  it('is created once when two first sign-ins race for it', async () => {
    const siret = newSiret();
    const ids = await Promise.all(
      [1, 2, 3].map(() =>
        testDb.database.db.transaction(
          async (tx) => (await findOrCreateOrganization(tx, { registrationId: siret }))?.id,
        ),
      ),
    );
    expect(ids[0]).toBeDefined();
    expect(new Set(ids).size).toBe(1);
  });
});

async function sessionsWaitingOnALock(): Promise<number> {
  const [row] = (await testDb.database.db.execute(
    sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
  )) as unknown as { n: number }[];
  return row?.n ?? 0;
}

describe('sign-ins of a domain while staff merge its organization away', () => {
  it('all succeed, and every agent ends in the organization it was merged into', async () => {
    const staff = await staffBrowser();
    const domain = newDomain();
    const from = await signIn({ email: `first@${domain}` });
    const into = await signIn({ email: `other@${newDomain()}` });
    const attempts = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const attempt = await beginLogin(desk);
        return { attempt, sub: newSub(), email: `agent${i}@${domain}` };
      }),
    );
    const queries = await Promise.all(
      attempts.map(({ attempt, sub, email }) => answerAlone(forge, attempt, sub, { email })),
    );
    const signIns = attempts.map(({ attempt }, i) => callback(attempt, queries[i]));
    const merge = staff.post(`/api/v1.0/admin/organizations/${from.me.organization?.id}/merge/`, {
      into: into.me.organization?.id,
    });
    const answers = await Promise.all(signIns);
    expect((await merge).status).toBe(200);
    expect(answers.map((r) => [r.status, r.location])).toEqual(attempts.map(() => [302, '/']));
    for (const { attempt } of attempts) {
      const me = (await attempt.browser.get('/api/v1.0/users/me/')).json as Me;
      expect(me.organization?.id).toBe(into.me.organization?.id);
    }
  });
});

// PGlite runs one transaction at a time: the interleaving exists only on PostgreSQL.
describe.skipIf(!DATABASE_URL)('a sign-in racing a merge that removes the organization it found', () => {
  it.each([
    ['by mail domain', (domain: string, _siret: string) => ({ email: `new@${domain}` })],
    ['by SIRET', (_domain: string, siret: string) => ({ siret, email: `new@${newDomain()}` })],
  ])('%s ends in the organization it was merged into, not in a 500', async (_, claims) => {
    const domain = newDomain();
    const siret = newSiret();
    const from = await signIn({ email: `first@${domain}` });
    // The SIRET joins the organization of the domain.
    await signIn({ siret, email: `second@${domain}` });
    const into = await signIn({ email: `other@${newDomain()}` });
    const fromId = from.me.organization?.id ?? '';
    const intoId = into.me.organization?.id ?? '';
    const attempt = await beginLogin(desk);
    await answer(forge, attempt, newSub(), { userinfo: claims(domain, siret) });

    let signingIn: Promise<Awaited<ReturnType<typeof callback>>> | undefined;
    // The merge has removed the organization but not committed when the sign-in reads it, and commits while the
    // sign-in waits on the organization's row.
    await testDb.database.db.transaction(async (tx) => {
      await mergeOrganizations(tx, fromId, intoId);
      const waiting = await sessionsWaitingOnALock();
      signingIn = callback(attempt);
      await vi.waitUntil(async () => (await sessionsWaitingOnALock()) > waiting, {
        timeout: 10_000,
        interval: 10,
      });
    });
    const res = await signingIn;
    expect(res?.status).toBe(302);
    expect(res?.location).toBe('/');
    const me = (await attempt.browser.get('/api/v1.0/users/me/')).json as Me;
    expect(me.organization?.id).toBe(intoId);
  });
});

describe('what an agent sees of others', () => {
  it('is only the colleagues of their organization, with and without a query', async () => {
    const tag = `Zorglub${random()}`;
    const domain = newDomain();
    const a = await signIn({ email: `a@${domain}`, given_name: tag, usual_name: 'Un' });
    const b = await signIn({ email: `b@${domain}`, given_name: tag, usual_name: 'Deux' });
    const stranger = await signIn({ email: `c@${newDomain()}`, given_name: tag, usual_name: 'Trois' });
    expect((await found(a.browser, tag)).sort()).toEqual([a.me.id, b.me.id].sort());
    expect(await found(stranger.browser, tag)).toEqual([stranger.me.id]);
    expect(await found(stranger.browser, '')).toEqual([stranger.me.id]);
  });

  it("answers 404 for team_id of another organization's team", async () => {
    const a = await signIn({ email: `a@${newDomain()}` });
    const b = await signIn({ email: `b@${newDomain()}` });
    const team = (await b.browser.post('/api/v1.0/teams/', { name: 'Ailleurs' })).json as { id: string };
    expect((await a.browser.get(`/api/v1.0/users/?q=a&team_id=${team.id}`)).status).toBe(404);
  });

  it('is one page at most without a query: page 2 answers 404 and count is what the page holds', async () => {
    const domain = newDomain();
    const a = await signIn({ email: `a@${domain}` });
    for (let i = 0; i < 3; i++) await signIn({ email: `x${i}@${domain}` });
    const first = (await a.browser.get('/api/v1.0/users/?page_size=2')).json as {
      count: number;
      next: unknown;
    };
    expect(first).toMatchObject({ count: 2, next: null });
    expect((await a.browser.get('/api/v1.0/users/?page_size=2&page=2')).status).toBe(404);
  });

  it('never learns by inviting whether an address has an account elsewhere; the invitation waits for them', async () => {
    const a = await signIn({ email: `a@${newDomain()}` });
    const elsewhereEmail = `elsewhere@${newDomain()}`;
    const elsewhere = await signIn({ email: elsewhereEmail });
    const team = (await a.browser.post('/api/v1.0/teams/', { name: 'Invitations' })).json as { id: string };
    const invited = await a.browser.post(`/api/v1.0/teams/${team.id}/invitations/`, {
      email: elsewhereEmail,
    });
    const unknown = await a.browser.post(`/api/v1.0/teams/${team.id}/invitations/`, {
      email: `nobody@${newDomain()}`,
    });
    expect(invited.status).toBe(201);
    expect(Object.keys(invited.json as object).sort()).toEqual(Object.keys(unknown.json as object).sort());
    const back = await signIn({ email: elsewhereEmail }, elsewhere.sub);
    expect((await back.browser.get(`/api/v1.0/teams/${team.id}/`)).status).toBe(200);
  });

  it('includes their own organization, and no other', async () => {
    const a = await signIn({ email: `a@${newDomain()}` });
    const b = await signIn({ email: `b@${newDomain()}` });
    expect((await a.browser.get(`/api/v1.0/organizations/${a.me.organization?.id}/`)).status).toBe(200);
    expect((await a.browser.get(`/api/v1.0/organizations/${b.me.organization?.id}/`)).status).toBe(404);
  });
});

describe('users from before organizations', () => {
  it('get the organization of their mail domain, in batches; staff accounts keep none', async () => {
    const domain = newDomain();
    const rows = await testDb.database.db
      .insert(users)
      .values([
        ...Array.from({ length: 5 }, (_, i) => ({ sub: newSub(), email: `old${i}@${domain}` })),
        { sub: null, email: `admin@${domain}`, isStaff: true },
      ])
      .returning();
    expect(await assignOrganizationsByDomain(testDb.database.db, 2)).toBeGreaterThanOrEqual(5);
    const after = await Promise.all(
      rows.map(async (r) => (await testDb.database.db.select().from(users).where(eq(users.id, r.id)))[0]),
    );
    const assigned = new Set(after.filter((u) => u?.sub).map((u) => u?.organizationId));
    expect(assigned.size).toBe(1);
    expect([...assigned][0]).toBeTruthy();
    expect(after.find((u) => !u?.sub)?.organizationId).toBeNull();
  });
});

describe('the staff API of organizations', () => {
  it('is absent (404) for an agent who is not staff', async () => {
    const a = await signIn({ email: `a@${newDomain()}` });
    expect((await a.browser.get('/api/v1.0/admin/organizations/')).status).toBe(404);
  });

  it('creates, finds, renames and deactivates; a deactivated organization cannot sign in', async () => {
    const staff = await staffBrowser();
    const domain = newDomain();
    const created = await staff.post('/api/v1.0/admin/organizations/', {
      name: 'Mairie de Test',
      domain_list: [domain.toUpperCase()],
      metadata: { code_insee: '75056' },
    });
    expect(created.status).toBe(201);
    const org = created.json as { id: string; domain_list: string[] };
    expect(org.domain_list).toEqual([domain]);
    const list = (await staff.get(`/api/v1.0/admin/organizations/?q=${domain}`)).json as {
      results: { id: string }[];
    };
    expect(list.results.map((r) => r.id)).toEqual([org.id]);
    expect(
      (await staff.patch(`/api/v1.0/admin/organizations/${org.id}/`, { name: 'Mairie' })).json,
    ).toMatchObject({
      name: 'Mairie',
    });
    await staff.patch(`/api/v1.0/admin/organizations/${org.id}/`, { is_active: false });
    const events = await testDb.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, org.id));
    expect(events.map((e) => e.event).sort()).toEqual([
      'organization.changed',
      'organization.changed',
      'organization.created',
    ]);
    const attempt = await beginLogin(desk);
    await answer(forge, attempt, newSub(), { userinfo: { email: `agent@${domain}` } });
    expect((await callback(attempt)).location).toBe('/?login_error=organization_inactive');
  });

  it('signs out a member of a deactivated organization and refuses their next sign-in', async () => {
    const staff = await staffBrowser();
    const domain = newDomain();
    const member = await signIn({ email: `agent@${domain}` });
    const res = await staff.patch(`/api/v1.0/admin/organizations/${member.me.organization?.id}/`, {
      is_active: false,
    });
    expect(res.status).toBe(200);
    expect((await member.browser.get('/api/v1.0/users/me/')).status).toBe(401);
    const attempt = await beginLogin(desk);
    await answer(forge, attempt, member.sub, { userinfo: { email: `agent@${domain}` } });
    expect((await callback(attempt)).location).toBe('/?login_error=organization_inactive');
  });

  it('refuses a domain another organization holds, and metadata its schema refuses or nests too deep', async () => {
    const staff = await staffBrowser();
    const domain = newDomain();
    await staff.post('/api/v1.0/admin/organizations/', { name: 'Première', domain_list: [domain] });
    const taken = await staff.post('/api/v1.0/admin/organizations/', {
      name: 'Seconde',
      domain_list: [domain],
    });
    expect(taken.status).toBe(400);
    const bad = await staff.post('/api/v1.0/admin/organizations/', {
      name: 'Code',
      metadata: { code_insee: 'abc' },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json as object)).toEqual(['metadata']);
    const deep = await staff.request('POST', '/api/v1.0/admin/organizations/', {
      body: `{"name":"Profonde","metadata":${'{"a":'.repeat(5000)}{}${'}'.repeat(5000)}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(deep.status).toBe(400);
    expect(deep.json).toEqual({ metadata: ['At most 8 levels of nesting.'] });
  });

  it('merges one organization into another: users, teams and domains move, atomically', async () => {
    const staff = await staffBrowser();
    const from = await signIn({ email: `a@${newDomain()}` });
    const intoAgent = await signIn({ email: `b@${newDomain()}` });
    const team = (await from.browser.post('/api/v1.0/teams/', { name: 'Déménage' })).json as { id: string };
    const res = await staff.post(`/api/v1.0/admin/organizations/${from.me.organization?.id}/merge/`, {
      into: intoAgent.me.organization?.id,
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ users: 1, teams: 1 });
    const me = (await from.browser.get('/api/v1.0/users/me/')).json as Me;
    expect(me.organization?.id).toBe(intoAgent.me.organization?.id);
    expect(await found(intoAgent.browser, '')).toContain(from.me.id);
    const gone = await testDb.database.db
      .select()
      .from(organizations)
      .where(eq(organizations.id, from.me.organization?.id ?? ''));
    expect(gone).toEqual([]);
    const audited = await testDb.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, intoAgent.me.organization?.id ?? ''));
    expect(audited.map((e) => [e.event, e.details])).toEqual([
      [
        'organization.merged',
        { from: from.me.organization?.id, from_name: expect.any(String), users: 1, teams: 1 },
      ],
    ]);
    expect(team.id).toBeTruthy();
  });

  it('of two opposite merges at once, lets one win and tells the other its target no longer exists', async () => {
    const staff = await staffBrowser();
    const db = testDb.database.db;
    for (let round = 0; round < 5; round++) {
      const [a, b] = await db
        .insert(organizations)
        .values([{ name: `A${round}` }, { name: `B${round}` }])
        .returning();
      const ids = [a?.id ?? '', b?.id ?? ''];
      // Someone in each, so the losing merge would have rows to move into the organization just removed.
      await db.insert(users).values(ids.map((organizationId) => ({ sub: newSub(), organizationId })));
      const answers = await Promise.all([
        staff.post(`/api/v1.0/admin/organizations/${ids[0]}/merge/`, { into: ids[1] }),
        staff.post(`/api/v1.0/admin/organizations/${ids[1]}/merge/`, { into: ids[0] }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
      const loser = answers.find((r) => r.status === 400);
      expect(loser?.json).toEqual({ into: ['No organization has this id.'] });
      const left = await db.select().from(organizations).where(inArray(organizations.id, ids));
      expect(left).toHaveLength(1);
      const placed = await db.select().from(users).where(inArray(users.organizationId, ids));
      expect(placed.map((u) => u.organizationId)).toEqual([left[0]?.id, left[0]?.id]);
    }
  });
});
