// The profile page in Chromium, as an agent sees it: the organization they work for, and the time zone, found by
// typing and offered from the browser to an agent who never chose one; in English and French, desktop and phone.

import { eq } from 'drizzle-orm';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizationRegistrationIds, organizations } from '../../src/organizations/schema.ts';
import { users } from '../../src/users/index.ts';
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

  /** A new agent of a new organization, on their profile page (the browser in Paris unless told). */
  async function agentOnProfile(
    values: { language?: string; timezone?: string } = {},
    options: BrowserContextOptions = {},
    { named = true }: { named?: boolean } = {},
  ): Promise<{ page: Page; organization: string; siret: string; userId: string; close(): Promise<void> }> {
    const siret = String(Math.floor(Math.random() * 1e14)).padStart(14, '0');
    // Not named: made at sign-in from the SIRET, as people names it until the company registry or staff do.
    const organization = named
      ? `Direction interministérielle du numérique ${crypto.randomUUID().slice(0, 4)}`
      : siret;
    const db = t.testDb.database.db;
    const [row] = await db.insert(organizations).values({ name: organization }).returning();
    await db.insert(organizationRegistrationIds).values({ registrationId: siret, organizationId: row!.id });
    const user = await t.createUser({ name: 'Camille Agent', organizationId: row!.id, ...values });
    const session = await t.desk.sessions.create(user.id);
    const { context, page } = await pageWithSession(
      browser,
      t.url,
      { cookie: t.desk.config.SESSION_COOKIE_NAME, id: session.id },
      { timezoneId: 'Europe/Paris', ...options },
    );
    await page.goto(`${t.url}/profile`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    return { page, organization, siret, userId: user.id, close: () => context.close() };
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

  it('shows an organization still named by its SIRET as "Organization" and the SIRET in groups', async () => {
    const { page, siret, close } = await agentOnProfile({}, {}, { named: false });
    try {
      const grouped = [siret.slice(0, 3), siret.slice(3, 6), siret.slice(6, 9), siret.slice(9)].join(
        '\u00a0',
      );
      await expect.poll(() => fact(page, 'Organization').textContent()).toBe(`Organization ${grouped}`);
      expect(await fact(page, 'Registration ids \\(SIRET\\)').textContent()).toBe(siret);
    } finally {
      await close();
    }
  });

  it('still names the organization after the agent saved a change', async () => {
    const { page, organization, close } = await agentOnProfile({ timezone: 'America/Cayenne' });
    try {
      await page.getByRole('combobox', { name: 'Time zone' }).fill('Paris');
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText('Saved.').waitFor();
      expect(await fact(page, 'Organization').textContent()).toBe(organization);
    } finally {
      await close();
    }
  });

  it('names the organization in French, on a phone', async () => {
    const { page, organization, siret, close } = await agentOnProfile(
      { language: 'fr-fr' },
      { viewport: PHONE },
    );
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

  const zoneBox = (page: Page, name = 'Time zone') => page.getByRole('combobox', { name });
  const savedZone = async (userId: string) => {
    const [row] = await t.testDb.database.db
      .select({ timezone: users.timezone })
      .from(users)
      .where(eq(users.id, userId));
    return row?.timezone;
  };

  it('finds a time zone by its city and saves the one picked', async () => {
    const { page, userId, close } = await agentOnProfile({ timezone: 'America/Cayenne' });
    try {
      const box = zoneBox(page);
      expect(await box.inputValue()).toBe('(UTC-03:00) Cayenne — America/Cayenne');
      await box.fill('Paris');
      const listbox = page.getByRole('listbox', { name: 'Time zone' });
      await expect
        .poll(() => listbox.getByRole('option').allTextContents())
        .toEqual([expect.stringMatching(/^\(UTC\+0[12]:00\) Paris — Europe\/Paris$/)]);
      expect(await box.getAttribute('aria-expanded')).toBe('true');
      await screenshot(page, 'profile-timezone-search-1440');
      await listbox.getByRole('option', { name: /Europe\/Paris/ }).click();

      await page.getByRole('status').getByText('Saved.').waitFor();
      await expect.poll(() => savedZone(userId)).toBe('Europe/Paris');
      expect(await box.inputValue()).toMatch(/Paris — Europe\/Paris$/);
      expect(await box.getAttribute('aria-expanded')).toBe('false');
    } finally {
      await close();
    }
  });

  it('is used with the keyboard alone: arrows move through the zones, Enter picks, Escape gives up', async () => {
    const { page, userId, close } = await agentOnProfile({ timezone: 'Europe/Paris' });
    try {
      const box = zoneBox(page);
      await box.focus();
      await page.keyboard.press('ArrowDown');
      // The list opens on the chosen zone, which the text field names as active (the focus stays in it).
      const active = async () => {
        const id = await box.getAttribute('aria-activedescendant');
        return id ? page.locator(`[id="${id}"]`).textContent() : null;
      };
      await expect.poll(active).toMatch(/Europe\/Paris$/);
      await expectAccessible(page);
      await page.keyboard.press('ArrowDown');
      const next = await active();
      expect(next).not.toMatch(/Europe\/Paris$/);
      await page.keyboard.press('Escape');
      expect(await box.getAttribute('aria-expanded')).toBe('false');
      expect(await box.inputValue()).toMatch(/Europe\/Paris$/);

      await box.fill('tokyo');
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText('Saved.').waitFor();
      await expect.poll(() => savedZone(userId)).toBe('Asia/Tokyo');

      // Typed text that is left without a pick goes back to the saved zone, and saves nothing.
      await box.fill('Lima');
      await page.keyboard.press('Tab');
      expect(await box.inputValue()).toBe('(UTC+09:00) Tokyo — Asia/Tokyo');
      expect(await savedZone(userId)).toBe('Asia/Tokyo');
    } finally {
      await close();
    }
  });

  it("offers the browser's time zone to an agent who never chose one; Save stores it", async () => {
    const { page, userId, close } = await agentOnProfile({}, { timezoneId: 'Asia/Tokyo' });
    try {
      const box = zoneBox(page);
      expect(await box.inputValue()).toBe('(UTC+09:00) Tokyo — Asia/Tokyo');
      await page
        .getByText('Suggested from your browser, not saved yet: save it, or pick another zone.')
        .waitFor();
      expect(await savedZone(userId)).toBe('UTC');
      await expectAccessible(page);
      await screenshot(page, 'profile-timezone-suggested-1440');
      await page.setViewportSize(PHONE);
      await screenshot(page, 'profile-timezone-suggested-390');

      await page.getByRole('button', { name: 'Save', exact: true }).click();

      await page.getByRole('status').getByText('Saved.').waitFor();
      await expect.poll(() => savedZone(userId)).toBe('Asia/Tokyo');
      await page.reload();
      expect(await zoneBox(page).inputValue()).toBe('(UTC+09:00) Tokyo — Asia/Tokyo');
      expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
    } finally {
      await close();
    }
  });

  it("keeps UTC for an agent who picks it over the browser's suggestion", async () => {
    const { page, userId, close } = await agentOnProfile({}, { timezoneId: 'Asia/Tokyo' });
    try {
      await zoneBox(page).fill('UTC+00:00');
      await page.getByRole('option', { name: '(UTC+00:00) UTC', exact: true }).click();
      await page.getByRole('status').getByText('Saved.').waitFor();
      await page.reload();
      expect(await zoneBox(page).inputValue()).toBe('(UTC+00:00) UTC');
      expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
      expect(await savedZone(userId)).toBe('UTC');
    } finally {
      await close();
    }
  });

  it('says in French, on a phone, that no time zone matches', async () => {
    const { page, close } = await agentOnProfile(
      { language: 'fr-fr', timezone: 'Europe/Paris' },
      { viewport: PHONE },
    );
    try {
      const box = zoneBox(page, 'Fuseau horaire');
      await page
        .getByText('Tapez une ville, un fuseau ou un décalage, par exemple Paris ou UTC+2.')
        .waitFor();
      await box.fill('Atlantide');
      await page
        .getByRole('status')
        .getByText('Aucun fuseau horaire ne correspond à « Atlantide ».')
        .waitFor();
      expect(await box.getAttribute('aria-expanded')).toBe('false');
      await box.fill('Amer');
      await page.getByRole('listbox', { name: 'Fuseau horaire' }).getByRole('option').first().waitFor();
      expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await expectAccessible(page);
      await screenshot(page, 'profile-timezone-fr-390');
    } finally {
      await close();
    }
  });
});
