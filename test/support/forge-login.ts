// Logging in through the token forge: start at authenticate/, craft the provider's answer, come back to callback/.
import { expect } from 'vitest';
import type { Browser } from './browser.ts';
import type { RunningDesk } from './desk.ts';
import { uniqueEmail } from './parts.ts';
import { CLIENT_ID, type Forge } from './token-forge.ts';

export interface Attempt {
  browser: Browser;
  state: string;
  nonce: string;
  authorizeUrl: URL;
}

export function attemptFrom(browser: Browser, location: string | null): Attempt {
  const authorizeUrl = new URL(location ?? '');
  return {
    browser,
    authorizeUrl,
    state: authorizeUrl.searchParams.get('state') ?? '',
    nonce: authorizeUrl.searchParams.get('nonce') ?? '',
  };
}

export async function beginLogin(
  desk: Pick<RunningDesk, 'browser'>,
  query = '',
  browser = desk.browser(),
): Promise<Attempt> {
  const res = await browser.get(`/api/v1.0/authenticate/${query}`);
  expect(res.status).toBe(302);
  return attemptFrom(browser, res.location);
}

export function idClaims(
  forge: Forge,
  attempt: Attempt,
  sub: string,
  overrides: Record<string, unknown> = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: forge.issuer,
    aud: CLIENT_ID,
    sub,
    nonce: attempt.nonce,
    iat: now,
    exp: now + 300,
    ...overrides,
  };
}

/** Makes the forge answer the next token and userinfo requests for this attempt. */
export async function answer(
  forge: Forge,
  attempt: Attempt,
  sub: string,
  options: { id?: Record<string, unknown>; userinfo?: Record<string, unknown> } = {},
): Promise<void> {
  forge.token = forge.tokenAnswer(await forge.idToken(idClaims(forge, attempt, sub, options.id)));
  // A provider that verified the address (DESIGN.md §5); a test of unverified emails says otherwise.
  forge.userinfo = forge.userinfoJson({
    sub,
    email: uniqueEmail(),
    email_verified: true,
    given_name: 'Jeanne',
    usual_name: 'Martin',
    ...options.userinfo,
  });
}

/** Like answer(), for this attempt only (its own code): logins can then run at once. Returns the callback query. */
export async function answerAlone(
  forge: Forge,
  attempt: Attempt,
  sub: string,
  userinfo: Record<string, unknown> = {},
): Promise<string> {
  const code = `code-${crypto.randomUUID()}`;
  const accessToken = `at-${code}`;
  const token = forge.tokenAnswer(await forge.idToken(idClaims(forge, attempt, sub)));
  const body = { ...(JSON.parse(token.body) as Record<string, unknown>), access_token: accessToken };
  forge.tokensByCode.set(code, { ...token, body: JSON.stringify(body) });
  forge.userinfoByAccessToken.set(
    accessToken,
    forge.userinfoJson({ sub, email: uniqueEmail(), email_verified: true, ...userinfo }),
  );
  return `code=${code}&state=${attempt.state}`;
}

export function callback(attempt: Attempt, query = `code=abc&state=${attempt.state}`) {
  return attempt.browser.get(`/api/v1.0/callback/?${query}`);
}

export function newSub(): string {
  return `sub-${crypto.randomUUID()}`;
}

/** A browser with a session opened through the forge. */
export async function loginThroughForge(
  desk: RunningDesk,
  forge: Forge,
  options: { sub?: string; id?: Record<string, unknown>; userinfo?: Record<string, unknown> } = {},
): Promise<{ browser: Browser; sub: string }> {
  const sub = options.sub ?? newSub();
  const attempt = await beginLogin(desk);
  await answer(forge, attempt, sub, options);
  const res = await callback(attempt);
  expect(res.status).toBe(302);
  expect(attempt.browser.cookies.has('desk_sessionid')).toBe(true);
  return { browser: attempt.browser, sub };
}
