// The profile page in Chromium, as an agent sees it: the organization they work for, in English and French, on a
// desktop and on a phone.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizationRegistrationIds, organizations } from '../../src/organizations/schema.ts';
import { useDesk } from '../support/desk.ts';
import {
  axeCheck,
  CHROMIUM_MISSING,
  describeViolations,
  launchBrowser,
  pageWithSession,
  screenshot,
} from '../support/e2e.ts';

const PHONE = { width: 390, height: 844 };

describe.skipIf(CHROMIUM_MISSING !== '')('the profile page', () => {
  const t = useDesk();
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  /** A new agent of a new organization, on their profile page. */
  async function agentOnProfile(
    values: { language?: string; timezone?: string } = {},
    viewport?: { width: number; height: number },
  ): Promise<{ page: Page; organization: string; siret: string; close(): Promise<void> }> {
    const organization = `Direction interministérielle du numérique ${crypto.randomUUID().slice(0, 4)}`;
    const siret = String(Math.floor(Math.random() * 1e14)).padStart(14, '0');
    const db = t.testDb.database.db;
    const [row] = await db.insert(organizations).values({ name: organization }).returning();
    await db.insert(organizationRegistrationIds).values({ registrationId: siret, organizationId: row!.id });
    const user = await t.createUser({ name: 'Camille Agent', organizationId: row!.id, ...values });
    const session = await t.desk.sessions.create(user.id);
    const { context, page } = await pageWithSession(
      browser,
      t.url,
      { cookie: t.desk.config.SESSION_COOKIE_NAME, id: session.id },
      viewport,
    );
    await page.goto(`${t.url}/profile`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    return { page, organization, siret, close: () => context.close() };
  }

  async function expectAccessible(page: Page): Promise<void> {
    await page.waitForLoadState('networkidle');
    const violations = await axeCheck(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  }

  /** The value a definition list gives for a term. */
  const fact = (page: Page, term: string) =>
    page.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');

  it('names the organization the agent works for, with its SIRET', async () => {
    const { page, organization, siret, close } = await agentOnProfile();
    try {
      await expect.poll(() => fact(page, 'Organization').textContent()).toBe(organization);
      expect(await fact(page, 'Registration ids \\(SIRET\\)').textContent()).toBe(siret);
      await expectAccessible(page);
      await screenshot(page, 'profile-en-1440');
    } finally {
      await close();
    }
  });

  it('still names the organization after the agent saved a change', async () => {
    const { page, organization, close } = await agentOnProfile();
    try {
      await page.getByLabel('Time zone').selectOption('Europe/Paris');
      await page.getByRole('status').getByText('Saved.').waitFor();
      expect(await fact(page, 'Organization').textContent()).toBe(organization);
    } finally {
      await close();
    }
  });

  it('names the organization in French, on a phone', async () => {
    const { page, organization, siret, close } = await agentOnProfile({ language: 'fr-fr' }, PHONE);
    try {
      await page.getByRole('heading', { level: 1, name: 'Profil' }).waitFor();
      expect(await fact(page, 'Organisation').textContent()).toBe(organization);
      expect(await fact(page, "Identifiants d'immatriculation \\(SIRET\\)").textContent()).toBe(siret);
      // WCAG 1.4.10 Reflow: the long names wrap, the page stays as wide as the phone.
      expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await expectAccessible(page);
      await screenshot(page, 'profile-fr-390');
    } finally {
      await close();
    }
  });
});
