// End-to-end harness: Desk as `npm start` runs it (a real process, embedded defaults, development provider) and
// Debian's Chromium driven by playwright-core. Tests find elements only by the roles and names of DESIGN.md §6.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AxeResults, RunOptions } from 'axe-core';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import type { DemoUser } from '../../src/dev-idp/demo-users.ts';
import { describeSettings } from '../../src/platform/config.ts';
import { freePort } from './desk.ts';

export { DEMO_USERS, type DemoUser } from '../../src/dev-idp/demo-users.ts';

/** Debian's Chromium: CI installs it with apt (.ci/run); no tool may download a browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_MISSING = existsSync(CHROMIUM)
  ? ''
  : `${CHROMIUM} is missing: browser tests skipped (apt-get install chromium, as .ci/run does)`;

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/desk.js');
export const SCREENSHOTS = join(ROOT, 'test-results/screenshots');

export interface DeskProcess {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node bin/desk.js start` as `npm start` does from a clean shell: every Desk setting inherited from the test
 * runner (CI's DATABASE_URL, REDIS_URL, vitest's NODE_ENV=test, …) is dropped, so the embedded default turns on the
 * development provider and the /__debug__ pages. `settings` adds to that on purpose, visibly at the call site.
 */
export async function startDeskProcess(
  settings: Record<string, string> = {},
  options: { superuser?: { email: string; password: string } } = {},
): Promise<DeskProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'desk-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const { name } of describeSettings()) delete env[name];
  Object.assign(env, {
    ...settings,
    PORT: String(port),
    DESK_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PUBLIC_URL: url,
  });
  // `desk createsuperuser` first, in the same data directory: PGlite's files open in one process at a time.
  if (options.superuser) {
    const { email, password } = options.superuser;
    const made = spawn(process.execPath, [BIN, 'createsuperuser', '--email', email, '--password', password], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let said = '';
    made.stdout?.on('data', (c: Buffer) => {
      said += c.toString();
    });
    made.stderr?.on('data', (c: Buffer) => {
      said += c.toString();
    });
    const code = await new Promise<number | null>((done) => made.once('exit', done));
    if (code !== 0) {
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(`desk createsuperuser exited with ${code}: ${said}`);
    }
  }
  const child: ChildProcess = spawn(process.execPath, [BIN, 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // A graceful shutdown waits for in-flight requests; a stuck one must not hang the test run.
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  // The first start migrates a fresh PGlite database, which takes a while on a slow CI machine.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`desk exited with ${child.exitCode}: ${output}`);
    }
    try {
      if ((await fetch(`${url}/__lbheartbeat__`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`desk did not answer /__lbheartbeat__ within 60 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, output: () => output, stop };
}

export function launchBrowser(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** Clicks "Log in" on Desk's signed-out page and picks the demo agent on the development provider's page. */
export async function loginThroughDevProvider(page: Page, url: string, agent: DemoUser): Promise<void> {
  await page.goto(`${url}/`);
  await page
    .getByRole('link', { name: 'Log in', exact: true })
    .or(page.getByRole('button', { name: 'Log in', exact: true }))
    .first()
    .click();
  // The provider's page lists one button per demo agent, named "Given Usual" followed by email and SIRET.
  await page.waitForURL((u) => u.pathname.includes('/dev-idp/interaction/'));
  await page.getByRole('button', { name: `${agent.given_name} ${agent.usual_name}` }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/dev-idp') && !u.pathname.startsWith('/api/'));
}

/** Logs in as a demo agent and waits for the web app's header (navigation "Main"). */
export async function loginAs(page: Page, url: string, agent: DemoUser): Promise<void> {
  await loginThroughDevProvider(page, url, agent);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: Promise<string> | undefined;
// WCAG 2.1 A/AA and Deque's best practices (landmarks, one main, headings, …): issue 20 asks for both.
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** Runs axe-core on the page as it is now; returns the serious and critical violations (WCAG 2.1 A/AA, best practices). */
export async function axeCheck(page: Page): Promise<AxeViolation[]> {
  // Not page.addScriptTag: Desk's Content-Security-Policy (script-src 'self') rightly blocks an inline script, and
  // loosening it (bypassCSP) would hide the app's own CSP mistakes. Evaluating through the DevTools protocol is not
  // subject to the page's CSP.
  axeSource ??= readFile(AXE_SOURCE, 'utf8');
  await page.evaluate(await axeSource);
  const options: RunOptions = { runOnly: { type: 'tag', values: AXE_TAGS } };
  // Runs in the page: the project's TypeScript has no DOM library, so the page's globals are typed here by hand.
  const violations = await page.evaluate(async (runOptions) => {
    const g = globalThis as unknown as {
      document: unknown;
      axe: { run(context: unknown, options: RunOptions): Promise<AxeResults> };
    };
    const results = await g.axe.run(g.document, runOptions);
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  }, options);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One line per violation, for assertion messages. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id} (${v.help}): ${v.targets.join(' ')}`).join('\n');
}

/** Whether this element has the keyboard focus now. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === el.ownerDocument.activeElement);
}

/**
 * A page of its own browser context, signed in to the Desk at `url` with a session made in its session store (as
 * TestDesk.browserFor makes one): no trip through a provider, for tests of a page rather than of the sign-in.
 */
export async function pageWithSession(
  browser: Browser,
  url: string,
  session: { cookie: string; id: string },
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options });
  await context.addCookies([{ name: session.cookie, value: session.id, url }]);
  const page = await context.newPage();
  // Bounds how long a missing element stalls a test.
  page.setDefaultTimeout(20_000);
  return { context, page };
}
