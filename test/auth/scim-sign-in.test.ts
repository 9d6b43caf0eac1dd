// DESIGN.md §9: a user a directory provisioned is linked to their first sign-in by a verified email (§5), inside the
// organization that provisioned them, never across organizations; then they sign in by sub like anyone.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/audit/index.ts';
import { users } from '../../src/users/index.ts';
import type { Browser } from '../support/browser.ts';
import type { RunningDesk } from '../support/desk.ts';
import { type ForgeDesks, startForgeDesks } from '../support/forge-desks.ts';
import { answer, beginLogin, callback, loginThroughForge, newSub } from '../support/forge-login.ts';
import type { TestDatabase } from '../support/parts.ts';
import { organizationRow, provisionedUser, scimClientRow } from '../support/scim.ts';
import type { Forge } from '../support/token-forge.ts';

let provider: ForgeDesks;
let forge: Forge;
let testDb: TestDatabase;
let desk: RunningDesk;
let withoutFallback: RunningDesk;

beforeAll(async () => {
  provider = await startForgeDesks({
    OIDC_ORGANIZATION_REGISTRATION_ID_FIELD: 'siret',
    ORGANIZATION_REGISTRATION_ID_VALIDATORS: '["^[0-9]{14}$"]',
    LOGIN_REDIRECT_URL_FAILURE: '/login-failed',
  });
  ({ forge, testDb } = provider);
  desk = await provider.deskWith();
  withoutFallback = await provider.deskWith({ OIDC_FALLBACK_TO_EMAIL_FOR_IDENTIFICATION: 'false' });
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

async function stored(userId: string) {
  const [row] = await testDb.database.db.select().from(users).where(eq(users.id, userId));
  return row;
}

/** An organization owning a fresh mail domain, whose directory provisioned one agent at that domain. */
async function provisioned(options: { active?: boolean; domainOwned?: boolean } = {}) {
  const domain = newDomain();
  const organizationId = await organizationRow(testDb.database.db, {
    domains: options.domainOwned === false ? [] : [domain],
  });
  const client = await scimClientRow(testDb.database.db, organizationId, 'Entra ID');
  const email = `agent.${crypto.randomUUID().slice(0, 6)}@${domain}`;
  const user = await provisionedUser(testDb.database.db, {
    organizationId,
    email,
    clientId: client.id,
    ...(options.active === undefined ? {} : { active: options.active }),
  });
  return { organizationId, email, user, domain };
}

/** A sign-in that the callback refuses: where it sends the browser. */
async function refusedSignIn(on: RunningDesk, userinfo: Record<string, unknown>) {
  const attempt = await beginLogin(on);
  await answer(forge, attempt, newSub(), { userinfo });
  const res = await callback(attempt);
  expect(attempt.browser.cookies.has('desk_sessionid')).toBe(false);
  return res.location;
}

describe('a provisioned agent signing in for the first time', () => {
  it('is the provisioned user, now bound to the sign-in, and the login is audited', async () => {
    const { user, email, organizationId } = await provisioned();
    const { browser, sub } = await loginThroughForge(desk, forge, {
      userinfo: { email, email_verified: true },
    });
    const signedIn = await me(browser);
    expect(signedIn.id).toBe(user.id);
    expect(signedIn.organization?.id).toBe(organizationId);
    expect((await stored(user.id))?.sub).toBe(sub);
    const logins = await testDb.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.event, 'login.succeeded'), eq(auditEvents.actorId, user.id)));
    expect(logins).toHaveLength(1);
  });

  it('is found whatever the case of the address', async () => {
    const { user, email } = await provisioned();
    const { browser } = await loginThroughForge(desk, forge, {
      userinfo: { email: email.toUpperCase(), email_verified: true },
    });
    expect((await me(browser)).id).toBe(user.id);
  });

  it('is linked even when matching by email is turned off: provisioning said who would come', async () => {
    const { user, email } = await provisioned();
    const { browser, sub } = await loginThroughForge(withoutFallback, forge, {
      userinfo: { email, email_verified: true },
    });
    expect((await me(browser)).id).toBe(user.id);
    expect((await stored(user.id))?.sub).toBe(sub);
  });

  it('stays in the organization that provisioned them when the claims name no existing organization', async () => {
    const { user, email, organizationId } = await provisioned({ domainOwned: false });
    const { browser } = await loginThroughForge(desk, forge, {
      userinfo: { email, email_verified: true, siret: newSiret() },
    });
    const signedIn = await me(browser);
    expect(signedIn.id).toBe(user.id);
    expect(signedIn.organization?.id).toBe(organizationId);
  });

  it("is refused when the claims name another organization's domain, and not linked", async () => {
    const elsewhere = newDomain();
    await organizationRow(testDb.database.db, { domains: [elsewhere] });
    const organizationId = await organizationRow(testDb.database.db);
    const email = `agent.${crypto.randomUUID().slice(0, 6)}@${elsewhere}`;
    const user = await provisionedUser(testDb.database.db, { organizationId, email });
    expect(await refusedSignIn(desk, { email, email_verified: true })).toBe(
      '/login-failed?login_error=organization_mismatch',
    );
    const after = await stored(user.id);
    expect([after?.sub, after?.organizationId]).toEqual([null, organizationId]);
  });

  it("is refused when the claims name another organization's registration id, and not linked", async () => {
    const siret = newSiret();
    const other = (await loginThroughForge(desk, forge, { userinfo: { siret } })).browser;
    const otherOrganization = (await me(other)).organization?.id;
    const { user, email, organizationId } = await provisioned();
    expect(otherOrganization).not.toBe(organizationId);
    expect(await refusedSignIn(desk, { email, email_verified: true, siret })).toBe(
      '/login-failed?login_error=organization_mismatch',
    );
    expect((await stored(user.id))?.sub).toBeNull();
  });

  it('is not linked by an address the provider did not verify', async () => {
    const { user, email } = await provisioned();
    const { browser } = await loginThroughForge(desk, forge, {
      userinfo: { email, email_verified: false, siret: newSiret() },
    });
    // Signed in by sub alone, as a new agent (§5): the provisioned account is untouched.
    expect((await me(browser)).id).not.toBe(user.id);
    expect((await stored(user.id))?.sub).toBeNull();
  });

  it('is refused when the directory deactivated them', async () => {
    const { user, email } = await provisioned({ active: false });
    expect(await refusedSignIn(desk, { email, email_verified: true })).toBe(
      '/login-failed?login_error=account_disabled',
    );
    expect((await stored(user.id))?.sub).toBeNull();
  });

  it('is refused when two provisioned users have that address', async () => {
    const { email, user } = await provisioned();
    const second = await provisionedUser(testDb.database.db, {
      organizationId: await organizationRow(testDb.database.db),
      email: email.toUpperCase(),
    });
    expect(await refusedSignIn(desk, { email, email_verified: true })).toBe(
      '/login-failed?login_error=duplicate_email',
    );
    expect([(await stored(user.id))?.sub, (await stored(second.id))?.sub]).toEqual([null, null]);
  });
});

describe('a provisioned agent signing in again', () => {
  it('is matched by sub, with or without an email', async () => {
    const { user, email, organizationId } = await provisioned();
    const { sub } = await loginThroughForge(desk, forge, { userinfo: { email, email_verified: true } });
    const again = await loginThroughForge(withoutFallback, forge, {
      sub,
      userinfo: { email: undefined, email_verified: undefined },
    });
    const signedIn = await me(again.browser);
    expect(signedIn.id).toBe(user.id);
    expect(signedIn.organization?.id).toBe(organizationId);
  });
});
