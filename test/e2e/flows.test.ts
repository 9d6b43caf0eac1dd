// The web app's flows around a change, in Chromium: the toast that tells it (closable, paused while read, Undo for a
// removal), the confirmation before cancelling an invitation, and the "Add members" dialog. Each test makes its own
// team through the API, so the tests stand alone; elements are found by the roles and names of DESIGN.md §6.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Team } from '../../web/src/api/types.ts';
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

const [HELENE, FRANCOIS] = DEMO_USERS as [DemoUser, DemoUser];
const FRANCOIS_NAME = `${FRANCOIS.given_name} ${FRANCOIS.usual_name}`;
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const SLOW = { timeout: 120_000 };
const STAFF = { email: 'staff.flows@example.gouv.fr', password: 'a long staff passphrase for flows' };

if (CHROMIUM_MISSING) console.warn(CHROMIUM_MISSING);

describe.skipIf(CHROMIUM_MISSING !== '')('flows around a change, in a browser', () => {
  let desk: DeskProcess;
  let browser: Browser;
  let helene: BrowserContext;
  let francoisId = '';

  beforeAll(async () => {
    desk = await startDeskProcess(
      { BURST_THROTTLE_RATES: 'off', SUSTAINED_THROTTLE_RATES: 'off' },
      { superuser: STAFF },
    );
    browser = await launchBrowser();
    // Desk knows a demo agent once they have logged in.
    const francois = await browser.newContext();
    await loginAs(await francois.newPage(), desk.url, FRANCOIS);
    await francois.close();
    helene = await signedIn(HELENE);
    const found = (await call(helene, 'GET', `users/?q=${encodeURIComponent(FRANCOIS.email)}`)) as {
      results: { id: string }[];
    };
    francoisId = found.results[0]?.id ?? '';
    expect(francoisId).not.toBe('');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  async function signedIn(agent: DemoUser, options: { clock?: boolean } = {}): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: DESKTOP });
    if (options.clock) await context.clock.install();
    await loginAs(await context.newPage(), desk.url, agent);
    for (const p of context.pages()) await p.close();
    return context;
  }

  /** The API as the web app calls it: the agent's session cookie and X-CSRFToken. */
  async function call(
    context: BrowserContext,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<unknown> {
    const csrf = (await context.cookies(desk.url)).find((c) => c.name === 'csrftoken')?.value ?? '';
    const res = await context.request.fetch(`${desk.url}/api/v1.0/${path}`, {
      method,
      headers: { 'x-csrftoken': csrf, accept: 'application/json' },
      ...(body === undefined ? {} : { data: body }),
    });
    expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
    return res.status() === 204 ? null : res.json();
  }

  /** A team of Hélène's, with François in it when a role is given; its page open. */
  async function teamPage(
    options: { francois?: string; context?: BrowserContext; viewport?: typeof DESKTOP } = {},
  ): Promise<{ page: Page; team: Team }> {
    const context = options.context ?? helene;
    const team = (await call(context, 'POST', 'teams/', {
      name: `Flows ${crypto.randomUUID().slice(0, 8)}`,
    })) as Team;
    if (options.francois)
      await call(context, 'POST', `teams/${team.id}/accesses/`, { user: francoisId, role: options.francois });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    if (options.viewport) await page.setViewportSize(options.viewport);
    await page.goto(`${desk.url}/teams/${team.id}`);
    await page.getByRole('heading', { level: 1, name: team.name }).waitFor();
    return { page, team };
  }

  const members = (page: Page) => page.getByRole('table', { name: 'Members' });
  const modal = (page: Page) => page.getByRole('dialog').or(page.getByRole('alertdialog'));
  const toast = (page: Page, text: string) =>
    page.getByRole('status').locator('.toast').filter({ hasText: text });

  async function removeFrancois(page: Page): Promise<Locator> {
    await members(page)
      .getByRole('row', { name: FRANCOIS_NAME })
      .getByRole('button', { name: 'Remove from team' })
      .click();
    await modal(page).getByRole('button', { name: 'Remove', exact: true }).click();
    await members(page).getByRole('row', { name: FRANCOIS_NAME }).waitFor({ state: 'detached' });
    const removed = toast(page, `${FRANCOIS_NAME} was removed from the team.`);
    await removed.waitFor();
    return removed;
  }

  describe('toasts', () => {
    test(
      'removing a member can be undone from its toast: they come back with the role they had',
      SLOW,
      async () => {
        const { page } = await teamPage({ francois: 'administrator' });
        const removed = await removeFrancois(page);
        await screenshot(page, 'flows-toast-undo-desktop');
        await page.setViewportSize(PHONE);
        await screenshot(page, 'flows-toast-undo-phone');
        await page.setViewportSize(DESKTOP);
        await removed.getByRole('button', { name: 'Undo' }).click();
        const row = members(page).getByRole('row', { name: FRANCOIS_NAME });
        await row.waitFor();
        expect(await row.textContent()).toContain('Administrator');
        await toast(page, `${FRANCOIS_NAME} is back in the team as Administrator.`).waitFor();
        await expect.poll(() => removed.count()).toBe(0);
        await page.close();
      },
    );

    test('Undo says why when the member cannot come back (the team is gone meanwhile)', SLOW, async () => {
      const { page, team } = await teamPage({ francois: 'member' });
      const removed = await removeFrancois(page);
      await call(helene, 'DELETE', `teams/${team.id}/`);
      await removed.getByRole('button', { name: 'Undo' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: `This team is gone, or you are no longer in it: ${FRANCOIS_NAME} stays removed.` })
        .waitFor();
      await page.close();
    });

    test('a toast closes with its "Dismiss notification" button', SLOW, async () => {
      const { page } = await teamPage({ francois: 'member' });
      const removed = await removeFrancois(page);
      await removed.getByRole('button', { name: 'Dismiss notification' }).click();
      await expect.poll(() => removed.count()).toBe(0);
      await page.close();
    });

    test('a toast stays while the pointer rests on it, and leaves once it moves away', SLOW, async () => {
      const context = await signedIn(HELENE, { clock: true });
      try {
        const { page } = await teamPage({ francois: 'member', context });
        const removed = await removeFrancois(page);
        await removed.hover();
        await page.clock.runFor(60_000);
        expect(await removed.isVisible()).toBe(true);
        await page.mouse.move(0, 0);
        await page.clock.runFor(60_000);
        await expect.poll(() => removed.count()).toBe(0);
      } finally {
        await context.close();
      }
    });

    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const)
      test(
        `on a ${size}, scrolled to its end, the page keeps every button clear of the toasts`,
        SLOW,
        async () => {
          const { page } = await teamPage({ viewport });
          // Adding someone and inviting someone at once: two toasts, and a row with buttons at the page's end.
          await page.getByRole('button', { name: 'Add members' }).click();
          const dialog = page.getByRole('dialog', { name: 'Add members' });
          const search = dialog.getByRole('combobox', { name: 'Search by name or email' });
          await search.fill(FRANCOIS.usual_name);
          await page.getByRole('option', { name: FRANCOIS_NAME }).click();
          const invited = `flows.${crypto.randomUUID().slice(0, 8)}@example.gouv.fr`;
          await search.fill(invited);
          await page.getByRole('option', { name: invited }).click();
          await dialog.getByRole('button', { name: 'Add', exact: true }).click();
          await dialog.waitFor({ state: 'detached' });
          await page.getByRole('row', { name: invited }).waitFor();
          await toast(page, '1 invitation sent.').waitFor();
          await page
            .locator('body')
            .evaluate((body) =>
              body.ownerDocument.defaultView.scrollTo(0, body.ownerDocument.body.scrollHeight),
            );
          await screenshot(page, `flows-toast-end-${size}`);
          // Every button of the page whose centre is in the window is the element found there: none is under a toast.
          const hidden = await page.locator('main button').evaluateAll((buttons) =>
            buttons
              .filter((b) => {
                const r = b.getBoundingClientRect();
                const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
                const view = b.ownerDocument.defaultView;
                if (!r.width || x < 0 || y < 0 || x > view.innerWidth || y > view.innerHeight) return false;
                return !b.contains(b.ownerDocument.elementFromPoint(x, y));
              })
              .map((b) => b.textContent),
          );
          expect(hidden).toEqual([]);
          await page.close();
        },
      );
  });

  describe('cancelling an invitation', () => {
    test('asks first: "Keep the invitation" keeps it, "Cancel invitation" cancels it', SLOW, async () => {
      const { page, team } = await teamPage();
      const email = `flows.${crypto.randomUUID().slice(0, 8)}@example.gouv.fr`;
      await call(helene, 'POST', `teams/${team.id}/invitations/`, { email, role: 'member' });
      await page.reload();
      const row = page.getByRole('row', { name: email });
      await row.getByRole('button', { name: 'Cancel invitation' }).click();
      const dialog = page.getByRole('alertdialog', { name: `Cancel the invitation to ${email}?` });
      await dialog.waitFor();
      await screenshot(page, 'flows-cancel-invitation-desktop');
      await page.setViewportSize(PHONE);
      await screenshot(page, 'flows-cancel-invitation-phone');
      await dialog.getByRole('button', { name: 'Keep the invitation' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await row.count()).toBe(1);
      await row.getByRole('button', { name: 'Cancel invitation' }).click();
      await dialog.getByRole('button', { name: 'Cancel invitation' }).click();
      await row.waitFor({ state: 'detached' });
      await toast(page, `Invitation to ${email} cancelled.`).waitFor();
      await page.close();
    });
  });

  describe('"Add members"', () => {
    async function openAddMembers(page: Page): Promise<{ dialog: Locator; search: Locator; add: Locator }> {
      await page.getByRole('button', { name: 'Add members' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add members' });
      await dialog.waitFor();
      return {
        dialog,
        search: dialog.getByRole('combobox', { name: 'Search by name or email' }),
        add: dialog.getByRole('button', { name: 'Add', exact: true }),
      };
    }

    async function choose(page: Page, search: Locator, typed: string, option: string): Promise<void> {
      await search.fill(typed);
      await page.getByRole('option', { name: option }).click();
    }

    async function expectNoAxeViolation(page: Page, where: string): Promise<void> {
      await page.waitForLoadState('networkidle');
      const violations = await axeCheck(page);
      expect(violations, `${where}:\n${describeViolations(violations)}`).toEqual([]);
    }

    const newEmail = () => `flows.${crypto.randomUUID().slice(0, 8)}@example.gouv.fr`;

    test('"Add" is unavailable, and says why, until someone is chosen', SLOW, async () => {
      const { page } = await teamPage();
      const { dialog, search, add } = await openAddMembers(page);
      expect(await add.getAttribute('aria-disabled')).toBe('true');
      expect(await describedBy(add)).toContain('Choose at least one person');
      // Pressed, it does nothing: the dialog stays, nothing is added.
      await add.press('Enter');
      expect(await dialog.isVisible()).toBe(true);
      await choose(page, search, FRANCOIS.usual_name, FRANCOIS_NAME);
      expect(await add.getAttribute('aria-disabled')).toBe('false');
      expect(await describedBy(add)).toBe('');
      await page.close();
    });

    test(
      'Escape keeps who was chosen for when the dialog opens again; "Cancel" drops them',
      SLOW,
      async () => {
        const { page } = await teamPage();
        let { dialog, search } = await openAddMembers(page);
        const invited = newEmail();
        await choose(page, search, FRANCOIS.usual_name, FRANCOIS_NAME);
        await choose(page, search, invited, invited);
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        const addMembers = page.getByRole('button', { name: 'Add members' });
        expect(await describedBy(addMembers)).toBe('2 people chosen, not added yet');
        await screenshot(page, 'flows-add-members-kept-desktop');
        ({ dialog } = await openAddMembers(page));
        const chosen = dialog.getByRole('region', { name: 'Chosen' }).getByRole('listitem');
        expect(await chosen.allTextContents()).toEqual([
          expect.stringContaining(FRANCOIS_NAME),
          expect.stringContaining(invited),
        ]);
        await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
        await dialog.waitFor({ state: 'detached' });
        ({ dialog } = await openAddMembers(page));
        expect(await dialog.getByRole('region', { name: 'Chosen' }).count()).toBe(0);
        await page.close();
      },
    );

    test('a chosen invitation reads and looks unlike a chosen colleague', SLOW, async () => {
      const { page } = await teamPage();
      const { dialog, search } = await openAddMembers(page);
      const invited = newEmail();
      await choose(page, search, FRANCOIS.usual_name, FRANCOIS_NAME);
      await choose(page, search, invited, invited);
      const chosen = dialog.getByRole('region', { name: 'Chosen' }).getByRole('listitem');
      const [colleague, invitation] = [
        chosen.filter({ hasText: FRANCOIS_NAME }),
        chosen.filter({ hasText: invited }),
      ];
      expect(await invitation.textContent()).toContain('Invitation');
      expect(await colleague.textContent()).not.toContain('Invitation');
      await invitation.getByRole('button', { name: `Remove the invitation to ${invited}` }).waitFor();
      await colleague.getByRole('button', { name: `Remove ${FRANCOIS_NAME}` }).waitFor();
      const look = (item: Locator) =>
        item.evaluate((el) => {
          const style = el.ownerDocument.defaultView.getComputedStyle(el);
          return `${style.borderStyle} ${style.backgroundColor}`;
        });
      expect(await look(invitation)).not.toBe(await look(colleague));
      await screenshot(page, 'flows-add-members-chosen-desktop');
      await page.setViewportSize(PHONE);
      await screenshot(page, 'flows-add-members-chosen-phone');
      await page.close();
    });

    test('someone already in the team is shown as a member, not "Nobody found"', SLOW, async () => {
      const { page } = await teamPage({ francois: 'member' });
      const { search } = await openAddMembers(page);
      await search.fill(FRANCOIS.usual_name);
      const option = page.getByRole('option', { name: FRANCOIS_NAME });
      await option.waitFor();
      expect(await option.getAttribute('aria-disabled')).toBe('true');
      expect(await option.textContent()).toContain('Already a member of the team');
      expect(await page.getByText('Nobody found').count()).toBe(0);
      await page
        .getByRole('status')
        .filter({ hasText: `Already in the team: ${FRANCOIS_NAME}.` })
        .waitFor();
      await screenshot(page, 'flows-add-members-already-desktop');
      await expectNoAxeViolation(page, 'a member among the suggestions');
      // Their email, typed in full, is no invitation either.
      await search.fill(FRANCOIS.email);
      await expect
        .poll(() => page.getByRole('listbox').getByRole('option').allTextContents())
        .toEqual([expect.stringContaining('Already a member of the team')]);
      await page.close();
    });

    test(
      'suggestions pass axe: each is named by its visible text, the person or the email first',
      SLOW,
      async () => {
        const { page } = await teamPage();
        const { search } = await openAddMembers(page);
        await search.fill(FRANCOIS.usual_name);
        const colleague = page.getByRole('option', { name: FRANCOIS_NAME });
        await colleague.waitFor();
        await expectNoAxeViolation(page, 'a colleague among the suggestions');
        const invited = newEmail();
        await search.fill(invited);
        const invitation = page.getByRole('option', { name: invited });
        await invitation.waitFor();
        expect(await invitation.textContent()).toContain('an invitation is sent by email');
        await screenshot(page, 'flows-add-members-invite-desktop');
        await expectNoAxeViolation(page, 'an invitation among the suggestions');
        await page.close();
      },
    );

    test('on a 390 × 844 phone the dialog fits the screen and adds the people chosen', SLOW, async () => {
      const { page } = await teamPage({ viewport: PHONE });
      const { dialog, search, add } = await openAddMembers(page);
      await search.fill(FRANCOIS.usual_name);
      await page.getByRole('option', { name: FRANCOIS_NAME }).waitFor();
      await screenshot(page, 'flows-add-members-search-phone');
      await page.getByRole('option', { name: FRANCOIS_NAME }).click();
      const invited = newEmail();
      await choose(page, search, invited, invited);
      const box = await dialog.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= PHONE.width).toBe(true);
      await screenshot(page, 'flows-add-members-phone');
      await expectNoAxeViolation(page, 'Add members on a phone');
      await add.click();
      await dialog.waitFor({ state: 'detached' });
      await members(page).getByRole('row', { name: FRANCOIS_NAME }).waitFor();
      await page.getByRole('row', { name: invited }).waitFor();
      await page.close();
    });
  });
  describe('the audit log', () => {
    test('reads as who did what to whom, the raw JSON folded under "Technical details"', SLOW, async () => {
      const { page, team } = await teamPage({ francois: 'member' });
      await page.close();
      const found = (await call(helene, 'GET', `teams/${team.id}/accesses/?q=${FRANCOIS.usual_name}`)) as {
        results: { id: string }[];
      };
      await call(helene, 'PATCH', `teams/${team.id}/accesses/${found.results[0]?.id}/`, {
        role: 'administrator',
      });

      const staff = await browser.newContext({ viewport: DESKTOP });
      try {
        const admin = await staff.newPage();
        admin.setDefaultTimeout(20_000);
        await admin.goto(`${desk.url}/admin/login`);
        await admin.getByRole('textbox', { name: 'Email' }).fill(STAFF.email);
        await admin.getByLabel('Password').fill(STAFF.password);
        await admin.getByRole('button', { name: 'Log in' }).click();
        await admin.waitForURL((u) => u.pathname === '/admin/users');
        await admin.goto(`${desk.url}/admin/audit`);
        await admin.getByRole('searchbox', { name: 'Event' }).fill('access.role_changed');
        const row = admin
          .getByRole('table', { name: /^(Audit events|Événements d'audit)$/ })
          .getByRole('row')
          .filter({ has: admin.getByRole('link', { name: team.name }) })
          .filter({ hasText: 'access.role_changed' });
        await row.waitFor();
        const text = (await row.textContent()) ?? '';
        // Users are labelled in the audit log by their email, as when the event was written.
        for (const part of ['Role changed', HELENE.email, FRANCOIS.email, 'Member → Administrator'])
          expect(text).toContain(part);
        // The raw JSON is there, folded.
        expect(await row.locator('pre').isVisible()).toBe(false);
        expect(await row.getByRole('term').allTextContents()).toEqual(['Team', 'Role']);
        expect(await row.getByRole('link', { name: team.name }).getAttribute('href')).toBe(
          `/admin/teams/${team.id}`,
        );
        await row.getByText('Technical details').click();
        const raw = (await row.locator('pre').textContent()) ?? '';
        expect(JSON.parse(raw)).toMatchObject({
          event: 'access.role_changed',
          details: { team: team.id, from: 'member', to: 'administrator' },
        });
        await admin.waitForLoadState('networkidle');
        const violations = await axeCheck(admin);
        expect(violations, describeViolations(violations)).toEqual([]);
        await screenshot(admin, 'flows-audit-desktop');
        await admin.setViewportSize(PHONE);
        await screenshot(admin, 'flows-audit-phone');
        await admin.setViewportSize(DESKTOP);
        await admin
          .getByRole('combobox', { name: /Language|Langue/ })
          .first()
          .selectOption({ label: 'Français' });
        await row.getByText('Rôle changé').waitFor();
        expect(await row.textContent()).toContain('Membre → Administrateur');
        await row.getByText('Détails techniques').waitFor();
        await screenshot(admin, 'flows-audit-fr-desktop');
      } finally {
        await staff.close();
      }
    });
  });
  describe('the development sign-in page', () => {
    for (const [locale, lang, heading] of [
      ['en-GB', 'en', 'Log in'],
      ['fr-FR', 'fr', 'Se connecter'],
    ] as const)
      test(
        `speaks the browser's language (${locale}), passes axe, fits a phone and signs the agent in`,
        SLOW,
        async () => {
          const context = await browser.newContext({ viewport: DESKTOP, locale });
          try {
            const page = await context.newPage();
            page.setDefaultTimeout(20_000);
            await page.goto(`${desk.url}/api/v1.0/authenticate/`);
            await page.waitForURL((u) => u.pathname.includes('/dev-idp/interaction/'));
            expect(await page.locator('html').getAttribute('lang')).toBe(lang);
            await page.getByRole('heading', { level: 1, name: heading }).waitFor();
            const form = page.getByRole('form', { name: heading });
            const agent = form.getByRole('button', {
              name: new RegExp(`^${HELENE.given_name} ${HELENE.usual_name}\\b`),
            });
            await agent.waitFor();
            expect(await form.getByRole('button').count()).toBe(DEMO_USERS.length);
            const violations = await axeCheck(page);
            expect(violations, describeViolations(violations)).toEqual([]);
            await screenshot(page, `flows-dev-idp-${lang}-desktop`);
            await page.setViewportSize(PHONE);
            await screenshot(page, `flows-dev-idp-${lang}-phone`);
            const width = await page.locator('html').evaluate((el) => el.scrollWidth);
            expect(width).toBeLessThanOrEqual(PHONE.width);
            await agent.click();
            // Signed in, the app speaks the agent's saved language, whatever the browser's. On a phone its navigation
            // folds under "Menu" (the same word in French).
            await page.getByRole('button', { name: 'Menu', exact: true }).click();
            await page.getByRole('navigation', { name: /^(Main|Principale)$/ }).waitFor();
          } finally {
            await context.close();
          }
        },
      );
  });
});

/** A control's title and aria-describedby text: where an unavailable button says why. */
function describedBy(locator: Locator): Promise<string> {
  return locator.evaluate((el) =>
    [
      el.getAttribute('title') ?? '',
      ...(el.getAttribute('aria-describedby') ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((id: string) => el.ownerDocument.getElementById(id)?.textContent ?? ''),
    ]
      .join(' ')
      .trim(),
  );
}
