// DESIGN.md §5 "Emails from the provider": an email is an identity only when it is verified. An unverified one
// neither binds an account, nor takes invitations, nor moves the agent into the organization of its domain.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/audit/index.ts';
import { teamAccesses } from '../../src/teams/index.ts';
import { users } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import type { RunningDesk } from '../support/desk.ts';
import { type ForgeDesks, startForgeDesks } from '../support/forge-desks.ts';
import { answer, beginLogin, callback, loginThroughForge, newSub } from '../support/forge-login.ts';
import type { TestDatabase } from '../support/parts.ts';
import type { Forge } from '../support/token-forge.ts';

let provider: ForgeDesks;
let forge: Forge;
let testDb: TestDatabase;
let desk: RunningDesk;
let trusting: RunningDesk;

beforeAll(async () => {
  provider = await startForgeDesks({
    OIDC_USERINFO_FULLNAME_FIELDS: 'given_name,usual_name',
    OIDC_ORGANIZATION_REGISTRATION_ID_FIELD: 'siret',
    ORGANIZATION_REGISTRATION_ID_VALIDATORS: '["^[0-9]{14}$"]',
    LOGIN_REDIRECT_URL_FAILURE: '/login-failed',
  });
  ({ forge, testDb } = provider);
  desk = await provider.deskWith();
  trusting = await provider.deskWith({ OIDC_TRUST_PROVIDER_EMAILS: 'true' });
});

afterAll(() => provider?.close());

const newDomain = () => `${crypto.randomUUID().slice(0, 8)}.gouv.fr`;
const newSiret = () => String(Math.floor(Math.random() * 1e14)).padStart(14, '0');

interface Me {
  id: string;
  email: string | null;
  organization: { id: string } | null;
}

async function me(browser: Browser): Promise<Me> {
  const res = await browser.get('/api/v1.0/users/me/');
  expect(res.status).toBe(200);
  return res.json as Me;
}

/** A team of the organization of `domain`, with a pending owner invitation for `address`. */
async function invitationTo(on: RunningDesk, domain: string, address: string) {
  const owner = await loginThroughForge(on, forge, {
    userinfo: { email: `owner.${crypto.randomUUID().slice(0, 6)}@${domain}`, email_verified: true },
  });
  const team = (await owner.browser.post('/api/v1.0/teams/', { name: 'Recrutement' })).json as { id: string };
  const invited = await owner.browser.post(`/api/v1.0/teams/${team.id}/invitations/`, {
    email: address,
    role: 'owner',
  });
  expect(invited.status).toBe(201);
  return { teamId: team.id, organizationId: (await me(owner.browser)).organization?.id, owner };
}

async function accessesOf(userId: string, teamId: string) {
  return testDb.database.db
    .select()
    .from(teamAccesses)
    .where(and(eq(teamAccesses.userId, userId), eq(teamAccesses.teamId, teamId)));
}

async function pendingInvitations(browser: Browser, teamId: string): Promise<string[]> {
  const page = (await browser.get(`/api/v1.0/teams/${teamId}/invitations/`)).json as {
    results: { email: string }[];
  };
  return page.results.map((r) => r.email);
}

/** An account already holding `address` (made before this login, by an earlier one or an admin). */
async function accountWith(address: string, sub = newSub()) {
  const [stored] = await testDb.database.db
    .insert(users)
    .values({ sub, email: address, name: 'Titulaire' })
    .returning();
  return stored!;
}

/** Signs in again as `sub` with this userinfo; the login itself always succeeds. */
async function signInAgain(on: RunningDesk, sub: string, userinfo: Record<string, unknown>) {
  const { browser } = await loginThroughForge(on, forge, { sub, userinfo });
  return { browser, me: await me(browser) };
}

describe('a returning agent whose provider sends an address it did not verify', () => {
  it.each([
    ['without email_verified', {}],
    ['with email_verified false', { email_verified: false }],
    ['with email_verified "false"', { email_verified: 'false' }],
    ['with email_verified 1', { email_verified: 1 }],
  ])('%s keeps their address, takes no invitation and stays in their organization', async (_, claim) => {
    const homeDomain = newDomain();
    const sub = newSub();
    const first = await signInAgain(desk, sub, { email: `agent@${homeDomain}`, email_verified: true });
    const otherDomain = newDomain();
    const address = `newhire@${otherDomain}`;
    const { teamId, organizationId, owner } = await invitationTo(desk, otherDomain, address);

    const again = await signInAgain(desk, sub, { email: address, email_verified: undefined, ...claim });
    expect(again.me.id).toBe(first.me.id);
    expect(again.me.email).toBe(`agent@${homeDomain}`);
    expect(again.me.organization?.id).toBe(first.me.organization?.id);
    expect(again.me.organization?.id).not.toBe(organizationId);
    expect(await accessesOf(first.me.id, teamId)).toEqual([]);
    expect(await pendingInvitations(owner.browser, teamId)).toEqual([address]);
  });
});

describe('an address the provider did not verify', () => {
  it('does not bind the existing account that has it', async () => {
    const address = `agent@${newDomain()}`;
    const existing = await accountWith(address);
    const sub = newSub();
    const { browser } = await loginThroughForge(desk, forge, {
      sub,
      userinfo: { email: address.toUpperCase(), email_verified: undefined, siret: newSiret() },
    });
    const newcomer = await me(browser);
    expect(newcomer.id).not.toBe(existing.id);
    // Signed in by sub alone: the unproven address is not stored either.
    expect(newcomer.email).toBeNull();
    const [after] = await testDb.database.db.select().from(users).where(eq(users.id, existing.id));
    expect(after?.sub).toBe(existing.sub);
  });

  it('gives a new agent no invitation made to it', async () => {
    const domain = newDomain();
    const address = `newhire@${domain}`;
    const { teamId, owner } = await invitationTo(desk, domain, address);
    const { browser } = await loginThroughForge(desk, forge, {
      userinfo: { email: address, email_verified: false, siret: newSiret() },
    });
    const newcomer = await me(browser);
    expect(newcomer.email).toBeNull();
    expect(await accessesOf(newcomer.id, teamId)).toEqual([]);
    expect(await pendingInvitations(owner.browser, teamId)).toEqual([address]);
  });

  it('does not name the organization of a new agent: without a registration id the login is refused', async () => {
    const attempt = await beginLogin(desk);
    await answer(forge, attempt, newSub(), {
      userinfo: { email: `x@${newDomain()}`, email_verified: false },
    });
    const res = await callback(attempt);
    expect(res.location).toBe('/login-failed?login_error=organization_unknown');
    expect(attempt.browser.cookies.has('desk_sessionid')).toBe(false);
  });
});

describe('an address the provider verified', () => {
  it.each([
    ['email_verified true', false, { email_verified: true }],
    ['email_verified "true"', false, { email_verified: 'true' }],
    ['no claim, with OIDC_TRUST_PROVIDER_EMAILS=true', true, { email_verified: undefined }],
  ])(
    'with %s becomes the address, takes its invitations and moves to its organization',
    async (_, trust, claim) => {
      const on = trust ? trusting : desk;
      const sub = newSub();
      const first = await signInAgain(on, sub, { email: `agent@${newDomain()}`, email_verified: true });
      const domain = newDomain();
      const address = `newhire@${domain}`;
      const { teamId, organizationId, owner } = await invitationTo(on, domain, address);

      const again = await signInAgain(on, sub, { email: address, ...claim });
      expect(again.me).toMatchObject({
        id: first.me.id,
        email: address,
        organization: { id: organizationId },
      });
      expect((await accessesOf(first.me.id, teamId)).map((a) => a.role)).toEqual(['owner']);
      expect(await pendingInvitations(owner.browser, teamId)).toEqual([]);
    },
  );

  it('binds the existing account that has it', async () => {
    const address = `agent@${newDomain()}`;
    const existing = await accountWith(address);
    const { browser } = await loginThroughForge(desk, forge, {
      userinfo: { email: address.toUpperCase(), email_verified: true },
    });
    expect((await me(browser)).id).toBe(existing.id);
  });

  it('turns each invitation into an access written to the audit log like any other', async () => {
    const domain = newDomain();
    const address = `newhire@${domain}`;
    const { teamId } = await invitationTo(desk, domain, address);
    const { browser } = await loginThroughForge(desk, forge, {
      userinfo: { email: address, email_verified: true },
    });
    const newcomer = await me(browser);
    const [access] = await accessesOf(newcomer.id, teamId);
    const rows = await testDb.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.event, 'access.created'), eq(auditEvents.targetId, newcomer.id)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorId: newcomer.id,
      targetType: 'user',
      targetLabel: address,
      details: { team: teamId, access: access?.id, role: 'owner', via: 'invitation' },
    });
    expect(rows[0]?.requestId).toBeTruthy();
  });
});

// An address stored before unverified emails were refused (an agent who edited it at the provider back then) proves
// nothing by itself: only a login that verifies it again acts on it.
describe('an address stored before the upgrade, sent again unverified', () => {
  async function storedEarlier(domain: string) {
    const sub = newSub();
    const address = `newhire@${domain}`;
    return { sub, address, id: (await accountWith(address, sub)).id };
  }

  it('takes no invitation made to it and does not name the organization', async () => {
    const domain = newDomain();
    const { sub, address, id } = await storedEarlier(domain);
    const { teamId, organizationId, owner } = await invitationTo(desk, domain, address);
    const again = await signInAgain(desk, sub, { email: address, email_verified: false, siret: newSiret() });
    expect(again.me.id).toBe(id);
    expect(again.me.organization?.id).not.toBe(organizationId);
    expect(await accessesOf(id, teamId)).toEqual([]);
    expect(await pendingInvitations(owner.browser, teamId)).toEqual([address]);
  });

  it('without a registration id is refused rather than placed by its domain', async () => {
    const domain = newDomain();
    const { sub, address } = await storedEarlier(domain);
    await invitationTo(desk, domain, address);
    const attempt = await beginLogin(desk);
    await answer(forge, attempt, sub, { userinfo: { email: address, email_verified: undefined } });
    const res = await callback(attempt);
    expect(res.location).toBe('/login-failed?login_error=organization_unknown');
  });

  it('verified, takes its invitations and joins its organization', async () => {
    const domain = newDomain();
    const { sub, address, id } = await storedEarlier(domain);
    const { teamId, organizationId, owner } = await invitationTo(desk, domain, address);
    const again = await signInAgain(desk, sub, { email: address, email_verified: true });
    expect(again.me).toMatchObject({ id, email: address, organization: { id: organizationId } });
    expect((await accessesOf(id, teamId)).map((a) => a.role)).toEqual(['owner']);
    expect(await pendingInvitations(owner.browser, teamId)).toEqual([]);
  });
});
