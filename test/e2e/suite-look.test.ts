// The suite's app switcher (the gaufre) in Chromium, as an operator turns it on with FRONTEND_GAUFRE_URL: La
// Suite's script, served here by a stand-in of La Suite's integration server, runs under Desk's
// Content-Security-Policy and shows its services; when that server cannot be reached (offline), the page works as
// before and shows no dead button.
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../support/desk.ts';
import {
  CHROMIUM_MISSING,
  DEMO_USERS,
  type DemoUser,
  type DeskProcess,
  launchBrowser,
  loginAs,
  screenshot,
  startDeskProcess,
} from '../support/e2e.ts';

const [HELENE] = DEMO_USERS as [DemoUser];
const SLOW = { timeout: 120_000 };

/**
 * What La Suite's gaufre.js does, in short: marks the page loaded, and on a click of its button fetches the list of
 * services from its own origin and shows it, logos included.
 */
const GAUFRE_SCRIPT = `(() => {
  const origin = new URL(document.getElementById('lasuite-gaufre-script').src).origin;
  document.documentElement.classList.add('lasuite--gaufre-loaded');
  document.body.addEventListener('click', async (event) => {
    if (!event.target.classList || !event.target.classList.contains('js-lasuite-gaufre-btn')) return;
    const popup = document.createElement('div');
    popup.id = 'lasuite-gaufre-popup';
    const html = await (await fetch(origin + '/api/v1/gaufre')).text();
    popup.innerHTML = html.replaceAll('src="/', 'src="' + origin + '/');
    document.body.append(popup);
  });
})();`;
const SERVICES =
  '<ul><li><img src="/logos/docs.svg" alt=""><a href="https://docs.example/">Docs</a></li></ul>';
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>';

if (CHROMIUM_MISSING) console.warn(CHROMIUM_MISSING);

describe.skipIf(CHROMIUM_MISSING !== '')("La Suite's app switcher in a browser", () => {
  let integration: Server;
  let desk: DeskProcess;
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    integration = createServer((req, res) => {
      const path = req.url ?? '';
      const [type, body] = path.startsWith('/api/v1/gaufre.js')
        ? ['text/javascript', GAUFRE_SCRIPT]
        : path === '/api/v1/gaufre'
          ? ['text/html', SERVICES]
          : path === '/logos/docs.svg'
            ? ['image/svg+xml', LOGO]
            : ['text/plain', 'not found'];
      res.writeHead(type === 'text/plain' ? 404 : 200, {
        'content-type': type,
        'access-control-allow-origin': '*',
      });
      res.end(body);
    });
    await new Promise<void>((done) => integration.listen(port, '127.0.0.1', done));
    desk = await startDeskProcess({ FRONTEND_GAUFRE_URL: `http://127.0.0.1:${port}/api/v1/gaufre.js` });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
    integration?.closeAllConnections();
    await new Promise((done) => integration?.close(done));
  });

  /** A signed-in page that records every Content-Security-Policy violation. */
  async function signedInPage(): Promise<{ page: Page; violations: string[] }> {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await loginAs(page, desk.url, HELENE);
    return { page, violations };
  }

  test("shows the suite's services, loaded from the suite's origin under Desk's policy", SLOW, async () => {
    const { page, violations } = await signedInPage();
    try {
      const gaufre = page.getByRole('button', { name: 'La Suite numérique services' });
      await gaufre.click();
      await page.getByRole('link', { name: 'Docs' }).waitFor();
      await expect
        .poll(() =>
          page
            .locator('#lasuite-gaufre-popup img')
            .evaluate((img) => (img as { naturalWidth: number }).naturalWidth),
        )
        .toBeGreaterThan(0);
      await screenshot(page, 'gaufre-open');
      expect(violations).toEqual([]);
    } finally {
      await page.close();
    }
  });

  test(
    'leaves no dead button when the suite cannot be reached, and the app works as before',
    SLOW,
    async () => {
      integration.closeAllConnections();
      await new Promise((done) => integration.close(done));
      const { page } = await signedInPage();
      try {
        await page.getByRole('heading', { level: 1, name: 'Teams' }).waitFor();
        await page.waitForLoadState('networkidle');
        expect(await page.getByRole('button', { name: 'La Suite numérique services' }).count()).toBe(0);
        await page.getByRole('button', { name: /Account menu/ }).click();
        await page.getByRole('menuitem', { name: 'Profile' }).waitFor();
      } finally {
        await page.close();
      }
    },
  );
});
