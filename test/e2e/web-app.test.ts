// The web app in Chromium, as an agent uses it: found only by the roles and accessible names of DESIGN.md §6.
// The tests are one user story, run in order: each starts where the previous one left the page and the data
// (Hélène Martin owns "Équipe e2e", François Dupont is added, changed, removed, …). Run the file whole.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  axeCheck,
  CHROMIUM_MISSING,
  DEMO_USERS,
  type DemoUser,
  type DeskProcess,
  describeViolations,
  isFocused,
  launchBrowser,
  loginAs,
  screenshot,
  startDeskProcess,
} from '../support/e2e.ts';

const [HELENE, FRANCOIS] = DEMO_USERS as [DemoUser, DemoUser];
const FRANCOIS_NAME = `${FRANCOIS.given_name} ${FRANCOIS.usual_name}`;
// Two adjacent letters swapped ("Dupont" → "Dupnot"): the commonest typo, which the search forgives.
const TYPO = FRANCOIS.usual_name.replace(/(.)(.)(.)$/, '$2$1$3');
const INVITED = `new.person.${crypto.randomUUID().slice(0, 8)}@example.gouv.fr`;
const SLOW = { timeout: 120_000 };

if (CHROMIUM_MISSING) console.warn(CHROMIUM_MISSING);

describe.skipIf(CHROMIUM_MISSING !== '')('the web app in a browser', () => {
  let desk: DeskProcess;
  let browser: Browser;
  let page: Page;
  let teamUrl = '';

  beforeAll(async () => {
    // Throttles off: one agent clicking through every flow in a minute exceeds the default 20 requests/minute.
    desk = await startDeskProcess({ BURST_THROTTLE_RATES: 'off', SUSTAINED_THROTTLE_RATES: 'off' });
    browser = await launchBrowser();
    page = await browser.newPage();
    // Bounds how long a missing element stalls a test; the story's steps each take a few seconds.
    page.setDefaultTimeout(20_000);
  }, 120_000);

  // The story's steps build on each other: after a failure, the rest is skipped rather than failing misleadingly.
  let failed = '';
  beforeEach((context) => {
    if (failed) context.skip(`an earlier step failed: ${failed}`);
  });
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || failed) return;
    failed = context.task.name;
    await screenshot(page, 'failure').catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  const loginButton = (p: Page) =>
    p
      .getByRole('link', { name: 'Log in', exact: true })
      .or(p.getByRole('button', { name: 'Log in', exact: true }))
      .first();
  const h1 = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const members = () => page.getByRole('table', { name: 'Members' });
  const memberRow = (name: string) => members().getByRole('row', { name });
  // A confirmation may rightly be an alertdialog (a dialog subtype); only one is open at a time.
  const modal = () => page.getByRole('dialog').or(page.getByRole('alertdialog'));

  /** Waits for the page to settle (the app's requests answered) before a screenshot or an axe run. */
  async function settle(): Promise<void> {
    await page.waitForLoadState('networkidle');
  }

  async function expectNoAxeViolation(where: string): Promise<void> {
    await settle();
    const violations = await axeCheck(page);
    expect(violations, `${where}:\n${describeViolations(violations)}`).toEqual([]);
  }

  /** As another agent, in a browser context of their own (so the first agent stays logged in). */
  async function asAgent(agent: DemoUser, act: (p: Page) => Promise<void> = async () => {}): Promise<void> {
    const context = await browser.newContext();
    try {
      const other = await context.newPage();
      await loginAs(other, desk.url, agent);
      await act(other);
    } finally {
      await context.close();
    }
  }

  /** "Role" is a radio group or a select (native, or a button opening a list box): DESIGN §6 allows both. */
  async function chooseRole(dialog: Locator, role: string): Promise<void> {
    const name = new RegExp(`^${role}\\b`);
    const radios = dialog.getByRole('radiogroup', { name: 'Role' });
    const select = dialog
      .getByRole('combobox', { name: 'Role' })
      .or(dialog.getByRole('button', { name: 'Role' }));
    await radios.or(select).first().waitFor();
    if (await radios.count()) {
      // A styled radio's input is visually hidden under its label, which takes the pointer: pick it as a keyboard
      // user does.
      const radio = radios.getByRole('radio', { name });
      if (!(await radio.isChecked())) {
        await radio.focus();
        await page.keyboard.press('Space');
      }
      await expect.poll(() => radio.isChecked()).toBe(true);
      return;
    }
    if ((await select.first().evaluate((el) => el.tagName)) === 'SELECT') {
      await select.first().selectOption({ label: role });
      return;
    }
    await select.first().click();
    await page.getByRole('option', { name }).click();
  }

  /** The header's "Language" control, a select or a button opening a menu or list box. */
  async function switchLanguage(label: 'Français' | 'English'): Promise<void> {
    // The header comes first in the page; the profile page may hold a second "Language" field.
    const control = page
      .getByRole('combobox', { name: /Language|Langue/ })
      .or(page.getByRole('button', { name: /Language|Langue/ }))
      .first();
    if ((await control.evaluate((el) => el.tagName)) === 'SELECT') {
      await control.selectOption({ label });
      return;
    }
    await control.click();
    await page
      .getByRole('option', { name: label })
      .or(page.getByRole('menuitemradio', { name: label }))
      .or(page.getByRole('menuitem', { name: label }))
      .first()
      .click();
  }

  async function openAddMembers(): Promise<Locator> {
    await page.getByRole('button', { name: 'Add members' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add members' });
    await dialog.waitFor();
    return dialog;
  }

  /** Adds someone found by typing `search` and picking the option named `option`, then waits for the dialog to close. */
  async function addMember(search: string, option: string, role = 'Member'): Promise<void> {
    const dialog = await openAddMembers();
    await dialog.getByRole('combobox', { name: 'Search by name or email' }).fill(search);
    // The list box may be rendered outside the dialog (a popover): look for the option in the whole page.
    await page.getByRole('option', { name: option }).click();
    await chooseRole(dialog, role);
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  async function createTeam(name: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teams' }).click();
    await h1('Teams').waitFor();
    await page
      .getByRole('button', { name: 'Create a team' })
      .or(page.getByRole('link', { name: 'Create a team' }))
      .click();
    await page.getByRole('textbox', { name: 'Team name' }).fill(name);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await h1(name).waitFor();
  }

  test('the signed-out page offers "Log in" and passes axe', SLOW, async () => {
    await page.goto(`${desk.url}/`);
    await loginButton(page).waitFor();
    await screenshot(page, 'signed-out-en');
    await expectNoAxeViolation('signed-out page');
  });

  test('an agent logs in through the development provider and lands on Teams', SLOW, async () => {
    await loginAs(page, desk.url, HELENE);
    await h1('Teams').waitFor();
    await settle();
    await screenshot(page, 'teams-en');
  });

  test('creating a team opens its page, titled with its name', SLOW, async () => {
    await createTeam('Équipe e2e');
    teamUrl = page.url();
    await members().waitFor();
    // The dialog that had the focus is gone: the focus is on the new page's main, not lost on the document.
    expect(await isFocused(page.getByRole('main'))).toBe(true);
    await settle();
    await screenshot(page, 'team-en');
  });

  test('a colleague found by a misspelt name is added as member', SLOW, async () => {
    // Desk knows the other demo agents only once they have logged in.
    await asAgent(FRANCOIS);
    await addMember(TYPO, FRANCOIS_NAME);
    await memberRow(FRANCOIS_NAME).waitFor();
  });

  test('an unknown email is invited: it is listed as pending and a mail is queued', SLOW, async () => {
    await addMember(INVITED, INVITED);
    await page.getByRole('heading', { name: 'Pending invitations' }).waitFor();
    await page.getByRole('row', { name: INVITED }).waitFor();
    const outbox = async () =>
      ((await (await fetch(`${desk.url}/__debug__/outbox`)).json()) as { to: string }[]).map((m) => m.to);
    await expect.poll(outbox, { timeout: 10_000 }).toContain(INVITED);
  });

  test('an owner changes a member into an administrator', SLOW, async () => {
    await memberRow(FRANCOIS_NAME).getByRole('button', { name: 'Change role' }).click();
    const dialog = modal();
    await chooseRole(dialog, 'Administrator');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => memberRow(FRANCOIS_NAME).textContent(), { timeout: 10_000 })
      .toContain('Administrator');
  });

  test('the last owner cannot leave, and the page says why', SLOW, async () => {
    const own = memberRow(`${HELENE.given_name} ${HELENE.usual_name}`);
    await own.waitFor();
    const remove = own.getByRole('button', { name: 'Remove from team' });
    // Either the button is absent or disabled with an explanation, or trying it shows the reason in an alert.
    if ((await remove.count()) && (await remove.isEnabled())) {
      await remove.click();
      const confirm = modal().getByRole('button', { name: 'Remove', exact: true });
      if (
        await confirm.waitFor({ timeout: 3_000 }).then(
          () => true,
          () => false,
        )
      )
        await confirm.click();
    }
    const explained = async () =>
      (await page
        .getByText(/last owner/i)
        .first()
        .isVisible()) ||
      ((await remove.count()) > 0 && /last owner/i.test(await describedBy(remove)));
    await expect.poll(explained, { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('Escape');
    await own.waitFor();
  });

  test('removing a member takes their row away', SLOW, async () => {
    await memberRow(FRANCOIS_NAME).getByRole('button', { name: 'Remove from team' }).click();
    await modal().getByRole('button', { name: 'Remove', exact: true }).click();
    await memberRow(FRANCOIS_NAME).waitFor({ state: 'hidden' });
  });

  test('cancelling an invitation, confirmed, takes its row away', SLOW, async () => {
    const row = page.getByRole('row', { name: INVITED });
    await row.getByRole('button', { name: 'Cancel invitation' }).click();
    // The app asks first; its confirming button is named like the action.
    await modal()
      .getByRole('heading', { name: `Cancel the invitation to ${INVITED}?` })
      .waitFor();
    await modal().getByRole('button', { name: 'Cancel invitation' }).click();
    await row.waitFor({ state: 'hidden' });
  });

  test('the app speaks French once chosen, and English again', SLOW, async () => {
    await switchLanguage('Français');
    const nav = page.getByRole('navigation', { name: /Main|Principale/ });
    await nav.getByRole('link', { name: 'Équipes' }).click();
    await h1('Équipes').waitFor();
    await settle();
    await screenshot(page, 'teams-fr');
    await page.getByRole('link', { name: 'Équipe e2e' }).click();
    await h1('Équipe e2e').waitFor();
    await settle();
    await screenshot(page, 'team-fr');
    await headingChangesAfter(() => nav.getByRole('link', { name: 'Contacts' }).click());
    await settle();
    await screenshot(page, 'contacts-fr');
    // DESIGN §6 gives no French for these two: the app's "Menu du compte" and "Profil" are accepted too.
    await openProfile('Account menu|Menu du compte', 'Profile|Profil');
    await settle();
    await screenshot(page, 'profile-fr');
    await switchLanguage('English');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teams' }).waitFor();
  });

  test('a member sees their team read-only', SLOW, async () => {
    await createTeam('Équipe lecture');
    await addMember(TYPO, FRANCOIS_NAME);
    await memberRow(FRANCOIS_NAME).waitFor();
    await asAgent(FRANCOIS, async (other) => {
      await other.getByRole('link', { name: 'Équipe lecture' }).click();
      await other.getByRole('heading', { level: 1, name: 'Équipe lecture' }).waitFor();
      await other.getByRole('table', { name: 'Members' }).getByRole('row', { name: FRANCOIS_NAME }).waitFor();
      await other.waitForLoadState('networkidle');
      expect(await other.getByRole('button', { name: 'Add members' }).count()).toBe(0);
      expect(await other.getByRole('button', { name: 'Change role' }).count()).toBe(0);
    });
  });

  test('members are added with the keyboard alone, and focus returns to "Add members"', SLOW, async () => {
    await page.goto(teamUrl);
    const add = page.getByRole('button', { name: 'Add members' });
    await add.waitFor();
    await tabTo(add, 60);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add members' });
    const search = dialog.getByRole('combobox', { name: 'Search by name or email' });
    await tabTo(search, 10);
    await page.keyboard.type(TYPO, { delay: 30 });
    await page.getByRole('option', { name: FRANCOIS_NAME }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    // Tab passes the chosen person and the role (left at its default, Member) to reach "Add".
    await tabTo(dialog.getByRole('button', { name: 'Add', exact: true }), 15);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await memberRow(FRANCOIS_NAME).waitFor();
    await expect.poll(() => isFocused(add), { timeout: 5_000 }).toBe(true);
  });

  test('teams, a team with "Add members" open, contacts and the profile pass axe', SLOW, async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teams' }).click();
    await h1('Teams').waitFor();
    await expectNoAxeViolation('teams');
    await page.goto(teamUrl);
    await members().waitFor();
    await expectNoAxeViolation('team');
    await openAddMembers();
    await expectNoAxeViolation('add members dialog');
    await page.keyboard.press('Escape');
    await headingChangesAfter(() =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click(),
    );
    await expectNoAxeViolation('contacts');
    await screenshot(page, 'contacts-en');
    await openProfile('Account menu', 'Profile');
    await expectNoAxeViolation('profile');
    await screenshot(page, 'profile-en');
  });

  test('logging out through "Account menu" returns to the signed-out page', SLOW, async () => {
    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await loginButton(page).waitFor();
  });

  /** DESIGN §6 fixes no heading for contacts and the profile: a page change shows as a new level-1 heading. */
  async function headingChangesAfter(act: () => Promise<void>): Promise<void> {
    const heading = page.getByRole('heading', { level: 1 }).first();
    const before = await heading.textContent();
    await act();
    await expect.poll(() => heading.textContent(), { timeout: 15_000 }).not.toBe(before);
  }

  async function openProfile(menu: string, item: string): Promise<void> {
    await headingChangesAfter(async () => {
      // Unanchored: a name that also carries the visible text (WCAG 2.5.3, e.g. the agent's name) still matches.
      await page.getByRole('button', { name: new RegExp(menu) }).click();
      await page.getByRole('menuitem', { name: new RegExp(item) }).click();
    });
  }

  /** Presses Tab until `target` has the focus, as a keyboard user would. */
  async function tabTo(target: Locator, most: number): Promise<void> {
    for (let i = 0; i < most; i++) {
      if (await isFocused(target)) return;
      await page.keyboard.press('Tab');
    }
    expect(await isFocused(target), `Tab never reached ${target}`).toBe(true);
  }
});

/** A control's title and aria-describedby text: where a disabled button says why. */
function describedBy(locator: Locator): Promise<string> {
  return locator.evaluate((el) =>
    [
      el.getAttribute('title') ?? '',
      ...(el.getAttribute('aria-describedby') ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((id: string) => el.ownerDocument.getElementById(id)?.textContent ?? ''),
    ].join(' '),
  );
}
