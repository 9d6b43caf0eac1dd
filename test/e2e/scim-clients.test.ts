// SCIM clients in the back office, in Chromium (DESIGN.md §6, §8, §9): a staff member opens an organization, creates
// a client and sees its token once, then revokes it. One story, run in order.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, expectTypeOf, test } from 'vitest';
import type { z } from 'zod';
import type {
  createdScimClientSchema,
  scimClientDetailSchema,
  scimClientSchema,
} from '../../src/scim/admin-routes.ts';
import type * as web from '../../web/src/api/types.ts';
import {
  axeCheck,
  CHROMIUM_MISSING,
  type DeskProcess,
  describeViolations,
  launchBrowser,
  screenshot,
  startDeskProcess,
} from '../support/e2e.ts';

expectTypeOf<web.ScimClient>().toEqualTypeOf<z.infer<typeof scimClientSchema>>();
expectTypeOf<web.ScimClientDetail>().toEqualTypeOf<z.infer<typeof scimClientDetailSchema>>();
expectTypeOf<web.CreatedScimClient>().toEqualTypeOf<z.infer<typeof createdScimClientSchema>>();

const STAFF = { email: 'staff.scim@example.gouv.fr', password: 'a long staff passphrase for scim' };
const ORGANIZATION = 'Direction des essais SCIM';
const CLIENT = 'Entra ID production';
const SLOW = { timeout: 120_000 };

if (CHROMIUM_MISSING) console.warn(CHROMIUM_MISSING);

describe.skipIf(CHROMIUM_MISSING !== '')('SCIM clients in the back office', () => {
  let desk: DeskProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let organizationId = '';
  let token = '';

  beforeAll(async () => {
    desk = await startDeskProcess(
      { BURST_THROTTLE_RATES: 'off', SUSTAINED_THROTTLE_RATES: 'off' },
      { superuser: STAFF },
    );
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: desk.url });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  }, 120_000);

  let failed = '';
  beforeEach((c) => {
    if (failed) c.skip(`an earlier step failed: ${failed}`);
  });
  afterEach(async (c) => {
    if (c.task.result?.state !== 'fail' || failed) return;
    failed = c.task.name;
    await screenshot(page, 'scim-clients-failure').catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  const h1 = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const clients = () => page.getByRole('table', { name: 'SCIM clients' });

  async function expectNoAxeViolation(where: string): Promise<void> {
    await page.waitForLoadState('networkidle');
    const violations = await axeCheck(page);
    expect(violations, `${where}:\n${describeViolations(violations)}`).toEqual([]);
  }

  test('a staff member opens an organization from the list and finds no SCIM client yet', SLOW, async () => {
    await page.goto(`${desk.url}/admin/login`);
    await page.getByRole('textbox', { name: 'Email' }).fill(STAFF.email);
    await page.getByLabel('Password').fill(STAFF.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === '/admin/users');
    const csrf = (await context.cookies(desk.url)).find((c) => c.name === 'csrftoken')?.value ?? '';
    const made = await page.request.post(`${desk.url}/api/v1.0/admin/organizations/`, {
      data: { name: ORGANIZATION },
      headers: { 'X-CSRFToken': csrf },
    });
    expect(made.status()).toBe(201);
    organizationId = ((await made.json()) as { id: string }).id;

    await page.goto(`${desk.url}/admin/organizations`);
    await page.getByRole('link', { name: ORGANIZATION }).click();
    await page.waitForURL((u) => u.pathname === `/admin/organizations/${organizationId}`);
    await h1(ORGANIZATION).waitFor();
    await page.getByRole('heading', { level: 2, name: 'SCIM clients' }).waitFor();
    await page.getByText('This organization has no SCIM client.').waitFor();
    await expectNoAxeViolation('/admin/organizations/{id}, no client');
  });

  test('"New SCIM client" asks a name, then shows the token once with a copy button', SLOW, async () => {
    await page.getByRole('button', { name: 'New SCIM client' }).click();
    const create = page.getByRole('dialog', { name: 'New SCIM client' });
    await create.getByRole('textbox', { name: 'Name' }).fill(CLIENT);
    await create.getByRole('button', { name: 'Create' }).click();

    const shown = page.getByRole('dialog', { name: `Token of ${CLIENT}` });
    await shown.waitFor();
    await shown.getByText('it will not be shown again').waitFor();
    token = await shown.getByRole('textbox', { name: 'Bearer token' }).inputValue();
    expect(token).toMatch(/^desk_scim_[A-Za-z0-9_-]{43}$/);
    await expectNoAxeViolation('the token dialog');
    await screenshot(page, 'scim-client-token');

    // Escape does not close it: the token would be lost.
    await page.keyboard.press('Escape');
    await expect(shown.isVisible()).resolves.toBe(true);
    await shown.getByRole('button', { name: 'Copy the token' }).click();
    await shown.getByRole('status').filter({ hasText: 'Token copied.' }).waitFor();
    await expect(page.evaluate<string>('navigator.clipboard.readText()')).resolves.toBe(token);
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await shown.waitFor({ state: 'detached' });

    const row = clients().getByRole('row', { name: new RegExp(CLIENT) });
    await expect(row.getByRole('cell').allTextContents()).resolves.toEqual([
      expect.any(String),
      'Never',
      'Active',
      '0',
      '0',
      'Show what it managesRevoke',
    ]);
  });

  test('the token is nowhere once the dialog is closed, not even after a reload', SLOW, async () => {
    await page.reload();
    await clients().waitFor();
    await expect(page.content()).resolves.not.toContain(token);
    await page.getByRole('button', { name: 'Show what it manages' }).click();
    await page.getByText('It manages no user.').waitFor();
    await page.getByText('It manages no group.').waitFor();
    await expect(page.content()).resolves.not.toContain(token);
    await expectNoAxeViolation('a client expanded');
  });

  test('"Revoke" asks for confirmation, then the client shows as revoked', SLOW, async () => {
    await clients().getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('alertdialog', { name: `Revoke ${CLIENT}?` });
    await confirm.getByText('Its token stops working at once.').waitFor();
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${CLIENT} is revoked.` })
      .waitFor();
    const row = clients().getByRole('row', { name: new RegExp(CLIENT) });
    await row.getByText('Revoked', { exact: true }).waitFor();
    await expect(row.getByRole('button', { name: 'Revoke' }).count()).resolves.toBe(0);
    await screenshot(page, 'scim-client-revoked');
    const listed = await page.request.get(
      `${desk.url}/api/v1.0/admin/organizations/${organizationId}/scim-clients/`,
    );
    const [client] = (await listed.json()) as web.ScimClient[];
    expect(client?.revoked_at).toEqual(expect.any(String));
  });
});
