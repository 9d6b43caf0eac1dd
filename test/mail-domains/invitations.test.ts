// Invitations to manage a mail domain (DESIGN.md §11, people's mailbox_manager invitations API): who invites whom
// with what role, a colleague with an account given the access at once, expiry and refresh, and conversion into an
// access when the invited agent signs in — only within the domain's organization (§5 Isolation).
import { afterAll, describe, expect, it } from 'vitest';
import type { DomainRole } from '../../src/mail-domains/schema.ts';
import { organizationDomains } from '../../src/organizations/schema.ts';
import type { User } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';
import { startFakeDimail } from '../support/fake-dimail.ts';
import { loginThroughForge } from '../support/forge-login.ts';
import { MAIL_DOMAINS_API as api, mailDomainsKit, type TestDomain } from '../support/mail-domains.ts';
import { uniqueEmail } from '../support/parts.ts';
import { startForge } from '../support/token-forge.ts';

const DAY = 86_400_000;
const dimail = await startFakeDimail();
const forge = await startForge();
afterAll(async () => {
  await dimail.close();
  await forge.close();
});
const clock = { now: Date.now() };
const t = useDesk(
  {
    ...forge.settings,
    MAIL_PROVISIONING_API_URL: dimail.url,
    MAIL_PROVISIONING_API_CREDENTIALS: dimail.credentials,
    MAIL_PROVISIONING_API_TIMEOUT: '2',
  },
  { now: () => clock.now },
);
const kit = mailDomainsKit(t, clock);

interface InvitationJson {
  id: string;
  created_at: string;
  email: string;
  domain: string;
  role: DomainRole;
  issuer: string;
  is_expired: boolean;
  abilities: Record<string, boolean>;
}

/** A new organization owning the email domain `@<returned>`, so that agents signing in with it join it. */
async function organizationWithEmailDomain(): Promise<{ id: string; emailDomain: string }> {
  const id = await t.createOrganization();
  const emailDomain = `o${crypto.randomUUID().slice(0, 8)}.example.org`;
  await kit.db().insert(organizationDomains).values({ domain: emailDomain, organizationId: id });
  return { id, emailDomain };
}

/** A domain whose owner belongs to an organization of its own. */
async function domainOfOrganization(): Promise<TestDomain & { organizationId: string; emailDomain: string }> {
  const organization = await organizationWithEmailDomain();
  const owner = await t.createUser({
    organizationId: organization.id,
    email: `owner.${crypto.randomUUID().slice(0, 6)}@${organization.emailDomain}`,
  });
  const d = await kit.domain('', owner);
  return { ...d, organizationId: organization.id, emailDomain: organization.emailDomain };
}

async function invite(d: TestDomain, email: string, role: DomainRole = 'viewer', b = d.b) {
  return b.post(`${api}/${d.slug}/invitations/`, { email, role });
}

async function invitation(d: TestDomain, email: string, role: DomainRole = 'viewer') {
  const res = await invite(d, email, role);
  expect(res.status, res.text).toBe(201);
  return res.json as InvitationJson;
}

async function accessEmails(d: TestDomain): Promise<string[]> {
  const res = await d.b.get(`${api}/${d.slug}/accesses/?page_size=100`);
  return (res.json as { results: { user: { email: string } }[] }).results.map((a) => a.user.email);
}

/** Runs `body` with the clock moved past INVITATION_VALIDITY_DURATION (7 days), then puts it back. */
async function eightDaysLater(body: () => Promise<void>): Promise<void> {
  clock.now += 8 * DAY;
  try {
    await body();
  } finally {
    clock.now -= 8 * DAY;
  }
}

describe('inviting to manage a domain', () => {
  it('is refused to a viewer', async () => {
    const d = await kit.domain();
    const { b } = await kit.member(d, 'viewer');
    expect((await invite(d, uniqueEmail(), 'viewer', b)).status).toBe(403);
  });

  it.each(['viewer', 'administrator'] as const)(
    'an administrator invites as %s, and the invitation is mailed',
    async (role) => {
      const d = await kit.domain();
      const { user, b } = await kit.member(d, 'administrator');
      const email = uniqueEmail('invited');
      const res = await invite(d, email, role, b);
      expect(res.status, res.text).toBe(201);
      expect(res.json).toEqual({
        id: expect.any(String),
        created_at: expect.any(String),
        email,
        domain: d.id,
        role,
        issuer: user.id,
        is_expired: false,
        abilities: { delete: true, get: true, patch: false, put: false },
      });
      const mails = await kit.mailsTo(email);
      expect(mails.map((m) => m.template)).toEqual(['maildomain_invitation']);
      expect(mails[0]?.context).toMatchObject({ domainName: d.name, role });
    },
  );

  it('refuses an administrator inviting an owner', async () => {
    const d = await kit.domain();
    const { b } = await kit.member(d, 'administrator');
    const res = await invite(d, uniqueEmail(), 'owner', b);
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ role: 'You cannot grant a role higher than your own.' });
  });

  it('gives an active colleague of my organization the access at once, without an invitation', async () => {
    const d = await domainOfOrganization();
    const colleague = await t.createUser({
      organizationId: d.organizationId,
      email: `colleague.${crypto.randomUUID().slice(0, 6)}@${d.emailDomain}`,
    });
    const res = await invite(d, colleague.email ?? '', 'administrator');
    expect(res.status, res.text).toBe(201);
    expect(res.json).toEqual({
      detail: 'Email already known. Invitation not sent but access created instead.',
    });
    expect(await accessEmails(d)).toContain(colleague.email);
    expect((await d.b.get(`${api}/${d.slug}/invitations/`)).json).toMatchObject({ count: 0 });
    expect(await kit.mailsTo(colleague.email ?? '')).toEqual([]);
  });

  it('invites a user of another organization like anyone else: no access is given', async () => {
    const d = await domainOfOrganization();
    const elsewhere = await t.createUser({ organizationId: await t.createOrganization() });
    const created = await invitation(d, elsewhere.email ?? '');
    expect(created.email).toBe(elsewhere.email);
    expect(await accessEmails(d)).not.toContain(elsewhere.email);
  });

  it('refuses a second invitation of the same email', async () => {
    const d = await kit.domain();
    const email = uniqueEmail();
    await invitation(d, email);
    expect((await invite(d, email)).status).toBe(400);
  });
});

describe('reading and cancelling invitations', () => {
  it('a viewer lists and retrieves them', async () => {
    const d = await kit.domain();
    const created = await invitation(d, uniqueEmail());
    const { b } = await kit.member(d, 'viewer');
    const list = await b.get(`${api}/${d.slug}/invitations/`);
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ count: 1, results: [{ id: created.id, email: created.email }] });
    const one = await b.get(`${api}/${d.slug}/invitations/${created.id}/`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({
      id: created.id,
      abilities: { delete: false, get: true, patch: false, put: false },
    });
  });

  it('a user without a role gets 404', async () => {
    const d = await kit.domain();
    const created = await invitation(d, uniqueEmail());
    const stranger = await t.browserFor(await t.createUser());
    expect((await stranger.get(`${api}/${d.slug}/invitations/`)).status).toBe(404);
    expect((await stranger.get(`${api}/${d.slug}/invitations/${created.id}/`)).status).toBe(404);
  });

  it('an administrator cancels one; a viewer may not', async () => {
    const d = await kit.domain();
    const created = await invitation(d, uniqueEmail());
    const viewer = await kit.member(d, 'viewer');
    expect((await viewer.b.delete(`${api}/${d.slug}/invitations/${created.id}/`)).status).toBe(403);
    const admin = await kit.member(d, 'administrator');
    expect((await admin.b.delete(`${api}/${d.slug}/invitations/${created.id}/`)).status).toBe(204);
    expect((await d.b.get(`${api}/${d.slug}/invitations/${created.id}/`)).status).toBe(404);
  });
});

describe('refreshing an invitation', () => {
  it('renews an expired one and mails it again', async () => {
    const d = await kit.domain();
    const email = uniqueEmail('late');
    const created = await invitation(d, email);
    await eightDaysLater(async () => {
      // Sessions do not last a week: the owner signs in again.
      const b = await t.browserFor(d.owner);
      const expired = await b.get(`${api}/${d.slug}/invitations/${created.id}/`);
      expect(expired.json).toMatchObject({ is_expired: true });
      const res = await b.post(`${api}/${d.slug}/invitations/${created.id}/refresh/`, {});
      expect(res.status, res.text).toBe(200);
      expect(res.json).toMatchObject({ id: created.id, is_expired: false });
      expect((await b.get(`${api}/${d.slug}/invitations/${created.id}/`)).json).toMatchObject({
        is_expired: false,
      });
    });
    expect((await kit.mailsTo(email)).map((m) => m.template)).toEqual([
      'maildomain_invitation',
      'maildomain_invitation',
    ]);
  });

  it('gives the access instead when a colleague with that email has signed up since', async () => {
    const d = await domainOfOrganization();
    const email = `newcomer.${crypto.randomUUID().slice(0, 6)}@${d.emailDomain}`;
    const created = await invitation(d, email, 'administrator');
    await t.createUser({ organizationId: d.organizationId, email });
    const res = await d.b.post(`${api}/${d.slug}/invitations/${created.id}/refresh/`, {});
    expect(res.status, res.text).toBe(201);
    expect(res.json).toEqual({
      detail: 'Email already known. Invitation not sent but access created instead.',
    });
    expect(await accessEmails(d)).toContain(email);
    expect((await d.b.get(`${api}/${d.slug}/invitations/`)).json).toMatchObject({ count: 0 });
  });
});

describe('signing in with an invited email', () => {
  const signIn = (email: string) => loginThroughForge(t, forge, { userinfo: { email } });

  it('turns the invitation into an access for a newcomer of the domain’s organization', async () => {
    const d = await domainOfOrganization();
    const email = `newcomer.${crypto.randomUUID().slice(0, 6)}@${d.emailDomain}`;
    await invitation(d, email, 'administrator');
    const { browser } = await signIn(email);
    const mine = (await browser.get(`${api}/`)).json as { results: { slug: string }[] };
    expect(mine.results.map((x) => x.slug)).toEqual([d.slug]);
    const accesses = (await d.b.get(`${api}/${d.slug}/accesses/`)).json as {
      results: { user: User; role: DomainRole }[];
    };
    expect(accesses.results.find((a) => a.user.email === email)?.role).toBe('administrator');
    expect((await d.b.get(`${api}/${d.slug}/invitations/`)).json).toMatchObject({ count: 0 });
  });

  it('leaves the invitation alone for a user of another organization', async () => {
    const d = await domainOfOrganization();
    const other = await organizationWithEmailDomain();
    const email = `outsider.${crypto.randomUUID().slice(0, 6)}@${other.emailDomain}`;
    await invitation(d, email);
    const { browser } = await signIn(email);
    expect((await browser.get(`${api}/`)).json).toMatchObject({ count: 0 });
    expect(await accessEmails(d)).not.toContain(email);
    expect((await d.b.get(`${api}/${d.slug}/invitations/`)).json).toMatchObject({ count: 1 });
  });
});
