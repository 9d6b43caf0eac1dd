// Team webhooks in Chromium (DESIGN.md §12): who administers a team adds a webhook with the keyboard, sees it pending,
// delivered once a change reached a real receiver, failing with the receiver's answer, and removes it once confirmed;
// a refused URL is said under its field; members never see the section; staff see it in the back office. English,
// French once; axe finds nothing serious; a phone fits.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { teamAccesses } from '../../src/teams/index.ts';
import type { User } from '../../src/users/index.ts';
import type { Team, Webhook } from '../../web/src/api/types.ts';
import type { Browser as ApiBrowser } from '../support/browser.ts';
import { useDesk } from '../support/desk.ts';
import {
  axeCheck,
  CHROMIUM_MISSING,
  describeViolations,
  isFocused,
  launchBrowser,
  pageWithSession,
  screenshot,
} from '../support/e2e.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const PHONE = { width: 390, height: 844 };
const SLOW = { timeout: 120_000 };

if (CHROMIUM_MISSING) console.warn(CHROMIUM_MISSING);

describe.skipIf(CHROMIUM_MISSING !== '')('team webhooks, in a browser', () => {
  const t = useDesk();
  let browser: Browser;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    browser = await launchBrowser();
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answers.length = 0;
  });

  /** A team its owner runs (in `language`), in an organization of its own. */
  async function ownedTeam(language = 'en-us') {
    const organizationId = await t.createOrganization();
    const owner = await t.createUser({ name: 'Odile Owner', organizationId, language });
    const api = await t.browserFor(owner);
    const res = await api.post('/api/v1.0/teams/', {
      name: `Direction du numérique ${crypto.randomUUID().slice(0, 6)}`,
    });
    expect(res.status, res.text).toBe(201);
    return { organizationId, owner, api, team: res.json as Team };
  }

  async function addWebhook(api: ApiBrowser, team: Team, body: Record<string, unknown> = {}) {
    const res = await api.post(`/api/v1.0/teams/${team.id}/webhooks/`, { url: receiver.url, ...body });
    expect(res.status, res.text).toBe(201);
    return res.json as Webhook;
  }

  /** A colleague added to the team through the API, and the deliveries that change made, run. */
  async function addColleague(api: ApiBrowser, team: Team, organizationId: string) {
    const colleague = await t.createUser({ name: 'Colin Colleague', organizationId });
    const res = await api.post(`/api/v1.0/teams/${team.id}/accesses/`, {
      user: colleague.id,
      role: 'member',
    });
    expect(res.status, res.text).toBe(201);
    for (let i = 0; i < 20 && (await t.desk.jobs.runOnce()) > 0; i++);
    return colleague;
  }

  /** A tab signed in as `user`, on `path`. */
  async function open(user: User, path: string): Promise<{ page: Page; close(): Promise<void> }> {
    const session = await t.desk.sessions.create(user.id);
    const { context, page } = await pageWithSession(browser, t.url, {
      cookie: t.desk.config.SESSION_COOKIE_NAME,
      id: session.id,
    });
    await page.goto(`${t.url}${path}`);
    return { page, close: () => context.close() };
  }

  const table = (page: Page, name = 'Webhooks') => page.getByRole('table', { name });
  const rowOf = (page: Page, url: string, name?: string) =>
    table(page, name)
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: url, exact: true }) });
  const toast = (page: Page, text: string) =>
    page.getByRole('status').locator('.toast').filter({ hasText: text });

  async function expectAxeClean(page: Page) {
    await page.waitForLoadState('networkidle');
    const violations = await axeCheck(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  }

  async function expectFitsAPhone(page: Page, name: string) {
    await page.setViewportSize(PHONE);
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, name);
  }

  it(
    'an owner adds a SCIM webhook with the keyboard, sees it pending, then delivered once a member is added',
    SLOW,
    async () => {
      const { organizationId, owner, api, team } = await ownedTeam();
      const { page, close } = await open(owner, `/teams/${team.id}`);
      try {
        await page.getByRole('heading', { level: 2, name: 'Webhooks' }).waitFor();
        await page.getByText('No webhook yet.').waitFor();
        await page.getByRole('button', { name: 'Add a webhook' }).press('Enter');
        const dialog = page.getByRole('dialog', { name: 'Add a webhook' });
        const url = dialog.getByRole('textbox', { name: 'URL' });
        await url.waitFor();
        expect(await isFocused(url)).toBe(true);
        await page.keyboard.type(receiver.url);
        await page.keyboard.press('Tab');
        const protocol = dialog.getByRole('radiogroup', { name: 'Protocol' });
        expect(await isFocused(protocol.getByRole('radio', { name: 'SCIM' }))).toBe(true);
        expect(await protocol.getByRole('radio', { name: 'SCIM' }).isChecked()).toBe(true);
        expect(await protocol.locator('label').allTextContents()).toEqual(['SCIM', 'Matrix']);
        await page.keyboard.press('Tab');
        const secret = dialog.getByLabel('Secret');
        expect(await isFocused(secret)).toBe(true);
        expect(await secret.getAttribute('type')).toBe('password');
        await page.keyboard.type('s3cr3t-bearer');
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
        expect(await isFocused(dialog.getByRole('button', { name: 'Add', exact: true }))).toBe(true);
        await expectAxeClean(page);
        await screenshot(page, 'team-webhooks-add-en');
        await page.keyboard.press('Enter');
        await toast(
          page,
          `Webhook added: changes of the members of “${team.name}” will be sent to ${receiver.url}.`,
        ).waitFor();
        await dialog.waitFor({ state: 'detached' });

        const row = rowOf(page, receiver.url);
        await row.waitFor();
        expect(await row.getByRole('cell').allTextContents()).toEqual([
          'SCIM · with a secret',
          'Pending',
          'Never',
          'Remove webhook',
        ]);
        await expectAxeClean(page);
        await screenshot(page, 'team-webhooks-pending-en');

        await addColleague(api, team, organizationId);
        const [request] = await receiver.waitFor(1);
        expect(request?.headers.authorization).toBe('Bearer s3cr3t-bearer');
        await page.reload();
        await row.getByText('Delivered').waitFor();
        const delivered = await row.getByRole('cell').nth(2).textContent();
        // When it was delivered, in the agent's words (en-GB, "12 Mar 2025, 14:03").
        expect(delivered).toMatch(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2}$/);
        await screenshot(page, 'team-webhooks-delivered-en');
        await expectFitsAPhone(page, 'team-webhooks-delivered-en-390');
      } finally {
        await close();
      }
    },
  );

  it('a failing webhook shows the error it met, and is removed once confirmed', SLOW, async () => {
    const { organizationId, owner, api, team } = await ownedTeam();
    const made = await addWebhook(api, team);
    // Desk's job runner retries on its own, after 1 to 2 s, then 2 to 4 s…: the receiver stays down meanwhile.
    receiver.answers.push(...Array<number>(10).fill(500));
    await addColleague(api, team, organizationId);
    await receiver.waitFor(1);
    const failing = (await api.get(`/api/v1.0/teams/${team.id}/webhooks/${made.id}/`)).json as Webhook;
    expect(failing.status).toBe('failure');
    expect(failing.last_error).toContain('500');

    const { page, close } = await open(owner, `/teams/${team.id}`);
    try {
      const row = rowOf(page, receiver.url);
      await row.waitFor();
      const status = row.getByRole('cell').nth(1);
      expect(await status.locator('.badge').textContent()).toBe('Failing');
      // Said in the page, not only in a tooltip.
      expect(await status.getByText(failing.last_error ?? '', { exact: true }).isVisible()).toBe(true);
      await expectAxeClean(page);
      await screenshot(page, 'team-webhooks-failing-en');
      await expectFitsAPhone(page, 'team-webhooks-failing-en-390');

      await row.getByRole('button', { name: `Remove webhook ${receiver.url}`, exact: true }).click();
      const confirm = page.getByRole('alertdialog', {
        name: `Remove the webhook ${receiver.url}?`,
        exact: true,
      });
      await confirm.getByText(`Changes of the members of “${team.name}” are no longer sent there`).waitFor();
      await screenshot(page, 'team-webhooks-remove-390');
      await confirm.getByRole('button', { name: 'Remove', exact: true }).press('Enter');
      await toast(page, `Webhook ${receiver.url} removed.`).waitFor();
      await confirm.waitFor({ state: 'detached' });
      await page.getByText('No webhook yet.').waitFor();
      expect((await api.get(`/api/v1.0/teams/${team.id}/webhooks/`)).json).toEqual([]);
    } finally {
      await close();
    }
  });

  it('says under the URL field why a webhook was refused, and adds it once corrected', SLOW, async () => {
    const { owner, team } = await ownedTeam();
    const { page, close } = await open(owner, `/teams/${team.id}`);
    try {
      await page.getByRole('button', { name: 'Add a webhook' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a webhook' });
      const url = dialog.getByRole('textbox', { name: 'URL' });
      await url.fill('ftp://x');
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog.getByText('Only http and https URLs are allowed.').waitFor();
      expect(await url.getAttribute('aria-invalid')).toBe('true');
      expect(await url.getAttribute('aria-describedby')).toBeTruthy();
      // Where the keyboard is: on the field to correct.
      expect(await isFocused(url)).toBe(true);
      await expectFitsAPhone(page, 'team-webhooks-url-error-390');
      await expectAxeClean(page);

      await url.fill(receiver.url);
      // A click on the radio's label, as a pointer does (the input itself is visually hidden).
      await dialog.locator('label', { hasText: 'Matrix' }).click();
      expect(await dialog.getByRole('radio', { name: 'Matrix' }).isChecked()).toBe(true);
      await dialog.getByText('The link of the room, ending with /#/room/!<room id>:<server>.').waitFor();
      await dialog.locator('label', { hasText: 'SCIM' }).click();
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await rowOf(page, receiver.url).getByRole('cell').first().textContent()).toBe('SCIM');
    } finally {
      await close();
    }
  });

  it('is not shown to a member of the team; an administrator sees it', SLOW, async () => {
    const { organizationId, api, team } = await ownedTeam();
    await addWebhook(api, team);
    const member = await t.createUser({ name: 'Mia Member', organizationId });
    const administrator = await t.createUser({ name: 'Ada Administrator', organizationId });
    await t.testDb.database.db.insert(teamAccesses).values([
      { teamId: team.id, userId: member.id, role: 'member' },
      { teamId: team.id, userId: administrator.id, role: 'administrator' },
    ]);

    const asMember = await open(member, `/teams/${team.id}`);
    try {
      await asMember.page.getByRole('table', { name: 'Members' }).getByRole('row').nth(3).waitFor();
      await asMember.page.getByRole('heading', { name: 'Pending invitations' }).waitFor();
      expect(await asMember.page.getByRole('heading', { name: 'Webhooks' }).count()).toBe(0);
      expect(await asMember.page.getByRole('button', { name: 'Add a webhook' }).count()).toBe(0);
      expect(await table(asMember.page).count()).toBe(0);
    } finally {
      await asMember.close();
    }

    const asAdministrator = await open(administrator, `/teams/${team.id}`);
    try {
      await rowOf(asAdministrator.page, receiver.url).waitFor();
      await asAdministrator.page.getByRole('button', { name: 'Add a webhook' }).waitFor();
    } finally {
      await asAdministrator.close();
    }
  });

  it("staff see a team's webhooks in the back office, add one and remove one", SLOW, async () => {
    const { api, team } = await ownedTeam();
    await addWebhook(api, team, { secret: 'kept-secret' });
    const staff = await t.createUser({ name: 'Sam Staff', isStaff: true });
    const { page, close } = await open(staff, `/admin/teams/${team.id}`);
    try {
      await page.getByRole('heading', { level: 1, name: team.name }).waitFor();
      const row = rowOf(page, receiver.url);
      await row.waitFor();
      expect(await row.getByRole('cell').allTextContents()).toEqual([
        'SCIM · with a secret',
        'Pending',
        'Never',
        'Remove webhook',
      ]);
      await expectAxeClean(page);
      await screenshot(page, 'team-webhooks-admin-en');

      const other = `${receiver.url}/staff`;
      await page.getByRole('button', { name: 'Add a webhook' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a webhook' });
      await dialog.getByRole('textbox', { name: 'URL' }).fill(other);
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await rowOf(page, other).waitFor();

      await row.getByRole('button', { name: `Remove webhook ${receiver.url}`, exact: true }).click();
      await page
        .getByRole('alertdialog', { name: `Remove the webhook ${receiver.url}?`, exact: true })
        .getByRole('button', { name: 'Remove', exact: true })
        .click();
      await toast(page, `Webhook ${receiver.url} removed.`).waitFor();
      await row.waitFor({ state: 'detached' });
      const left = (await api.get(`/api/v1.0/teams/${team.id}/webhooks/`)).json as Webhook[];
      expect(left.map((w) => w.url)).toEqual([other]);
      await expectFitsAPhone(page, 'team-webhooks-admin-en-390');
    } finally {
      await close();
    }
  });

  it('speaks French', SLOW, async () => {
    const { owner, team } = await ownedTeam('fr-fr');
    const { page, close } = await open(owner, `/teams/${team.id}`);
    try {
      await page.getByRole('heading', { level: 2, name: 'Webhooks' }).waitFor();
      await page.getByText("Aucun webhook pour l'instant.").waitFor();
      await page.getByRole('button', { name: 'Ajouter un webhook' }).click();
      const dialog = page.getByRole('dialog', { name: 'Ajouter un webhook' });
      await dialog.getByRole('textbox', { name: 'URL' }).fill(receiver.url);
      const protocol = dialog.getByRole('radiogroup', { name: 'Protocole' });
      expect(await protocol.locator('label').allTextContents()).toEqual(['SCIM', 'Matrix']);
      await dialog.getByLabel('Secret').fill('jeton-secret');
      await dialog.getByText('Facultatif. Envoyé avec chaque livraison comme jeton porteur').waitFor();
      await screenshot(page, 'team-webhooks-add-fr');
      await dialog.getByRole('button', { name: 'Ajouter', exact: true }).click();
      await toast(
        page,
        `Webhook ajouté : les changements parmi les membres de « ${team.name} » seront envoyés`,
      ).waitFor();
      const row = rowOf(page, receiver.url, 'Webhooks');
      await row.waitFor();
      expect(await row.getByRole('cell').allTextContents()).toEqual([
        'SCIM · avec un secret',
        'En attente',
        'Jamais',
        'Retirer le webhook',
      ]);
      await row.getByRole('button', { name: `Retirer le webhook ${receiver.url}`, exact: true }).waitFor();
      await expectAxeClean(page);
      await screenshot(page, 'team-webhooks-fr');
    } finally {
      await close();
    }
  });
});
