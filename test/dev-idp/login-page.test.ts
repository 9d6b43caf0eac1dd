// The development provider's sign-in page: in the agent's language (English or French), styled like the web app,
// accessible (a heading, a form, a button named by each agent's name), under a Content-Security-Policy of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageLanguage } from '../../src/dev-idp/login-page.ts';
import type { Answer, Browser } from '../support/browser.ts';
import { type RunningDesk, startDeskOn } from '../support/desk.ts';
import { loginWithDevIdp } from '../support/dev-idp-login.ts';
import { type TestDatabase, type TestStore, testDatabase, testStore } from '../support/parts.ts';

describe("the sign-in page's language", () => {
  it('is English by default, Desk being English first', () => {
    expect(pageLanguage({})).toBe('en');
    expect(pageLanguage({ acceptLanguage: 'de-DE,de;q=0.9' })).toBe('en');
  });

  it("follows the browser's Accept-Language, by quality then order", () => {
    expect(pageLanguage({ acceptLanguage: 'fr-FR,fr;q=0.9,en;q=0.8' })).toBe('fr');
    expect(pageLanguage({ acceptLanguage: 'de;q=1, en;q=0.5, fr;q=0.7' })).toBe('fr');
    expect(pageLanguage({ acceptLanguage: 'fr;q=0, en' })).toBe('en');
  });

  it("prefers the login's ui_locales to the browser, and the language picked on the page to both", () => {
    expect(pageLanguage({ uiLocales: 'de fr-CA en', acceptLanguage: 'en' })).toBe('fr');
    expect(pageLanguage({ picked: 'en', uiLocales: 'fr', acceptLanguage: 'fr' })).toBe('en');
    expect(pageLanguage({ picked: 'xx', uiLocales: 42, acceptLanguage: 'fr' })).toBe('fr');
  });
});

let testDb: TestDatabase;
let store: TestStore;
let desk: RunningDesk;

beforeAll(async () => {
  testDb = await testDatabase();
  store = testStore();
  desk = await startDeskOn(testDb, store.kv, { DESK_DEV_IDP: 'true' });
});

afterAll(async () => {
  await desk?.stop();
  await store?.kv.close();
  await testDb?.drop();
});

/** Follows the login's redirects to the provider's page, as a browser sending this Accept-Language. */
async function signInPage(browser: Browser, query = '', acceptLanguage?: string): Promise<Answer> {
  const headers = acceptLanguage ? { 'accept-language': acceptLanguage } : undefined;
  let res = await browser.get(`/api/v1.0/authenticate/${query}`, headers);
  for (let hops = 0; hops < 10 && res.location; hops++)
    res = await browser.get(new URL(res.location, browser.base).href, headers);
  expect(res.status).toBe(200);
  return res;
}

describe('the sign-in page', () => {
  it('is in English for an English browser: lang, heading, a form, one button per agent named by the name', async () => {
    const page = await signInPage(desk.browser(), '', 'en-GB,en;q=0.9');
    expect(page.text).toMatch(/^<!doctype html><html lang="en">/);
    expect(page.text).toContain('<h1 id="title">Log in</h1>');
    expect(page.text).toMatch(/<form method="post" action="[^"]+\/login" aria-labelledby="title">/);
    // A button's name is its text: the agent's name first (the avatar's initials are hidden from it).
    expect(page.text).toMatch(
      /<button type="submit" name="sub" value="demo-helene-martin">\s*<span class="avatar" aria-hidden="true">HM<\/span><span class="agent"><span class="agent-name">Hélène Martin<\/span>/,
    );
    expect(page.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('is in French for a French browser', async () => {
    const page = await signInPage(desk.browser(), '', 'fr-FR,fr;q=0.9,en;q=0.5');
    expect(page.text).toMatch(/^<!doctype html><html lang="fr">/);
    expect(page.text).toContain('<h1 id="title">Se connecter</h1>');
    expect(page.text).toContain('Agents de démonstration');
  });

  it('is in the language Desk was asked for with ?ui_locales=, whatever the browser', async () => {
    const page = await signInPage(desk.browser(), '?ui_locales=fr', 'en');
    expect(page.text).toMatch(/<html lang="fr">/);
  });

  it('offers the other language, which the page then keeps', async () => {
    const browser = desk.browser();
    const page = await signInPage(browser, '', 'en');
    const french = /<a href="([^"]+\?lang=fr)" hreflang="fr" lang="fr">Français<\/a>/.exec(page.text)?.[1];
    expect(french).toBeDefined();
    const again = await browser.get(new URL(french ?? '', browser.base).href, { 'accept-language': 'en' });
    expect(again.status).toBe(200);
    expect(again.text).toMatch(/<html lang="fr">/);
    expect(again.text).toMatch(/aria-current="true">Français</);
  });

  it("carries the web app's colours and fonts in its one style sheet, allowed by a nonce and nothing else", async () => {
    const page = await signInPage(desk.browser());
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(page.text).toContain(`<style nonce="${nonce}">`);
    expect(page.text).toContain('--blue:#000091');
    expect(page.text).toContain('font-family:Marianne,system-ui');
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toMatch(/script-src/);
    expect(page.text).not.toContain('<script');
    // The form posts to the provider, whose redirects end at Desk's callback: both allowed, nothing else.
    expect(csp).toContain(`form-action 'self' ${new URL(desk.url).origin}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-store');
  });

  it('still signs the chosen agent in, as the test helpers do', async () => {
    const browser = desk.browser();
    const landed = await loginWithDevIdp(browser, 'demo-amina-diallo');
    expect(landed.location).toBe('/');
    expect((await browser.get('/api/v1.0/users/me/')).json).toMatchObject({ name: 'Amina Diallo' });
  });

  it('answers a forged choice with a 400 page in the browser language, saying how to start again', async () => {
    const browser = desk.browser();
    const page = await signInPage(browser, '', 'fr');
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const refused = await browser.request('POST', new URL(action, browser.base).href, {
      body: new URLSearchParams({ token: 'forged', sub: 'demo-helene-martin' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'fr' },
      csrf: false,
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/<html lang="fr">/);
    expect(refused.text).toContain('<p role="alert">Ce choix n’est pas valide');
    expect(refused.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('refuses a ui_locales that is not a list of language tags, with 400 naming it', async () => {
    const res = await desk.browser().get('/api/v1.0/authenticate/?ui_locales=%3Cscript%3E');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain('ui_locales');
  });
});
