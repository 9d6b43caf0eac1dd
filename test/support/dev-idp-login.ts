// Drives the built-in development provider like a browser: follow redirects, click a demo user, submit the logout form.
import { expect } from 'vitest';
import type { Answer, Browser } from './browser.ts';

/** Follows redirects (GET) until a response is not a redirect or leaves `stopAt`'s path. */
export async function follow(
  browser: Browser,
  first: Answer,
  stopAt?: (location: string) => boolean,
): Promise<Answer> {
  let res = first;
  for (let hops = 0; hops < 15 && res.location && res.status >= 300 && res.status < 400; hops++) {
    if (stopAt?.(res.location)) return res;
    res = await browser.get(new URL(res.location, browser.base).href);
  }
  return res;
}

function formOf(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
    fields[m[1] ?? ''] = m[2] ?? '';
  return { action: action.replaceAll('&amp;', '&'), fields };
}

export async function postForm(
  browser: Browser,
  action: string,
  fields: Record<string, string>,
): Promise<Answer> {
  return browser.request('POST', new URL(action, browser.base).href, {
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    csrf: false,
  });
}

/** Logs in through /api/v1.0/authenticate/ by clicking the demo user with this sub on the provider's page. */
export async function loginWithDevIdp(browser: Browser, sub: string, query = ''): Promise<Answer> {
  const page = await follow(browser, await browser.get(`/api/v1.0/authenticate/${query}`));
  expect(page.status).toBe(200);
  expect(page.text).toContain(`value="${sub}"`);
  const { action, fields } = formOf(page.text);
  const chosen = await postForm(browser, action, { ...fields, sub });
  return follow(browser, chosen, (location) => new URL(location, browser.base).pathname === '/');
}

/**
 * Logs out through the provider: logout/, the provider's self-submitting form, back to logout-callback/. The form is
 * posted with only the fields it holds, as the page's script submits it.
 */
export async function logoutWithDevIdp(browser: Browser): Promise<Answer> {
  const confirm = await follow(browser, await browser.post('/api/v1.0/logout/'));
  expect(confirm.status).toBe(200);
  const { action, fields } = formOf(confirm.text);
  return follow(
    browser,
    await postForm(browser, action, fields),
    (l) => !l.includes('/dev-idp/') && !l.includes('logout-callback'),
  );
}
