// The callback refuses every answer it cannot trust: no session, no user written, one redirect to the failure URL.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/users/index.ts';
import { freePort, type RunningDesk } from '../support/desk.ts';
import { type ForgeDesks, startForgeDesks } from '../support/forge-desks.ts';
import {
  type Attempt,
  answer,
  attemptFrom,
  beginLogin,
  callback,
  idClaims,
  newSub,
} from '../support/forge-login.ts';
import { type TestDatabase, uniqueEmail } from '../support/parts.ts';
import type { Forge } from '../support/token-forge.ts';

let provider: ForgeDesks;
let forge: Forge;
let testDb: TestDatabase;
let desk: RunningDesk;

beforeAll(async () => {
  provider = await startForgeDesks({
    OIDC_USERINFO_FULLNAME_FIELDS: 'given_name,usual_name',
    LOGIN_REDIRECT_URL_FAILURE: '/login-failed',
  });
  ({ forge, testDb } = provider);
  desk = await provider.deskWith();
});

afterAll(() => provider?.close());

async function usersWithSub(sub: string): Promise<number> {
  const rows = await testDb.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(eq(users.sub, sub));
  return rows[0]?.n ?? 0;
}

async function expectRefused(
  attempt: Attempt,
  res: Awaited<ReturnType<typeof callback>>,
  code: string,
  sub?: string,
) {
  expect(res.status).toBe(302);
  expect(res.location).toBe(`/login-failed?login_error=${code}`);
  expect(attempt.browser.cookies.has('desk_sessionid')).toBe(false);
  expect((await attempt.browser.get('/api/v1.0/users/me/')).status).toBe(401);
  if (sub) expect(await usersWithSub(sub)).toBe(0);
}

/** A new agent's login on `on`, with this userinfo, refused with `code`. */
async function expectLoginRefused(on: RunningDesk, code: string, userinfo?: Record<string, unknown>) {
  const attempt = await beginLogin(on);
  const sub = newSub();
  await answer(forge, attempt, sub, { userinfo });
  await expectRefused(attempt, await callback(attempt), code, sub);
}

describe('a login through the provider', () => {
  it('creates the user from the claims, opens a session and lands on LOGIN_REDIRECT_URL', async () => {
    const attempt = await beginLogin(desk);
    const sub = newSub();
    await answer(forge, attempt, sub);
    const res = await callback(attempt);
    expect(res.status).toBe(302);
    expect(res.location).toBe('/');
    const me = await attempt.browser.get('/api/v1.0/users/me/');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ name: 'Jeanne Martin' });
    expect(await usersWithSub(sub)).toBe(1);
  });

  it('sends the authorization request with state, nonce and PKCE S256 of at least 32 characters', async () => {
    const { authorizeUrl, state, nonce } = await beginLogin(desk);
    expect(state.length).toBeGreaterThanOrEqual(32);
    expect(nonce.length).toBeGreaterThanOrEqual(32);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('code_challenge')?.length).toBeGreaterThanOrEqual(43);
    expect(authorizeUrl.searchParams.get('response_type')).toBe('code');
    expect(authorizeUrl.searchParams.get('scope')).toBe('openid email');
  });

  it('gives each attempt its own state, so two tabs can log in at once', async () => {
    const first = await beginLogin(desk);
    const browser = first.browser;
    const res = await browser.get('/api/v1.0/authenticate/');
    const second = attemptFrom(browser, res.location);
    expect(second.state).not.toBe(first.state);
    const subA = newSub();
    await answer(forge, second, subA);
    expect((await callback(second)).location).toBe('/');
    const subB = newSub();
    await answer(forge, first, subB);
    expect((await callback(first)).location).toBe('/');
  });

  it('accepts a userinfo answered as a signed JWT (ProConnect)', async () => {
    const attempt = await beginLogin(desk);
    const sub = newSub();
    forge.token = forge.tokenAnswer(await forge.idToken(idClaims(forge, attempt, sub)));
    forge.userinfo = await forge.userinfoJwt({
      sub,
      email: uniqueEmail(),
      email_verified: true,
      given_name: 'Paul',
      usual_name: 'Durand',
    });
    const res = await callback(attempt);
    expect(res.location).toBe('/');
    expect((await attempt.browser.get('/api/v1.0/users/me/')).json).toMatchObject({ name: 'Paul Durand' });
  });

  it('keeps a next that points to Desk itself', async () => {
    const attempt = await beginLogin(desk, '?next=%2Fteams%2F42%3Ftab%3Dmembers');
    await answer(forge, attempt, newSub());
    expect((await callback(attempt)).location).toBe('/teams/42?tab=members');
  });

  for (const next of [
    '//evil.example',
    '/\\evil.example',
    'https:evil.example',
    'javascript:alert(1)',
    'https://evil.example/x',
    '%2F%2Fevil.example',
    '/.//evil.example/phish',
  ]) {
    it(`ignores next=${next} and lands on LOGIN_REDIRECT_URL`, async () => {
      const attempt = await beginLogin(desk, `?next=${encodeURIComponent(next)}`);
      await answer(forge, attempt, newSub());
      const res = await callback(attempt);
      expect(res.location).toBe('/');
    });
  }
});

describe('a callback Desk cannot trust', () => {
  it('without a state is refused before any call to the provider', async () => {
    const attempt = await beginLogin(desk);
    const before = forge.calls.length;
    await expectRefused(attempt, await callback(attempt, 'code=abc'), 'invalid_state');
    expect(forge.calls.length).toBe(before);
  });

  it('with an unknown state is refused before any call to the provider', async () => {
    const attempt = await beginLogin(desk);
    const before = forge.calls.length;
    await expectRefused(
      attempt,
      await callback(attempt, `code=abc&state=${'x'.repeat(43)}`),
      'invalid_state',
    );
    expect(forge.calls.length).toBe(before);
  });

  it('replayed is refused the second time', async () => {
    const attempt = await beginLogin(desk);
    const sub = newSub();
    await answer(forge, attempt, sub);
    expect((await callback(attempt)).location).toBe('/');
    const thief = desk.browser();
    thief.cookies.set('desk_oidc_browser', attempt.browser.cookies.get('desk_oidc_browser') ?? '');
    await expectRefused(
      { ...attempt, browser: thief },
      await thief.get(`/api/v1.0/callback/?code=abc&state=${attempt.state}`),
      'invalid_state',
    );
  });

  it('opened in another browser than the one that started the login is refused', async () => {
    const attempt = await beginLogin(desk);
    const sub = newSub();
    await answer(forge, attempt, sub);
    const other = desk.browser();
    await expectRefused(
      { ...attempt, browser: other },
      await other.get(`/api/v1.0/callback/?code=abc&state=${attempt.state}`),
      'invalid_state',
      sub,
    );
  });

  const forged: [string, (a: Attempt, sub: string) => Promise<string>][] = [
    [
      'a nonce that does not match',
      (a, sub) => forge.idToken(idClaims(forge, a, sub, { nonce: 'n'.repeat(43) })),
    ],
    [
      'the wrong issuer',
      (a, sub) => forge.idToken(idClaims(forge, a, sub, { iss: 'http://127.0.0.1:1/evil' })),
    ],
    ['the wrong audience', (a, sub) => forge.idToken(idClaims(forge, a, sub, { aud: 'another-app' }))],
    [
      'an expiry in the past',
      (a, sub) => forge.idToken(idClaims(forge, a, sub, { exp: Math.floor(Date.now() / 1000) - 3600 })),
    ],
    [
      'a signature by another key',
      (a, sub) => forge.idToken(idClaims(forge, a, sub), { key: forge.otherKey }),
    ],
    ['alg none', (a, sub) => forge.idToken(idClaims(forge, a, sub), { alg: 'none' })],
    [
      'HS256 signed with the provider public key',
      (a, sub) =>
        forge.idToken(idClaims(forge, a, sub), {
          alg: 'HS256',
          key: new TextEncoder().encode(JSON.stringify(forge.publicJwk)),
        }),
    ],
  ];
  for (const [what, make] of forged) {
    it(`with an ID token with ${what} is refused`, async () => {
      const attempt = await beginLogin(desk);
      const sub = newSub();
      forge.token = forge.tokenAnswer(await make(attempt, sub));
      forge.userinfo = forge.userinfoJson({ sub, email: uniqueEmail() });
      await expectRefused(attempt, await callback(attempt), 'invalid_token', sub);
    });
  }

  it('with a userinfo sub different from the ID token sub is refused', async () => {
    const attempt = await beginLogin(desk);
    const sub = newSub();
    forge.token = forge.tokenAnswer(await forge.idToken(idClaims(forge, attempt, sub)));
    forge.userinfo = forge.userinfoJson({ sub: newSub(), email: uniqueEmail() });
    await expectRefused(attempt, await callback(attempt), 'invalid_token', sub);
  });

  it('with a userinfo JWT signed by another key is refused', async () => {
    const attempt = await beginLogin(desk);
    const sub = newSub();
    forge.token = forge.tokenAnswer(await forge.idToken(idClaims(forge, attempt, sub)));
    forge.userinfo = await forge.userinfoJwt({ sub, email: uniqueEmail() }, { key: forge.otherKey });
    await expectRefused(attempt, await callback(attempt), 'invalid_token', sub);
  });
});

describe('sign-in user matching', () => {
  it('refuses a missing essential claim', async () => {
    const strict = await provider.deskWith({ OIDC_USERINFO_ESSENTIAL_CLAIMS: 'siret' });
    await expectLoginRefused(strict, 'missing_claims');
  });

  it('refuses a disabled user matched by sub, and does not duplicate them', async () => {
    const sub = newSub();
    await testDb.database.db.insert(users).values({ sub, email: uniqueEmail(), isActive: false });
    const attempt = await beginLogin(desk);
    await answer(forge, attempt, sub);
    await expectRefused(attempt, await callback(attempt), 'account_disabled');
    expect(await usersWithSub(sub)).toBe(1);
  });

  it('refuses a disabled user matched by email, and does not duplicate them', async () => {
    const email = uniqueEmail();
    await testDb.database.db.insert(users).values({ sub: newSub(), email, isActive: false });
    await expectLoginRefused(desk, 'account_disabled', { email: email.toUpperCase() });
  });

  it.each([
    ['a staff account made by createsuperuser', { isStaff: true, isSuperuser: true, sub: null }],
    ['a staff account already bound to another identity', { isStaff: true, sub: 'sub-of-the-real-admin' }],
  ])('never becomes %s through its email', async (_, values) => {
    const email = uniqueEmail('admin');
    const [staff] = await testDb.database.db
      .insert(users)
      .values({ email, name: 'Staff', password: 'argon2-hash-kept', ...values, sub: values.sub && newSub() })
      .returning();
    await expectLoginRefused(desk, 'staff_account', { email: email.toUpperCase() });
    const [after] = await testDb.database.db
      .select()
      .from(users)
      .where(eq(users.id, staff?.id ?? ''));
    expect(after?.sub).toBe(staff?.sub);
  });

  it('refuses when two users share the email, without crashing', async () => {
    const email = uniqueEmail();
    await testDb.database.db.insert(users).values([
      { sub: newSub(), email },
      { sub: newSub(), email: email.toUpperCase() },
    ]);
    await expectLoginRefused(desk, 'duplicate_email', { email });
  });

  it('matches an existing user by email case-insensitively and gives them the new sub', async () => {
    const email = uniqueEmail();
    const [existing] = await testDb.database.db
      .insert(users)
      .values({ sub: newSub(), email, name: 'Old Name' })
      .returning();
    const attempt = await beginLogin(desk);
    const sub = newSub();
    await answer(forge, attempt, sub, {
      userinfo: { email: email.toUpperCase(), given_name: '', usual_name: '' },
    });
    expect((await callback(attempt)).location).toBe('/');
    const me = await attempt.browser.get('/api/v1.0/users/me/');
    expect(me.json).toMatchObject({ id: existing?.id, name: 'Old Name' });
    expect(await usersWithSub(sub)).toBe(1);
  });

  it('ends like any refused login, within the timeout, when the provider does not answer', async () => {
    const slow = await provider.deskWith({ OIDC_TIMEOUT: '1' });
    try {
      const attempt = await beginLogin(slow);
      const sub = newSub();
      forge.token = {
        ...forge.tokenAnswer(await forge.idToken(idClaims(forge, attempt, sub))),
        delayMs: 4_000,
      };
      const res = await callback(attempt);
      expect(res.status).toBe(302);
      expect(res.location).toBe('/login-failed?login_error=provider_unavailable');
      expect(attempt.browser.cookies.has('desk_sessionid')).toBe(false);
      expect(await usersWithSub(sub)).toBe(0);
    } finally {
      forge.token = undefined;
    }
  });
});

describe('a provider that cannot answer', () => {
  it('refusing the connection ends the login with provider_unavailable', async () => {
    const closed = await freePort();
    const unreachable = await provider.deskWith({
      OIDC_OP_TOKEN_ENDPOINT: `http://127.0.0.1:${closed}/token`,
    });
    await expectLoginRefused(unreachable, 'provider_unavailable');
  });

  it.each([
    ['the token endpoint', 'token'],
    ['userinfo', 'userinfo'],
  ] as const)('answering 502 from %s ends the login with provider_unavailable', async (_, endpoint) => {
    const attempt = await beginLogin(desk);
    const sub = newSub();
    await answer(forge, attempt, sub);
    forge[endpoint] = { status: 502, contentType: 'text/html', body: '<h1>Bad Gateway</h1>' };
    try {
      await expectRefused(attempt, await callback(attempt), 'provider_unavailable', sub);
    } finally {
      forge.token = undefined;
      forge.userinfo = undefined;
    }
  });
});

describe('the ID token algorithm, pinned by OIDC_RP_SIGN_ALGO', () => {
  // Discovery offers both algorithms: only Desk's own setting decides which one it accepts.
  function discoveringDesk(settings: Record<string, string> = {}): Promise<RunningDesk> {
    return provider.deskWithOnly({
      ...forge.discoverySettings,
      LOGIN_REDIRECT_URL_FAILURE: '/login-failed',
      ...settings,
    });
  }

  async function signedWith(on: RunningDesk, alg: 'RS256' | 'ES256') {
    const attempt = await beginLogin(on);
    const sub = newSub();
    forge.token = forge.tokenAnswer(await forge.idToken(idClaims(forge, attempt, sub), { alg }));
    forge.userinfo = forge.userinfoJson({ sub, email: uniqueEmail(), email_verified: true });
    return { attempt, sub, res: await callback(attempt) };
  }

  beforeAll(() => {
    forge.idTokenAlgs = ['RS256', 'ES256'];
  });
  afterAll(() => {
    forge.idTokenAlgs = ['RS256'];
  });

  it('refuses an ES256 ID token while RS256 is pinned, though the provider advertises both', async () => {
    const { attempt, sub, res } = await signedWith(await discoveringDesk(), 'ES256');
    await expectRefused(attempt, res, 'invalid_token', sub);
  });

  it('logs in with ES256 ID tokens when OIDC_RP_SIGN_ALGO=ES256, and refuses RS256 ones then', async () => {
    const es256 = await discoveringDesk({ OIDC_RP_SIGN_ALGO: 'ES256' });
    const accepted = await signedWith(es256, 'ES256');
    expect(accepted.res.location).toBe('/');
    expect((await accepted.attempt.browser.get('/api/v1.0/users/me/')).status).toBe(200);
    const refused = await signedWith(es256, 'RS256');
    await expectRefused(refused.attempt, refused.res, 'invalid_token', refused.sub);
  });
});
