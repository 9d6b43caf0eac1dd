// DESIGN.md §5 for mail domains: an agent of one organization never reaches another organization's domains, nor its
// people, by any route ("unknown" and "elsewhere" answer alike); users/me shows the mail pages only to agents with a
// role on a domain; every change to a domain or its accesses is an audit event.
import { afterAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/users/index.ts';
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
const NO_DOMAIN = { detail: 'No MailDomain matches the given query.' };

interface Organization {
  id: string;
  owner: User;
  b: Browser;
  slug: string;
  name: string;
  colleague: () => Promise<User>;
}

/** An organization with an agent who owns one enabled domain. */
async function organization(): Promise<Organization> {
  const id = await t.createOrganization();
  const colleague = () => t.createUser({ organizationId: id });
  const owner = await colleague();
  const b = await t.browserFor(owner);
  const name = `d${crypto.randomUUID().slice(0, 8)}.example.fr`;
  const res = await b.post(`${api}/`, { name, support_email: `support@${name}` });
  expect(res.status, res.text).toBe(201);
  return { id, owner, b, slug: (res.json as { slug: string }).slug, name, colleague };
}

/** B's domain with a mailbox, an alias and an invitation, as its owner made them. */
async function furnished(org: Organization) {
  const mailbox = await org.b.post(`${api}/${org.slug}/mailboxes/`, {
    first_name: 'Ada',
    last_name: 'Lovelace',
    local_part: 'ada',
  });
  expect(mailbox.status, mailbox.text).toBe(201);
  const alias = await org.b.post(`${api}/${org.slug}/aliases/`, {
    local_part: 'contact',
    destination: `ada@${org.name}`,
  });
  expect(alias.status, alias.text).toBe(201);
  const invitation = await org.b.post(`${api}/${org.slug}/invitations/`, {
    email: `someone-${crypto.randomUUID()}@elsewhere.example`,
    role: 'viewer',
  });
  expect(invitation.status, invitation.text).toBe(201);
  return {
    mailbox: (mailbox.json as { id: string }).id,
    invitation: (invitation.json as { id: string }).id,
  };
}

describe("another organization's mail domain", () => {
  it('is 404 on every route, with the same body as an unknown slug', async () => {
    const a = await organization();
    const b = await organization();
    const { mailbox, invitation } = await furnished(b);
    const routes = (slug: string) =>
      [
        ['GET', `${api}/${slug}/`],
        ['POST', `${api}/${slug}/fetch/`],
        ['GET', `${api}/${slug}/accesses/`],
        ['POST', `${api}/${slug}/accesses/`],
        ['GET', `${api}/${slug}/accesses/users/`],
        ['GET', `${api}/${slug}/mailboxes/`],
        ['POST', `${api}/${slug}/mailboxes/`],
        ['GET', `${api}/${slug}/mailboxes/${mailbox}/`],
        ['PATCH', `${api}/${slug}/mailboxes/${mailbox}/`],
        ['POST', `${api}/${slug}/mailboxes/${mailbox}/disable/`],
        ['GET', `${api}/${slug}/aliases/`],
        ['POST', `${api}/${slug}/aliases/`],
        ['GET', `${api}/${slug}/invitations/`],
        ['POST', `${api}/${slug}/invitations/`],
        ['GET', `${api}/${slug}/invitations/${invitation}/`],
        ['DELETE', `${api}/${slug}/invitations/${invitation}/`],
      ] as const;
    const bodies: Record<string, unknown> = {
      [`${api}/${b.slug}/accesses/`]: { user: a.owner.id, role: 'owner' },
      [`${api}/${b.slug}/mailboxes/`]: { first_name: 'Eve', last_name: 'Intruder', local_part: 'eve' },
      [`${api}/${b.slug}/aliases/`]: { local_part: 'eve', destination: 'eve@elsewhere.example' },
      [`${api}/${b.slug}/invitations/`]: { email: a.owner.email, role: 'owner' },
      [`${api}/${b.slug}/mailboxes/${mailbox}/`]: { first_name: 'Eve' },
    };
    const call = (method: string, path: string, body: unknown) =>
      method === 'GET'
        ? a.b.get(path)
        : method === 'POST'
          ? a.b.post(path, body ?? {})
          : method === 'PATCH'
            ? a.b.patch(path, body ?? {})
            : a.b.delete(path);
    const theirs = routes(b.slug);
    const unknown = routes('nosuchdomainexamplefr');
    for (const [i, [method, path]] of theirs.entries()) {
      const res = await call(method, path, bodies[path]);
      const [, unknownPath] = unknown[i]!;
      const baseline = await call(method, unknownPath, bodies[path]);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json, `${method} ${path}`).toEqual(NO_DOMAIN);
      expect(baseline.status, `${method} ${unknownPath}`).toBe(404);
      expect(baseline.json, `${method} ${unknownPath}`).toEqual(NO_DOMAIN);
    }
    // Nothing of theirs changed.
    const accesses = (await b.b.get(`${api}/${b.slug}/accesses/`)).json as { count: number };
    expect(accesses.count).toBe(1);
    const boxes = (await b.b.get(`${api}/${b.slug}/mailboxes/`)).json as { results: { status: string }[] };
    expect(boxes.results.map((m) => m.status)).toEqual(['enabled']);
    expect((await b.b.get(`${api}/${b.slug}/invitations/${invitation}/`)).status).toBe(200);
  });

  it('never shows in my list', async () => {
    const a = await organization();
    const b = await organization();
    const page = (await a.b.get(`${api}/?page_size=100`)).json as {
      count: number;
      results: { slug: string }[];
    };
    expect(page.count).toBe(1);
    expect(page.results.map((d) => d.slug)).toEqual([a.slug]);
    expect(page.results.map((d) => d.slug)).not.toContain(b.slug);
  });

  it("its mailbox is 404 through my own domain's path", async () => {
    const a = await organization();
    const b = await organization();
    const { mailbox, invitation } = await furnished(b);
    expect((await a.b.get(`${api}/${a.slug}/mailboxes/${mailbox}/`)).status).toBe(404);
    expect((await a.b.get(`${api}/${a.slug}/invitations/${invitation}/`)).status).toBe(404);
  });
});

describe("another organization's people", () => {
  it('cannot be given an access to my domain: 400 as for an unknown id', async () => {
    const a = await organization();
    const b = await organization();
    const stranger = await b.colleague();
    const unknown = crypto.randomUUID();
    for (const id of [stranger.id, b.owner.id, unknown]) {
      const res = await a.b.post(`${api}/${a.slug}/accesses/`, { user: id, role: 'viewer' });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ user: [`Invalid pk "${id}" - object does not exist.`] });
    }
    const users = (await a.b.get(`${api}/${a.slug}/accesses/users/`)).json as { id: string }[];
    expect(users.map((u) => u.id)).not.toContain(stranger.id);
  });
});

describe('users/me abilities.mailboxes', () => {
  it('hides the mail pages from an agent with no domain and shows them once they get an access', async () => {
    const a = await organization();
    const agent = await a.colleague();
    const b = await t.browserFor(agent);
    const before = (await b.get('/api/v1.0/users/me/')).json as { abilities: { mailboxes: unknown } };
    expect(before.abilities.mailboxes).toEqual({ can_view: false, can_create: false });
    const granted = await a.b.post(`${api}/${a.slug}/accesses/`, { user: agent.id, role: 'viewer' });
    expect(granted.status, granted.text).toBe(201);
    const after = (await b.get('/api/v1.0/users/me/')).json as { abilities: { mailboxes: unknown } };
    expect(after.abilities.mailboxes).toEqual({ can_view: true, can_create: true });
  });
});

describe('the audit log', () => {
  it('records creating a domain and giving, changing and removing an access', async () => {
    const a = await organization();
    const colleague = await a.colleague();
    const granted = await a.b.post(`${api}/${a.slug}/accesses/`, { user: colleague.id, role: 'viewer' });
    expect(granted.status).toBe(201);
    const access = (granted.json as { id: string }).id;
    expect((await a.b.patch(`${api}/${a.slug}/accesses/${access}/`, { role: 'administrator' })).status).toBe(
      200,
    );
    expect((await a.b.delete(`${api}/${a.slug}/accesses/${access}/`)).status).toBe(204);

    const { browser: staff } = await t.loginAsStaff();
    const res = await staff.get(`/api/v1.0/admin/audit-events/?actor=${a.owner.id}&page_size=100`);
    expect(res.status, res.text).toBe(200);
    const events = (
      res.json as {
        results: { event: string; target: { id: string | null } | null; details: Record<string, unknown> }[];
      }
    ).results
      .filter((e) => e.details.domain === a.name)
      .reverse();
    expect(events.map((e) => e.event)).toEqual([
      'mail_domain.created',
      'mail_domain_access.created',
      'mail_domain_access.role_changed',
      'mail_domain_access.removed',
    ]);
    expect(events.slice(1).map((e) => e.target?.id)).toEqual([colleague.id, colleague.id, colleague.id]);
    expect(events[1]?.details).toMatchObject({ role: 'viewer' });
    expect(events[2]?.details).toMatchObject({ from: 'viewer', to: 'administrator' });
    expect(events[3]?.details).toMatchObject({ role: 'administrator' });
  });
});
