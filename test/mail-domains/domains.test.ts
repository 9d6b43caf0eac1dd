// Mail domains as an agent sees them (DESIGN.md §11, people's mail_domain API tests): only their own, created with
// dimail and its owner at once, names checked as DNS and dimail take them, and a domain they have no role on unknown.
import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { mailDomains } from '../../src/mail-domains/schema.ts';
import { organizationDomains } from '../../src/organizations/schema.ts';
import { rowsOf } from '../../src/platform/database.ts';
import type { Browser } from '../support/browser.ts';
import { useDesk } from '../support/desk.ts';
import { startFakeDimail } from '../support/fake-dimail.ts';

const dimail = await startFakeDimail();
afterAll(() => dimail.close());
const t = useDesk({
  MAIL_PROVISIONING_API_URL: dimail.url,
  MAIL_PROVISIONING_API_CREDENTIALS: dimail.credentials,
  MAIL_PROVISIONING_API_TIMEOUT: '2',
});

const api = '/api/v1.0/mail-domains';
const unique = (prefix = '') => `${prefix}d${crypto.randomUUID().slice(0, 8)}.example.fr`;
const NO_DOMAIN = { detail: 'No MailDomain matches the given query.' };

interface Domain {
  id: string;
  name: string;
  slug: string;
  status: string;
  count_mailboxes: number;
  abilities: Record<string, boolean>;
  action_required_details: Record<string, string>;
  expected_config: unknown;
}

async function agent(): Promise<Browser> {
  return t.browserFor(await t.createUser());
}

async function create(b: Browser, name = unique()): Promise<Domain> {
  const res = await b.post(`${api}/`, { name, support_email: `support@${name}` });
  expect(res.status, res.text).toBe(201);
  return res.json as Domain;
}

const domainsNamed = async (name: string) =>
  t.testDb.database.db.select().from(mailDomains).where(eq(mailDomains.name, name));

describe('anonymous visitors', () => {
  it('get 401 on the list, on creating and on a domain', async () => {
    const slug = (await create(await agent())).slug;
    const anonymous = t.browser();
    await anonymous.primeCsrf();
    expect((await anonymous.get(`${api}/`)).status).toBe(401);
    const name = unique();
    expect((await anonymous.post(`${api}/`, { name, support_email: `s@${name}` })).status).toBe(401);
    expect(await domainsNamed(name)).toEqual([]);
    expect((await anonymous.get(`${api}/${slug}/`)).status).toBe(401);
  });
});

describe('the list', () => {
  it('shows only the domains I have a role on, paged', async () => {
    const me = await agent();
    const mine = [await create(me), await create(me)];
    await create(await agent());
    const res = await me.get(`${api}/`);
    expect(res.status).toBe(200);
    const page = res.json as { count: number; next: null; previous: null; results: Domain[] };
    expect(page).toMatchObject({ count: 2, next: null, previous: null });
    expect(page.results.map((d) => d.id).sort()).toEqual(mine.map((d) => d.id).sort());
  });

  it('is sorted by name with ?ordering=name', async () => {
    const me = await agent();
    const names = [unique('c'), unique('a'), unique('b')];
    for (const name of names) await create(me, name);
    const res = await me.get(`${api}/?ordering=name`);
    expect((res.json as { results: Domain[] }).results.map((d) => d.name)).toEqual([...names].sort());
    const reversed = await me.get(`${api}/?ordering=-name`);
    expect((reversed.json as { results: Domain[] }).results.map((d) => d.name)).toEqual(
      [...names].sort().reverse(),
    );
  });
});

describe('creating a domain', () => {
  it("answers 201 with people's fields, the slug as Django slugifies, the creator owner, and dimail's DNS records", async () => {
    const me = await agent();
    const name = unique();
    const res = await me.post(`${api}/`, { name, support_email: `support@${name}` });
    expect(res.status, res.text).toBe(201);
    const body = res.json as Domain & Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        'id',
        'name',
        'slug',
        'status',
        'abilities',
        'created_at',
        'updated_at',
        'count_mailboxes',
        'support_email',
        'last_check_details',
        'action_required_details',
        'expected_config',
      ].sort(),
    );
    expect(body).toMatchObject({
      name,
      slug: name.replaceAll('.', ''),
      status: 'enabled',
      count_mailboxes: 0,
      support_email: `support@${name}`,
      action_required_details: {},
      abilities: { get: true, patch: true, put: true, post: true, delete: true, manage_accesses: true },
    });
    const spec = dimail.platform.spec(dimail.platform.domains.get(name)!);
    expect(body.expected_config).toEqual(spec);
    expect(dimail.platform.domains.has(name)).toBe(true);
  });

  it('slugifies "example.fr" to "examplefr" (a taken slug gets a suffix)', async () => {
    const me = await agent();
    const label = `s${crypto.randomUUID().slice(0, 8)}`;
    expect((await create(me, `${label}.example.fr`)).slug).toBe(`${label}examplefr`);
    expect((await create(me, `${label}e.xample.fr`)).slug).not.toBe(`${label}examplefr`);
  });

  it('tells what the DNS lacks when dimail asks the agents to act', async () => {
    const domain = await create(await agent(), unique('action-required.'));
    expect(domain.status).toBe('action_required');
    expect(Object.keys(domain.action_required_details).sort()).toEqual(['mx', 'spf']);
    for (const message of Object.values(domain.action_required_details))
      expect(message).toContain(domain.name);
  });

  it('keeps a domain dimail could not enable as failed', async () => {
    expect((await create(await agent(), unique('failed.'))).status).toBe('failed');
  });

  it.each([
    ['a single label', 'a'],
    ['a space', 'exa mple.fr'],
    ['a leading hyphen', '-bad.fr'],
    ['a numeric top-level label', 'x.123'],
    ['a NUL character', 'exa\u0000mple.fr'],
    ['a slash', 'exa/mple.fr'],
  ])('refuses a name with %s with 400 naming the field', async (_, name) => {
    const res = await (await agent()).post(`${api}/`, { name, support_email: 'support@example.fr' });
    expect(res.status, res.text).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(['name']);
    expect((res.json as { name: string[] }).name.length).toBeGreaterThan(0);
  });

  it('stores an internationalized name in its ASCII (xn--) form, lower case', async () => {
    const label = `ex${crypto.randomUUID().slice(0, 6)}`;
    const res = await (await agent()).post(`${api}/`, {
      name: `${label.toUpperCase()}Ä.Example.FR`,
      support_email: 'support@example.fr',
    });
    expect(res.status, res.text).toBe(201);
    const domain = res.json as Domain;
    expect(domain.name).toBe(new URL(`http://${label}ä.example.fr`).hostname);
    expect(domain.name).toMatch(/^xn--[a-z0-9-]+\.example\.fr$/);
    expect(dimail.platform.domains.has(domain.name)).toBe(true);
  });

  it('refuses an invalid support email with 400 naming the field', async () => {
    const res = await (await agent()).post(`${api}/`, { name: unique(), support_email: 'not an email' });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(['support_email']);
  });

  it("refuses a name Desk already has with people's message", async () => {
    const name = unique();
    await create(await agent(), name);
    const res = await (await agent()).post(`${api}/`, { name, support_email: `support@${name}` });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ name: ['Mail domain with this name already exists.'] });
  });

  it('refuses a domain dimail already has, and keeps nothing of it', async () => {
    const name = unique();
    const declared = await fetch(`${dimail.url}/domains/`, {
      method: 'POST',
      headers: { authorization: `Basic ${dimail.credentials}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        context_name: name,
        features: ['webmail', 'mailbox', 'alias'],
        delivery: 'virtual',
      }),
    });
    expect(declared.status).toBe(201);
    const me = await agent();
    const res = await me.post(`${api}/`, { name, support_email: `support@${name}` });
    expect(res.status, res.text).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(['name']);
    expect(await domainsNamed(name)).toEqual([]);
    expect((await me.get(`${api}/`)).json).toMatchObject({ count: 0 });
  });

  it("refuses another organization's email domain, and any name under it", async () => {
    const theirs = `o${crypto.randomUUID().slice(0, 8)}.example.fr`;
    await t.testDb.database.db
      .insert(organizationDomains)
      .values({ domain: theirs, organizationId: await t.createOrganization() });
    const me = await agent();
    for (const name of [theirs, `mail.${theirs}`]) {
      const res = await me.post(`${api}/`, { name, support_email: `support@${name}` });
      expect(res.status, name).toBe(400);
      expect(Object.keys(res.json as object)).toEqual(['name']);
      expect(await domainsNamed(name)).toEqual([]);
    }
  });
});

describe('a domain', () => {
  it('is 404 with the same body for a domain I have no role on, an unknown slug and a malformed slug', async () => {
    const theirs = await create(await agent());
    const me = await agent();
    for (const slug of [theirs.slug, 'nosuchdomainfr', 'a%2Fb', 'x'.repeat(81)]) {
      const res = await me.get(`${api}/${slug}/`);
      expect(res.status, slug).toBe(404);
      expect(res.json, slug).toEqual(NO_DOMAIN);
    }
  });

  it('counts its mailboxes', async () => {
    const me = await agent();
    const domain = await create(me);
    for (const localPart of ['ada', 'grace'])
      expect(
        (
          await me.post(`${api}/${domain.slug}/mailboxes/`, {
            first_name: localPart,
            last_name: 'Agent',
            local_part: localPart,
          })
        ).status,
      ).toBe(201);
    const res = await me.get(`${api}/${domain.slug}/`);
    expect(res.json).toMatchObject({ id: domain.id, count_mailboxes: 2 });
  });

  it('is checked again at dimail with fetch/, its status refreshed', async () => {
    const me = await agent();
    const domain = await create(me);
    await t.testDb.database.db.execute(
      sql`update mail_domains set status = 'pending' where id = ${domain.id}`,
    );
    expect((await me.get(`${api}/${domain.slug}/`)).json).toMatchObject({ status: 'pending' });
    const res = await me.post(`${api}/${domain.slug}/fetch/`, {});
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: domain.id, status: 'enabled' });
    const stored = rowsOf<{ status: string }>(
      await t.testDb.database.db.execute(sql`select status from mail_domains where id = ${domain.id}`),
    );
    expect(stored).toEqual([{ status: 'enabled' }]);
  });

  it('is checked with fetch/ by its administrators and owners only: a viewer gets 403, as in people', async () => {
    const owner = await t.createUser();
    const domain = await create(await t.browserFor(owner));
    const viewer = await t.createUser();
    await t.testDb.database.db.execute(
      sql`insert into mail_domain_accesses (domain_id, user_id, role) values (${domain.id}, ${viewer.id}, 'viewer')`,
    );
    const res = await (await t.browserFor(viewer)).post(`${api}/${domain.slug}/fetch/`, {});
    expect(res.status).toBe(403);
  });

  it('is 404 on fetch/ for a domain I have no role on', async () => {
    const theirs = await create(await agent());
    const res = await (await agent()).post(`${api}/${theirs.slug}/fetch/`, {});
    expect(res.status).toBe(404);
    expect(res.json).toEqual(NO_DOMAIN);
  });
});
