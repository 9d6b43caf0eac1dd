// The team tree in Chromium (DESIGN.md §12): an agent sees the parent teams of their teams, read only, and each
// team's page names its parent and lists its sub-teams; who administers a team attaches one of their teams under it
// and detaches it again, with the keyboard alone. English, French once; axe finds nothing serious; a phone fits.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamAccesses } from '../../src/teams/index.ts';
import type { User } from '../../src/users/index.ts';
import type { Team } from '../../web/src/api/types.ts';
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

const PHONE = { width: 390, height: 844 };
const SLOW = { timeout: 120_000 };

if (CHROMIUM_MISSING) console.warn(CHROMIUM_MISSING);

describe.skipIf(CHROMIUM_MISSING !== '')('the team tree, in a browser', () => {
  const t = useDesk();
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  async function create(api: ApiBrowser, name: string, parent?: string) {
    const res = await api.post('/api/v1.0/teams/', parent ? { name, parent } : { name });
    expect(res.status, res.text).toBe(201);
    return res.json as Team;
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

  /**
   * A directorate with two departments and, under the first, a bureau: `agent` is a member of the bureau only (and
   * owns a root team of their own, `archives`), so they see the first department and the directorate, not the second.
   */
  async function directorate(language = 'en-us') {
    const organizationId = await t.createOrganization();
    const owner = await t.createUser({ name: 'Odile Owner', organizationId });
    const agent = await t.createUser({ name: 'Alex Agent', organizationId, language });
    const api = await t.browserFor(owner);
    const suffix = crypto.randomUUID().slice(0, 6);
    const root = await create(api, `Directorate ${suffix}`);
    const first = await create(api, `Department one ${suffix}`, root.id);
    const second = await create(api, `Department two ${suffix}`, root.id);
    const bureau = await create(api, `Bureau ${suffix}`, first.id);
    await t.testDb.database.db
      .insert(teamAccesses)
      .values({ teamId: bureau.id, userId: agent.id, role: 'member' });
    const archives = await create(await t.browserFor(agent), `Archives ${suffix}`);
    return { owner, agent, api, root, first, second, bureau, archives };
  }

  const note = (page: Page, text: string) => page.getByRole('note').filter({ hasText: text });
  const subTeams = (page: Page, name = 'Sub-teams') => page.getByRole('list', { name });
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

  it('an agent in a sub-team sees its parents listed and opens them read only', SLOW, async () => {
    const { agent, root, first, second, bureau } = await directorate();
    const { page, close } = await open(agent, '/teams');
    try {
      const list = page.getByRole('table', { name: 'My teams' });
      const rowOf = (team: Team) =>
        list.getByRole('row').filter({ has: page.getByRole('link', { name: team.name }) });
      await rowOf(root).waitFor();
      expect(await rowOf(root).textContent()).toContain('Parent team');
      expect(await rowOf(first).textContent()).toContain(`Parent team`);
      expect(await rowOf(bureau).textContent()).toContain(`Sub-team of ${first.name}`);
      expect(await rowOf(bureau).textContent()).toContain('Member');
      expect(await list.getByRole('link', { name: second.name }).count()).toBe(0);
      await expectAxeClean(page);
      await screenshot(page, 'team-tree-list-en');

      await list.getByRole('link', { name: bureau.name }).click();
      await page.getByRole('heading', { level: 1, name: bureau.name }).waitFor();
      await page.getByRole('table', { name: 'Members' }).waitFor();
      await page.getByRole('link', { name: first.name }).click();

      await page.getByRole('heading', { level: 1, name: first.name }).waitFor();
      await note(page, 'You see this team because you are in one of its sub-teams.').waitFor();
      await subTeams(page).getByRole('link', { name: bureau.name }).waitFor();
      expect(await page.getByRole('table', { name: 'Members' }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'Pending invitations' }).count()).toBe(0);
      for (const action of ['Add members', 'Rename', 'Delete team', 'Leave team', 'Attach a sub-team'])
        expect(await page.getByRole('button', { name: action }).count(), action).toBe(0);

      await page.getByRole('link', { name: root.name }).click();
      await page.getByRole('heading', { level: 1, name: root.name }).waitFor();
      await note(page, 'You see this team because you are in one of its sub-teams.').waitFor();
      // The second department is not the agent's to see: only counted.
      await page.getByText('2 sub-teams in all, 1 of which you see.').waitFor();
      expect(await subTeams(page).getByRole('link').allTextContents()).toEqual([first.name]);
      expect(await page.getByRole('button', { name: 'Detach from parent' }).count()).toBe(0);
      await expectAxeClean(page);
      await screenshot(page, 'team-tree-parent-en');
      await expectFitsAPhone(page, 'team-tree-parent-en-390');
    } finally {
      await close();
    }
  });

  it(
    'an administrator attaches one of their teams as a sub-team with the keyboard, then detaches it',
    SLOW,
    async () => {
      const organizationId = await t.createOrganization();
      const owner = await t.createUser({ name: 'Odile Owner', organizationId });
      const api = await t.browserFor(owner);
      const suffix = crypto.randomUUID().slice(0, 6);
      const root = await create(api, `Directorate ${suffix}`);
      const archives = await create(api, `Archives ${suffix}`);
      const { page, close } = await open(owner, `/teams/${root.id}`);
      try {
        await page.getByRole('heading', { level: 1, name: root.name }).waitFor();
        await page.getByText('No sub-team yet.').waitFor();
        await page.getByRole('button', { name: 'Attach a sub-team' }).press('Enter');
        const dialog = page.getByRole('dialog', { name: `Attach a sub-team to “${root.name}”` });
        const choice = dialog.getByRole('combobox', { name: 'Team' });
        await choice.waitFor();
        expect(await isFocused(choice)).toBe(true);
        // Neither the team itself nor anything but the owner's other team is offered.
        expect(await choice.getByRole('option').allTextContents()).toEqual(['Choose a team', archives.name]);
        await page.keyboard.press('ArrowDown');
        expect(await choice.inputValue()).toBe(archives.id);
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
        expect(await isFocused(dialog.getByRole('button', { name: 'Attach', exact: true }))).toBe(true);
        await page.keyboard.press('Enter');
        await toast(page, `“${archives.name}” is now a sub-team of “${root.name}”.`).waitFor();
        await dialog.waitFor({ state: 'detached' });
        const child = subTeams(page).getByRole('link', { name: archives.name });
        await child.waitFor();
        await expectAxeClean(page);
        await screenshot(page, 'team-tree-attached-en');

        await child.press('Enter');
        await page.getByRole('heading', { level: 1, name: archives.name }).waitFor();
        await page.getByRole('link', { name: root.name }).waitFor();
        await page.getByRole('button', { name: 'Detach from parent' }).press('Enter');
        const confirm = page.getByRole('alertdialog', {
          name: `Detach “${archives.name}” from “${root.name}”?`,
        });
        await confirm.getByRole('button', { name: 'Detach', exact: true }).press('Enter');
        await toast(page, `“${archives.name}” is no longer a sub-team.`).waitFor();
        await page.getByRole('button', { name: 'Detach from parent' }).waitFor({ state: 'detached' });
        expect(await page.getByRole('link', { name: root.name }).count()).toBe(0);
        expect((await api.get(`/api/v1.0/teams/${archives.id}/`)).json).toMatchObject({
          parent: null,
          depth: 1,
        });
      } finally {
        await close();
      }
    },
  );

  it('an administrator creates a team right under one of theirs', SLOW, async () => {
    const organizationId = await t.createOrganization();
    const owner = await t.createUser({ name: 'Odile Owner', organizationId });
    const root = await create(await t.browserFor(owner), `Directorate ${crypto.randomUUID().slice(0, 6)}`);
    const { page, close } = await open(owner, '/teams');
    try {
      await page.getByRole('button', { name: 'Create a team' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create a team' });
      await dialog.getByRole('textbox', { name: 'Team name' }).fill('Press office');
      const parent = dialog.getByRole('combobox', { name: 'Parent team (optional)' });
      expect(await parent.getByRole('option').allTextContents()).toEqual(['None', root.name]);
      await parent.selectOption(root.id);
      await dialog.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Press office' }).waitFor();
      await page.getByRole('link', { name: root.name }).click();
      await subTeams(page).getByRole('link', { name: 'Press office' }).waitFor();
    } finally {
      await close();
    }
  });

  it('says in the dialog why a sub-team could not be attached, and fits a phone', SLOW, async () => {
    const organizationId = await t.createOrganization();
    const owner = await t.createUser({ name: 'Odile Owner', organizationId });
    const api = await t.browserFor(owner);
    const suffix = crypto.randomUUID().slice(0, 6);
    const root = await create(api, `Direction interministérielle du numérique ${suffix}`);
    const gone = await create(api, `Bureau des affaires générales ${suffix}`);
    const { page, close } = await open(owner, `/teams/${root.id}`);
    try {
      await page.setViewportSize(PHONE);
      await page.getByRole('button', { name: 'Attach a sub-team' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('combobox', { name: 'Team' }).selectOption(gone.id);
      // Deleted meanwhile, in another tab.
      expect((await api.delete(`/api/v1.0/teams/${gone.id}/`)).status).toBe(204);
      await dialog.getByRole('button', { name: 'Attach', exact: true }).click();
      await dialog.getByRole('alert').waitFor();
      expect(await dialog.getByRole('button', { name: 'Attach', exact: true }).isEnabled()).toBe(true);
      await expectFitsAPhone(page, 'team-tree-attach-error-390');
      await expectAxeClean(page);
    } finally {
      await close();
    }
  });

  it('speaks French', SLOW, async () => {
    const { agent, first, bureau, archives } = await directorate('fr-fr');
    const { page, close } = await open(agent, '/teams');
    try {
      const list = page.getByRole('table', { name: 'Mes équipes' });
      await list.getByRole('link', { name: first.name }).waitFor();
      expect(
        await list
          .getByRole('row')
          .filter({ has: page.getByRole('link', { name: first.name }) })
          .textContent(),
      ).toContain('Équipe parente');
      await list.getByRole('link', { name: first.name }).click();
      await note(
        page,
        "Vous voyez cette équipe parce que vous êtes dans l'une de ses sous-équipes.",
      ).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Sous-équipes' }).waitFor();
      await subTeams(page, 'Sous-équipes').getByRole('link', { name: bureau.name }).waitFor();
      await screenshot(page, 'team-tree-parent-fr');

      await page.goto(`${t.url}/teams/${archives.id}`);
      await page.getByRole('button', { name: 'Rattacher une sous-équipe' }).click();
      const dialog = page.getByRole('dialog', { name: `Rattacher une sous-équipe à « ${archives.name} »` });
      // The bureau is the agent's as a member only: nothing they administer can go here yet.
      await dialog.getByText('Aucune des équipes que vous administrez ne peut être rattachée ici.').waitFor();
      expect(await dialog.getByRole('combobox').count()).toBe(0);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      const choir = await create(await t.browserFor(agent), `Chorale ${crypto.randomUUID().slice(0, 6)}`);
      await page.reload();
      await page.getByRole('button', { name: 'Rattacher une sous-équipe' }).click();
      await dialog.getByRole('combobox', { name: 'Équipe' }).selectOption(choir.id);
      await dialog.getByRole('button', { name: 'Rattacher', exact: true }).click();
      await toast(
        page,
        `« ${choir.name} » est maintenant une sous-équipe de « ${archives.name} ».`,
      ).waitFor();
      await subTeams(page, 'Sous-équipes').getByRole('link', { name: choir.name }).waitFor();
      await screenshot(page, 'team-tree-attached-fr');
      await expectAxeClean(page);
    } finally {
      await close();
    }
  });
});
