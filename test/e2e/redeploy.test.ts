// A tab left open through a redeploy: the page it has not loaded yet now has another file name, and the old one is
// gone. The app reloads once to the new version by itself; a file that stays missing, or any other error, shows the
// app's own error page with a retry, never React Router's developer screen and never a reload loop. Desk serves a
// copy of web/dist here, and a "redeploy" is a second Desk on the same port, database and session store serving
// another copy, as a rolling update replaces pods.
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../src/web-app/routes.ts';
import { type RunningDesk, startDeskOn, useDesk } from '../support/desk.ts';
import {
  axeCheck,
  CHROMIUM_MISSING,
  describeViolations,
  launchBrowser,
  pageWithSession,
  screenshot,
} from '../support/e2e.ts';

const DEVELOPER_SCREEN = /Unexpected Application Error|Hey developer/;
const CONTACTS_PAGE = 'src/features/contacts/ContactsPage.tsx';
const TEAM_NAME_DIALOG = 'src/features/teams/TeamNameDialog.tsx';

/** A copy of the built app this test may change. */
function copyOfBuild(from = WEB_DIST): string {
  const dir = mkdtempSync(join(tmpdir(), 'desk-web-'));
  cpSync(from, dir, { recursive: true });
  return dir;
}

/** The file (under assets/) Vite built this source into. */
function builtFile(dist: string, source: string): string {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    { file: string }
  >;
  const entry = manifest[source];
  if (!entry) throw new Error(`${source} is not in the build's manifest`);
  return entry.file.replace(/^assets\//, '');
}

/**
 * The next release, as Vite would build it after `source` changed: that chunk, and every file naming a renamed one
 * (its importers up to the entry, then index.html), get new names; the old names are gone.
 */
function nextRelease(dist: string, source: string): string {
  const next = copyOfBuild(dist);
  const assets = join(next, 'assets');
  const renamed = new Map<string, string>();
  const rename = (name: string) => renamed.set(name, `next-${name}`);
  rename(builtFile(dist, source));
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of readdirSync(assets)) {
      if (renamed.has(name) || [...renamed.values()].includes(name)) continue;
      const text = readFileSync(join(assets, name), 'utf8');
      if ([...renamed.keys()].some((old) => text.includes(old))) {
        rename(name);
        changed = true;
      }
    }
  }
  const rewrite = (path: string) => {
    let text = readFileSync(path, 'utf8');
    for (const [old, name] of renamed) text = text.replaceAll(old, name);
    writeFileSync(path, text);
  };
  for (const [old, name] of renamed) {
    rewrite(join(assets, old));
    renameSync(join(assets, old), join(assets, name));
  }
  rewrite(join(next, 'index.html'));
  rewrite(join(next, '.vite', 'manifest.json'));
  return next;
}

describe.skipIf(CHROMIUM_MISSING !== '')('a tab open through a redeploy', () => {
  const t = useDesk();
  let browser: Browser;
  const dirs: string[] = [];
  const running: RunningDesk[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const desk of running) await desk.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function expectAccessible(page: Page): Promise<void> {
    const violations = await axeCheck(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  }

  function build(dir: string): string {
    dirs.push(dir);
    return dir;
  }

  async function serve(dist: string, port?: string): Promise<RunningDesk> {
    const desk = await startDeskOn(t.testDb, t.store.kv, port ? { PORT: port } : {}, undefined, {
      webDist: dist,
    });
    running.push(desk);
    return desk;
  }

  /** A new agent's tab on /teams, signed in; counts the pages the browser loads from then on (reloads). */
  async function openTab(
    desk: RunningDesk,
    language = 'en-us',
  ): Promise<{ context: BrowserContext; page: Page; loads: () => number }> {
    const user = await t.createUser({ name: 'Agent Redeploy', language });
    const session = await t.desk.sessions.create(user.id);
    const { context, page } = await pageWithSession(browser, desk.url, {
      cookie: t.desk.config.SESSION_COOKIE_NAME,
      id: session.id,
    });
    await page.goto(`${desk.url}/teams`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    let loads = 0;
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) loads += 1;
    });
    return { context, page, loads: () => loads };
  }

  it('reloads once to the new version when the page it opens was renamed by a redeploy', async () => {
    const before = build(copyOfBuild());
    const after = build(nextRelease(before, CONTACTS_PAGE));
    const old = await serve(before);
    const { context, page, loads } = await openTab(old);
    try {
      await old.stop();
      await serve(after, new URL(old.url).port);

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();

      await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/contacts');
      expect(loads()).toBe(1);
      expect(await page.locator('body').textContent()).not.toMatch(DEVELOPER_SCREEN);
    } finally {
      await context.close();
    }
  });

  it('shows its error page with a retry, after one reload, when the page it opens stays missing', async () => {
    const dist = build(copyOfBuild());
    const desk = await serve(dist);
    const { context, page, loads } = await openTab(desk);
    try {
      rmSync(join(dist, 'assets', builtFile(dist, CONTACTS_PAGE)));

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();

      const heading = page.getByRole('heading', { level: 1, name: 'This page could not be loaded' });
      await heading.waitFor();
      expect(loads()).toBe(1);
      expect(await page.locator('body').textContent()).not.toMatch(DEVELOPER_SCREEN);
      // The header stays: the agent can go elsewhere.
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      await expectAccessible(page);
      await screenshot(page, 'redeploy-missing-page-1440');
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, 'redeploy-missing-page-390');

      // "Try again" reloads, and the page that still cannot load says so again, without reloading by itself.
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Try again' }).click()]);
      await heading.waitFor();
      expect(loads()).toBe(2);

      await page.getByRole('link', { name: 'Back to the home page' }).click();
      await page.getByRole('heading', { level: 1, name: 'Teams' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('says Desk is unreachable, without reloading, while Desk is down; "Try again" opens the page once it is back', async () => {
    const dist = build(copyOfBuild());
    const desk = await serve(dist);
    const { context, page, loads } = await openTab(desk);
    try {
      await desk.stop();

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();

      await page.getByRole('heading', { level: 1, name: 'Desk is unreachable' }).waitFor();
      expect(loads()).toBe(0);
      await screenshot(page, 'redeploy-unreachable-1440');

      await serve(dist, new URL(desk.url).port);
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Try again' }).click()]);
      await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
      expect(loads()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it("reloads once to the new version when a dialog's code was renamed by a redeploy; the dialog then opens", async () => {
    const before = build(copyOfBuild());
    const after = build(nextRelease(before, TEAM_NAME_DIALOG));
    const old = await serve(before);
    const { context, page, loads } = await openTab(old);
    try {
      await old.stop();
      await serve(after, new URL(old.url).port);

      await Promise.all([
        page.waitForEvent('load'),
        page.getByRole('button', { name: 'Create a team' }).click(),
      ]);
      await page.getByRole('heading', { level: 1, name: 'Teams' }).waitFor();
      expect(loads()).toBe(1);

      await page.getByRole('button', { name: 'Create a team' }).click();
      await page.getByRole('dialog').getByRole('textbox', { name: 'Team name' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('shows its error page, in French, when a page fails to draw what the API answered', async () => {
    const desk = await serve(build(copyOfBuild()));
    const { context, page, loads } = await openTab(desk, 'fr-fr');
    try {
      // A team without a name is an answer the teams page cannot draw.
      await page.route('**/api/v1.0/teams/?*', (route) =>
        route.fulfill({ json: [{ id: crypto.randomUUID(), name: null }] }),
      );
      await page.reload();

      await page.getByRole('heading', { level: 1, name: "Quelque chose s'est mal passé" }).waitFor();
      await page.getByRole('button', { name: 'Réessayer' }).waitFor();
      await page.getByRole('link', { name: "Retour à l'accueil" }).waitFor();
      expect(await page.locator('body').textContent()).not.toMatch(DEVELOPER_SCREEN);
      expect(loads()).toBe(1);
      await expectAccessible(page);
      await screenshot(page, 'render-error-fr-1440');
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, 'render-error-fr-390');
    } finally {
      await context.close();
    }
  });
});
