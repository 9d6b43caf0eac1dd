// A team a SCIM directory manages, in Chromium (DESIGN.md §9): its page names the directory next to the members and
// offers no way to add, change or remove one, to its owner too; renaming stays. English and French.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamAccesses } from '../../src/teams/index.ts';
import { useDesk } from '../support/desk.ts';
import {
  axeCheck,
  CHROMIUM_MISSING,
  describeViolations,
  launchBrowser,
  pageWithSession,
  screenshot,
} from '../support/e2e.ts';
import { managedTeam, provisionedUser, scimClientRow } from '../support/scim.ts';

describe.skipIf(CHROMIUM_MISSING !== '')('the page of a team a SCIM client manages', () => {
  const t = useDesk();
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  /** An owner of a managed team of three, on its page. */
  async function ownerOnManagedTeam(language: string): Promise<{ page: Page; close(): Promise<void> }> {
    const db = t.testDb.database.db;
    const organizationId = await t.createOrganization();
    const client = await scimClientRow(db, organizationId, 'Entra ID');
    const members = await Promise.all(
      ['Louise', 'Malik'].map((given) =>
        provisionedUser(db, {
          organizationId,
          email: `${given.toLowerCase()}.${crypto.randomUUID().slice(0, 6)}@example.gouv.fr`,
          clientId: client.id,
        }),
      ),
    );
    const team = await managedTeam(db, {
      organizationId,
      clientId: client.id,
      members: members.map((m) => m.id),
      name: 'Direction des achats',
    });
    const owner = await t.createUser({ name: 'Camille Owner', organizationId, language });
    // An owner from before the directory took the team over: even they change no membership now.
    await db.insert(teamAccesses).values({ teamId: team.id, userId: owner.id, role: 'owner' });
    const session = await t.desk.sessions.create(owner.id);
    const { context, page } = await pageWithSession(browser, t.url, {
      cookie: t.desk.config.SESSION_COOKIE_NAME,
      id: session.id,
    });
    await page.goto(`${t.url}/teams/${team.id}`);
    await page.getByRole('heading', { level: 1, name: 'Direction des achats' }).waitFor();
    await page.getByRole('table').getByRole('row').nth(3).waitFor();
    return { page, close: () => context.close() };
  }

  it('names the directory and offers no membership change', { timeout: 120_000 }, async () => {
    const { page, close } = await ownerOnManagedTeam('en-us');
    try {
      await expect(
        page.getByRole('note').filter({ hasText: 'Members are managed by Entra ID (SCIM)' }).count(),
      ).resolves.toBe(1);
      expect(await page.getByRole('button', { name: 'Add members' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Change role' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Remove from team' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Leave team' }).count()).toBe(0);
      // Only memberships are the directory's.
      expect(await page.getByRole('button', { name: 'Rename' }).count()).toBe(1);
      await page.waitForLoadState('networkidle');
      const violations = await axeCheck(page);
      expect(violations, describeViolations(violations)).toEqual([]);
      await screenshot(page, 'managed-team-en');
    } finally {
      await close();
    }
  });

  it('says so in French', { timeout: 120_000 }, async () => {
    const { page, close } = await ownerOnManagedTeam('fr-fr');
    try {
      await page
        .getByRole('note')
        .filter({ hasText: 'Les membres sont gérés par Entra ID (SCIM)' })
        .waitFor();
      expect(await page.getByRole('button', { name: 'Ajouter des membres' }).count()).toBe(0);
      await screenshot(page, 'managed-team-fr');
    } finally {
      await close();
    }
  });
});
