// The staff back office in Chromium (DESIGN.md §6, §8): an agent sees none of it; a staff member logs in with a
// password at /admin/login, disables that agent, and finds it in the audit log. One story, run in order.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, expectTypeOf, test } from 'vitest';
import type { z } from 'zod';
import type {
  adminInvitationSchema,
  adminTeamSchema,
  adminUserDetail,
  adminUserSchema,
  jobSchema,
  serviceProviderSchema,
} from '../../src/admin/routes.ts';
import type * as web from '../../web/src/api/types.ts';
import {
  axeCheck,
  CHROMIUM_MISSING,
  DEMO_USERS,
  type DemoUser,
  type DeskProcess,
  describeViolations,
  launchBrowser,
  loginAs,
  screenshot,
  startDeskProcess,
} from '../support/e2e.ts';

// The web app writes the admin shapes out (web/src/api/types.ts says why): they must stay the API's.
expectTypeOf<web.AdminUser>().toEqualTypeOf<z.infer<typeof adminUserSchema>>();
expectTypeOf<web.AdminUserDetail>().toEqualTypeOf<z.infer<typeof adminUserDetail>>();
expectTypeOf<web.AdminTeam>().toEqualTypeOf<z.infer<typeof adminTeamSchema>>();
expectTypeOf<web.AdminInvitation>().toEqualTypeOf<z.infer<typeof adminInvitationSchema>>();
expectTypeOf<web.ServiceProvider>().toEqualTypeOf<z.infer<typeof serviceProviderSchema>>();
expectTypeOf<web.Job>().toEqualTypeOf<z.infer<typeof jobSchema>>();

const [HELENE] = DEMO_USERS as [DemoUser];
const HELENE_NAME = `${HELENE.given_name} ${HELENE.usual_name}`;
const STAFF = { email: 'staff.e2e@example.gouv.fr', password: 'a long staff passphrase for e2e' };
const SLOW = { timeout: 120_000 };

if (CHROMIUM_MISSING) console.warn(CHROMIUM_MISSING);

describe.skipIf(CHROMIUM_MISSING !== '')('the staff back office in a browser', () => {
  let desk: DeskProcess;
  let browser: Browser;
  let agent: BrowserContext;
  let staff: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    desk = await startDeskProcess(
      { BURST_THROTTLE_RATES: 'off', SUSTAINED_THROTTLE_RATES: 'off' },
      { superuser: STAFF },
    );
    browser = await launchBrowser();
    agent = await browser.newContext();
    staff = await browser.newContext();
    page = await agent.newPage();
    page.setDefaultTimeout(20_000);
  }, 120_000);

  let failed = '';
  beforeEach((context) => {
    if (failed) context.skip(`an earlier step failed: ${failed}`);
  });
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || failed) return;
    failed = context.task.name;
    await screenshot(page, 'back-office-failure').catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  const h1 = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const mainNav = () => page.getByRole('navigation', { name: 'Main' });
  const modal = () => page.getByRole('dialog').or(page.getByRole('alertdialog'));

  async function expectNoAxeViolation(where: string): Promise<void> {
    await page.waitForLoadState('networkidle');
    const violations = await axeCheck(page);
    expect(violations, `${where}:\n${describeViolations(violations)}`).toEqual([]);
  }

  test('an agent sees no "Administration" link, and the staff API answers them 404', SLOW, async () => {
    await loginAs(page, desk.url, HELENE);
    await expect(mainNav().getByRole('link', { name: 'Teams' }).count()).resolves.toBe(1);
    await expect(mainNav().getByRole('link', { name: 'Administration' }).count()).resolves.toBe(0);
    const answer = await page.request.get(`${desk.url}/api/v1.0/admin/users/`);
    expect(answer.status()).toBe(404);
    await page.goto(`${desk.url}/admin/users`);
    await h1('Page not found').waitFor();
  });

  test(
    'a staff member logs in at /admin/login with the password (a wrong one is refused)',
    SLOW,
    async () => {
      page = await staff.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${desk.url}/admin/login`);
      await h1('Staff login').waitFor();
      await expectNoAxeViolation('/admin/login');
      await page.getByRole('textbox', { name: 'Email' }).fill(STAFF.email);
      await page.getByLabel('Password').fill('not the passphrase');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Invalid email or password.' }).waitFor();
      await page.getByLabel('Password').fill(STAFF.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL((u) => u.pathname === '/admin/users');
      await h1('Users').waitFor();
      await mainNav().getByRole('link', { name: 'Administration' }).waitFor();
    },
  );

  test('finds the agent by name in Users and disables them, confirmed', SLOW, async () => {
    await page.getByRole('searchbox', { name: 'Search by name, email or sub' }).fill(HELENE.usual_name);
    const users = page.getByRole('table', { name: 'Users' });
    const row = users.getByRole('row').filter({ hasText: HELENE_NAME });
    await row.waitFor();
    // The search applies once typing pauses: the staff account's row leaves, Hélène's stays.
    await users.getByRole('row').filter({ hasText: STAFF.email }).waitFor({ state: 'detached' });
    await expect(users.getByRole('row').count()).resolves.toBe(2);
    await row.getByRole('button', { name: 'Disable' }).click();
    const dialog = modal();
    await dialog.getByRole('heading', { name: `Disable ${HELENE_NAME}?` }).waitFor();
    await dialog.getByRole('button', { name: 'Disable' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${HELENE_NAME} is disabled.` })
      .waitFor();
    await expect(dialog.count()).resolves.toBe(0);
    await row.getByText('Disabled', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Enable' }).waitFor();
    await expectNoAxeViolation('/admin/users');
    await screenshot(page, 'admin-users-en');
  });

  test("shows the agent's detail: teams, last login, creation", SLOW, async () => {
    await page.getByRole('link', { name: HELENE_NAME }).click();
    await h1(HELENE_NAME).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Teams and roles' }).waitFor();
    await page.getByText('Last login').waitFor();
    await expectNoAxeViolation('/admin/users/{id}');
  });

  test('every section of the back office passes axe', SLOW, async () => {
    const sections = page.getByRole('navigation', { name: 'Administration sections' });
    for (const [link, heading] of [
      ['Teams', 'Teams'],
      ['Invitations', 'Invitations'],
      ['Service providers', 'Service providers'],
      ['Jobs', 'Jobs'],
      ['Organizations', 'Organizations'],
    ] as const) {
      await sections.getByRole('link', { name: link, exact: true }).click();
      await h1(heading).waitFor();
      await expectNoAxeViolation(`/admin: ${link}`);
    }
    await page.getByRole('button', { name: 'Create an organization' }).click();
    await modal().getByRole('textbox', { name: 'Name' }).waitFor();
    await expectNoAxeViolation('/admin/organizations: create dialog');
    await page.keyboard.press('Escape');
    await expect(modal().count()).resolves.toBe(0);
  });

  test(
    'the audit log shows the user.disabled event, and offers its export with the same filters',
    SLOW,
    async () => {
      // The audit API is written beside this page: wait for it rather than fail if this Desk lacks it.
      const audit = await page.request.get(`${desk.url}/api/v1.0/admin/audit-events/`);
      expect(audit.status(), 'GET /api/v1.0/admin/audit-events/ is not there yet').toBe(200);
      await page
        .getByRole('navigation', { name: 'Administration sections' })
        .getByRole('link', { name: 'Audit log' })
        .click();
      await h1('Audit log').waitFor();
      await page.getByRole('searchbox', { name: 'Event' }).fill('user.disabled');
      const events = page.getByRole('table', { name: 'Audit events' });
      const row = events.getByRole('row').filter({ hasText: 'user.disabled' });
      await row.first().waitFor();
      // The target is named by the agent's name or email, as the audit log labels users.
      expect((await row.first().textContent()) ?? '').toMatch(new RegExp(`${HELENE_NAME}|${HELENE.email}`));
      const exportLink = page.getByRole('link', { name: 'Export (JSON lines)' });
      // The filters apply once typing pauses, to the list and the export alike.
      await expect
        .poll(() => exportLink.getAttribute('href'), { timeout: 5_000 })
        .toContain('event=user.disabled');
      const href = await exportLink.getAttribute('href');
      const exported = new URL(href ?? '', desk.url);
      expect(exported.pathname).toBe('/api/v1.0/admin/audit-events/');
      expect(exported.searchParams.get('format')).toBe('jsonl');
      expect(exported.searchParams.get('event')).toBe('user.disabled');
      await expectNoAxeViolation('/admin/audit');
      await screenshot(page, 'admin-audit-en');
    },
  );

  test('in French', SLOW, async () => {
    await page
      .getByRole('combobox', { name: /Language|Langue/ })
      .first()
      .selectOption({ label: 'Français' });
    await page.getByRole('navigation', { name: 'Principale' }).waitFor();
    await page
      .getByRole('navigation', { name: "Rubriques de l'administration" })
      .getByRole('link', { name: 'Utilisateurs' })
      .click();
    await h1('Utilisateurs').waitFor();
    await page.getByRole('table', { name: 'Utilisateurs' }).getByRole('row').nth(1).waitFor();
    await expectNoAxeViolation('/admin/users (fr)');
    await screenshot(page, 'admin-users-fr');
  });
});
