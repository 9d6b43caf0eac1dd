// The mail pages in Chromium, on Desk as `npm start` runs it (the built-in development dimail on, login links to its
// webmail page): an agent adds a domain, creates mailboxes and aliases, sends a login link that lands in the outbox,
// gives colleagues an access and invites others; an action-required domain shows its DNS records; staff check a
// domain from the back office. Each test makes its own domain, so any one runs alone; elements are found by their
// roles and accessible names.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MailDomain } from '../../web/src/api/types.ts';
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
  startDeskProcess,
} from '../support/e2e.ts';

const [HELENE, FRANCOIS, AMINA] = DEMO_USERS as [DemoUser, DemoUser, DemoUser];
const FRANCOIS_NAME = `${FRANCOIS.given_name} ${FRANCOIS.usual_name}`;
const HELENE_NAME = `${HELENE.given_name} ${HELENE.usual_name}`;
const STAFF = { email: 'staff.mail@example.gouv.fr', password: 'a long staff passphrase for mail domains' };
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const SLOW = { timeout: 120_000 };

/** A domain name no other test uses; its first label picks what the development dimail answers. */
const domainName = (first = 'mail') => `${first}.e2e-${crypto.randomUUID().slice(0, 8)}.example.fr`;

if (CHROMIUM_MISSING) console.warn(CHROMIUM_MISSING);

describe.skipIf(CHROMIUM_MISSING !== '')('mail domains in a browser', () => {
  let desk: DeskProcess;
  let browser: Browser;
  let helene: BrowserContext;
  let amina: BrowserContext;

  beforeAll(async () => {
    desk = await startDeskProcess(
      { BURST_THROTTLE_RATES: 'off', SUSTAINED_THROTTLE_RATES: 'off' },
      { superuser: STAFF },
    );
    browser = await launchBrowser();
    // Desk knows a demo agent once they have logged in.
    const francois = await signedIn(FRANCOIS);
    await francois.close();
    helene = await signedIn(HELENE);
    amina = await signedIn(AMINA);
    const me = (await call(amina, 'GET', 'users/me/')) as { id: string };
    await call(amina, 'PATCH', `users/${me.id}/`, { language: 'fr-fr' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  async function signedIn(agent: DemoUser): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
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

  /** A domain of the agent's, made through the API. */
  async function domainOf(context: BrowserContext, first?: string): Promise<MailDomain> {
    return (await call(context, 'POST', 'mail-domains/', {
      name: domainName(first),
      support_email: 'support@example.gouv.fr',
    })) as MailDomain;
  }

  async function open(context: BrowserContext, path: string, viewport = DESKTOP): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.setViewportSize(viewport);
    await page.goto(`${desk.url}${path}`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    return page;
  }

  async function expectNoAxeViolation(page: Page, where: string): Promise<void> {
    await page.waitForLoadState('networkidle');
    const violations = await axeCheck(page);
    expect(violations, `${where}:\n${describeViolations(violations)}`).toEqual([]);
  }

  async function expectFitsTheScreen(page: Page, where: string): Promise<void> {
    const width = await page.evaluate(() => {
      const g = globalThis as unknown as {
        document: { documentElement: { scrollWidth: number } };
        innerWidth: number;
      };
      return { scroll: g.document.documentElement.scrollWidth, inner: g.innerWidth };
    });
    expect(width.scroll, `${where} is ${width.scroll} px wide`).toBeLessThanOrEqual(width.inner);
  }

  /** The development outbox (DEBUG): the newest mails first. */
  async function outbox(): Promise<{ to: string; template: string }[]> {
    return (await (await fetch(`${desk.url}/__debug__/outbox`)).json()) as { to: string; template: string }[];
  }

  const h1 = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const modal = (page: Page) => page.getByRole('dialog').or(page.getByRole('alertdialog'));
  const toast = (page: Page, text: string) =>
    page.getByRole('status').locator('.toast').filter({ hasText: text });
  const section = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Sections of the domain' }).getByRole('link', { name, exact: true });

  /** Presses Tab until `target` has the focus, as a keyboard user would. */
  async function tabTo(page: Page, target: Locator, most: number): Promise<void> {
    for (let i = 0; i < most; i++) {
      if (await isFocused(target)) return;
      await page.keyboard.press('Tab');
    }
    expect(await isFocused(target), `Tab never reached ${target}`).toBe(true);
  }

  test(
    'an agent adds a mail domain from the header, and the development dimail enables it at once',
    SLOW,
    async () => {
      const page = await open(helene, '/teams');
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Mail domains' })
        .click();
      await h1(page, 'Mail domains').waitFor();
      await expectNoAxeViolation(page, 'mail domains');
      await page.getByRole('button', { name: 'Add a mail domain' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a mail domain' });
      const name = domainName();
      await dialog.getByRole('textbox', { name: 'Domain name' }).fill(name);
      // The agent's own address is offered as the support email.
      expect(await dialog.getByRole('textbox', { name: 'Support email' }).inputValue()).toBe(HELENE.email);
      await expectNoAxeViolation(page, 'add a mail domain');
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await h1(page, name).waitFor();
      await page.getByText('Enabled', { exact: true }).waitFor();
      await toast(page, `Mail domain ${name} added.`).waitFor();
      expect(await page.getByRole('heading', { name: 'DNS records to set' }).count()).toBe(0);
      await expectNoAxeViolation(page, 'an enabled domain');
      await page.getByRole('link', { name: 'All mail domains' }).click();
      const row = page.getByRole('table', { name: 'My mail domains' }).getByRole('row', { name });
      await row.getByRole('link', { name, exact: true }).waitFor();
      expect(await row.textContent()).toContain('Enabled');
      await page.close();
    },
  );

  test('a name the API refuses is said in the dialog, beside its field', SLOW, async () => {
    const page = await open(helene, '/mail-domains');
    await page.getByRole('button', { name: 'Add a mail domain' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a mail domain' });
    await dialog.getByRole('textbox', { name: 'Domain name' }).fill('not a domain');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.getByText('Enter a valid domain name, such as example.fr.').waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Domain name' }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    await page.close();
  });

  test('a mailbox is created, and its login link and new password land in the outbox', SLOW, async () => {
    const domain = await domainOf(helene);
    const page = await open(helene, `/mail-domains/${domain.slug}`);
    const secondary = `ada.${crypto.randomUUID().slice(0, 8)}@example.org`;
    await page.getByRole('button', { name: 'Create a mailbox' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a mailbox' });
    await dialog.getByRole('textbox', { name: 'First name' }).fill('Ada');
    await dialog.getByRole('textbox', { name: 'Last name' }).fill('Lovelace');
    // The address follows the names until the agent types one.
    expect(await dialog.getByRole('textbox', { name: 'Address' }).inputValue()).toBe('ada.lovelace');
    await dialog.getByRole('textbox', { name: 'Secondary email' }).fill(secondary);
    await expectNoAxeViolation(page, 'create a mailbox');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const address = `ada.lovelace@${domain.name}`;
    const row = page.getByRole('table', { name: 'Mailboxes' }).getByRole('row', { name: address });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('Enabled');
    expect(await row.textContent()).toContain(secondary);
    await expectNoAxeViolation(page, 'mailboxes');

    const actions = row.getByRole('button', { name: `Actions for ${address}` });
    await actions.click();
    await page.getByRole('menuitem', { name: 'Send a login link' }).click();
    await toast(page, `Login link sent to ${secondary}.`).waitFor();
    await expect
      .poll(async () => (await outbox()).filter((m) => m.to === secondary).map((m) => m.template))
      .toContain('mailbox_login_link');

    await actions.click();
    await page.getByRole('menuitem', { name: 'Reset password' }).click();
    const confirm = page.getByRole('alertdialog', { name: `Reset the password of ${address}?` });
    await confirm.getByRole('button', { name: 'Reset password' }).click();
    await toast(page, `A new password was sent to ${secondary}.`).waitFor();
    await expect
      .poll(async () => (await outbox()).filter((m) => m.to === secondary).map((m) => m.template))
      .toContain('mailbox_password_reset');
    await page.close();
  });

  test('a mailbox is disabled after a confirmation, then enabled again', SLOW, async () => {
    const domain = await domainOf(helene);
    await call(helene, 'POST', `mail-domains/${domain.slug}/mailboxes/`, {
      first_name: 'Grace',
      last_name: 'Hopper',
      local_part: 'grace',
      secondary_email: 'grace.hopper@example.org',
    });
    const page = await open(helene, `/mail-domains/${domain.slug}`);
    const address = `grace@${domain.name}`;
    const row = page.getByRole('table', { name: 'Mailboxes' }).getByRole('row', { name: address });
    await row.getByRole('button', { name: `Actions for ${address}` }).click();
    await page.getByRole('menuitem', { name: 'Disable' }).click();
    await page
      .getByRole('alertdialog', { name: `Disable ${address}?` })
      .getByRole('button', { name: 'Disable' })
      .click();
    await toast(page, `Mailbox ${address} disabled.`).waitFor();
    await expect.poll(() => row.textContent()).toContain('Disabled');
    await row.getByRole('button', { name: `Actions for ${address}` }).click();
    await page.getByRole('menuitem', { name: 'Enable' }).click();
    await toast(page, `Mailbox ${address} enabled.`).waitFor();
    await expect.poll(() => row.textContent()).toContain('Enabled');
    await page.close();
  });

  test('a mailbox of a domain not enabled yet waits, and says why', SLOW, async () => {
    const domain = await domainOf(helene, 'action-required');
    const page = await open(helene, `/mail-domains/${domain.slug}`);
    await page.getByRole('button', { name: 'Create a mailbox' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a mailbox' });
    await dialog.getByRole('textbox', { name: 'First name' }).fill('Katherine');
    await dialog.getByRole('textbox', { name: 'Last name' }).fill('Johnson');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const address = `katherine.johnson@${domain.name}`;
    await toast(page, `Mailbox ${address} created: it will work once the domain is enabled.`).waitFor();
    const row = page.getByRole('table', { name: 'Mailboxes' }).getByRole('row', { name: address });
    await expect.poll(() => row.textContent()).toContain('Waiting for the domain to be enabled');
    expect(await row.textContent()).toContain('Pending');
    // Aliases wait for an enabled domain: the tab says so instead of offering them.
    await section(page, 'Aliases').click();
    await page.getByText('Aliases can be created once the domain is enabled.').waitFor();
    expect(await page.getByRole('button', { name: 'Create an alias' }).count()).toBe(0);
    await page.close();
  });

  test('an alias is created, then deleted after a confirmation', SLOW, async () => {
    const domain = await domainOf(helene);
    const page = await open(helene, `/mail-domains/${domain.slug}`);
    await section(page, 'Aliases').click();
    await page.getByRole('heading', { level: 2, name: 'Aliases' }).waitFor();
    await page.getByRole('button', { name: 'Create an alias' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an alias' });
    await dialog.getByRole('textbox', { name: 'Alias' }).fill('contact');
    await dialog.getByRole('textbox', { name: 'Destination' }).fill(HELENE.email);
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const address = `contact@${domain.name}`;
    await toast(page, `Alias ${address} created: it forwards to ${HELENE.email}.`).waitFor();
    const row = page.getByRole('table', { name: 'Aliases' }).getByRole('row', { name: address });
    await expect.poll(() => row.textContent()).toContain('Enabled');
    expect(page.url()).toBe(`${desk.url}/mail-domains/${domain.slug}/aliases`);
    await expectNoAxeViolation(page, 'aliases');
    await row.getByRole('button', { name: `Delete alias ${address} to ${HELENE.email}` }).click();
    await modal(page).getByRole('button', { name: 'Delete', exact: true }).click();
    await toast(page, `Alias ${address} to ${HELENE.email} deleted.`).waitFor();
    await page.getByText('No alias yet.').waitFor();
    await page.close();
  });

  test('an action-required domain shows the DNS records to set and what its check found', SLOW, async () => {
    const domain = await domainOf(helene, 'action-required');
    expect(domain.status).toBe('action_required');
    const page = await open(helene, `/mail-domains/${domain.slug}`);
    await page.getByText('Action required', { exact: true }).waitFor();
    const records = page.getByRole('table', { name: 'DNS records to set' });
    await records.waitFor();
    // The row whose Type cell says MX: a DKIM key's random base64 may hold the letters "mx" too.
    const mx = records.getByRole('row').filter({ has: page.getByRole('cell', { name: 'MX', exact: true }) });
    expect(await mx.textContent()).toContain(domain.name);
    await records
      .getByRole('button', { name: /^Copy the value of the TXT record of dimail\._domainkey\./ })
      .waitFor();
    // What the check found, in words the agent acts on.
    await page.getByText(`The MX record of ${domain.name} must be`, { exact: false }).waitFor();
    await expectNoAxeViolation(page, 'DNS records');
    await page.getByRole('button', { name: 'Check again' }).click();
    await toast(page, 'Domain checked: Action required.').waitFor();
    // A DKIM key hundreds of characters long wraps inside a phone's width.
    await page.setViewportSize(PHONE);
    await expectFitsTheScreen(page, 'DNS records at 390 px');
    await expectNoAxeViolation(page, 'DNS records on a phone');
    await page.close();
  });

  test(
    'a colleague is given an access, their role changed, then removed; the last owner stays, another may leave',
    SLOW,
    async () => {
      const domain = await domainOf(helene);
      const page = await open(helene, `/mail-domains/${domain.slug}/accesses`);
      const accesses = page.getByRole('table', { name: 'Accesses' });
      await accesses.getByRole('row', { name: HELENE_NAME }).waitFor();
      await page.getByRole('button', { name: 'Add someone' }).click();
      const dialog = page.getByRole('dialog', { name: 'Give an access to the domain' });
      await dialog.getByRole('combobox', { name: 'Search by name or email' }).fill(FRANCOIS.usual_name);
      await page.getByRole('option', { name: FRANCOIS_NAME }).click();
      await dialog.getByText('Administrator', { exact: true }).click();
      await expectNoAxeViolation(page, 'add someone');
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await toast(page, `${FRANCOIS_NAME} now has the role Administrator.`).waitFor();
      const row = accesses.getByRole('row', { name: FRANCOIS_NAME });
      await expect.poll(() => row.textContent()).toContain('Administrator');
      await expectNoAxeViolation(page, 'accesses');

      await row.getByRole('button', { name: 'Change role' }).click();
      const change = page.getByRole('dialog', { name: `Change the role of ${FRANCOIS_NAME}` });
      await change.getByText('Viewer', { exact: true }).click();
      await change.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => row.textContent()).toContain('Viewer');

      await row.getByRole('button', { name: 'Remove access' }).click();
      await modal(page).getByRole('button', { name: 'Remove', exact: true }).click();
      await toast(page, `The access of ${FRANCOIS_NAME} was removed.`).waitFor();
      await row.waitFor({ state: 'detached' });

      // Hélène is the only owner: the API refuses, and the dialog says why.
      await accesses
        .getByRole('row', { name: HELENE_NAME })
        .getByRole('button', { name: 'Remove access' })
        .click();
      const leave = page.getByRole('alertdialog', { name: `Give up your access to ${domain.name}?` });
      await leave.getByRole('button', { name: 'Remove', exact: true }).click();
      await leave
        .getByRole('alert')
        .getByText('Cannot delete the last owner access for the domain.')
        .waitFor();
      await leave.getByRole('button', { name: 'Cancel' }).click();

      // With another owner, she may give up her own access: the domain's pages are no longer hers.
      const found = (await call(
        helene,
        'GET',
        `mail-domains/${domain.slug}/accesses/users/?q=${FRANCOIS.usual_name}`,
      )) as { id: string }[];
      await call(helene, 'POST', `mail-domains/${domain.slug}/accesses/`, {
        user: found[0]?.id,
        role: 'owner',
      });
      await page.reload();
      await accesses
        .getByRole('row', { name: HELENE_NAME })
        .getByRole('button', { name: 'Remove access' })
        .click();
      await leave.getByRole('button', { name: 'Remove', exact: true }).click();
      await h1(page, 'Mail domains').waitFor();
      await toast(page, `You gave up your access to ${domain.name}.`).waitFor();
      expect(await page.getByRole('link', { name: domain.name, exact: true }).count()).toBe(0);
      await page.close();
    },
  );

  test('someone without an account is invited, the invitation resent, then cancelled', SLOW, async () => {
    const domain = await domainOf(helene);
    const invited = `invited.${crypto.randomUUID().slice(0, 8)}@example.org`;
    const page = await open(helene, `/mail-domains/${domain.slug}/invitations`);
    await page.getByRole('button', { name: 'Invite by email' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite someone to manage the domain' });
    await dialog.getByRole('textbox', { name: 'Email' }).fill(invited);
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click();
    await toast(page, `Invitation sent to ${invited}.`).waitFor();
    const row = page.getByRole('table', { name: 'Invitations' }).getByRole('row', { name: invited });
    await expect.poll(() => row.textContent()).toContain('Viewer');
    await expectNoAxeViolation(page, 'invitations');
    await row.getByRole('button', { name: `Resend the invitation to ${invited}` }).click();
    await toast(page, `Invitation sent again to ${invited}.`).waitFor();
    await expect
      .poll(async () => (await outbox()).filter((m) => m.to === invited).length)
      .toBeGreaterThanOrEqual(2);
    await row.getByRole('button', { name: 'Cancel invitation' }).click();
    await modal(page).getByRole('button', { name: 'Cancel invitation' }).click();
    await row.waitFor({ state: 'detached' });

    // A colleague with an account gets the access at once, and the toast says so.
    await page.getByRole('button', { name: 'Invite by email' }).click();
    await dialog.getByRole('textbox', { name: 'Email' }).fill(FRANCOIS.email);
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click();
    await toast(page, `${FRANCOIS.email} already has an account: they have the access now.`).waitFor();
    await page.close();
  });

  test(
    '"Add a mail domain" is used with the keyboard alone; Escape returns the focus to its opener',
    SLOW,
    async () => {
      const page = await open(helene, '/mail-domains');
      const add = page.getByRole('button', { name: 'Add a mail domain' });
      await tabTo(page, add, 40);
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Add a mail domain' });
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await expect.poll(() => isFocused(add), { timeout: 5_000 }).toBe(true);

      await page.keyboard.press('Enter');
      const name = dialog.getByRole('textbox', { name: 'Domain name' });
      await expect.poll(() => isFocused(name)).toBe(true);
      const domain = domainName('keyboard');
      await page.keyboard.type(domain);
      await tabTo(page, dialog.getByRole('button', { name: 'Add', exact: true }), 6);
      await page.keyboard.press('Enter');
      await h1(page, domain).waitFor();

      // The new domain's "Create a mailbox", reached and filled by keyboard.
      const create = page.getByRole('button', { name: 'Create a mailbox' });
      await tabTo(page, create, 40);
      await page.keyboard.press('Enter');
      const mailbox = page.getByRole('dialog', { name: 'Create a mailbox' });
      await expect.poll(() => isFocused(mailbox.getByRole('textbox', { name: 'First name' }))).toBe(true);
      await page.keyboard.type('Alan');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Turing');
      await page.keyboard.press('Enter');
      await page
        .getByRole('table', { name: 'Mailboxes' })
        .getByRole('row', { name: `alan.turing@${domain}` })
        .waitFor();
      await expect.poll(() => isFocused(create), { timeout: 5_000 }).toBe(true);
      await page.close();
    },
  );

  test('the mail pages speak French and pass axe in French', SLOW, async () => {
    const domain = await domainOf(amina, 'action-required');
    await call(amina, 'POST', `mail-domains/${domain.slug}/invitations/`, {
      email: `invite.fr.${crypto.randomUUID().slice(0, 8)}@example.org`,
      role: 'administrator',
    });
    const page = await open(amina, '/mail-domains');
    await h1(page, 'Domaines de messagerie').waitFor();
    await page
      .getByRole('navigation', { name: 'Principale' })
      .getByRole('link', { name: 'Domaines de messagerie' })
      .waitFor();
    await page.getByRole('link', { name: domain.name, exact: true }).click();
    await h1(page, domain.name).waitFor();
    await page.getByText('Action requise', { exact: true }).waitFor();
    await page.getByRole('table', { name: 'Enregistrements DNS à configurer' }).waitFor();
    await expectNoAxeViolation(page, 'domaine (fr)');
    await page.getByRole('button', { name: 'Créer une boîte mail' }).click();
    const dialog = page.getByRole('dialog', { name: 'Créer une boîte mail' });
    for (const field of ['Prénom', 'Nom', 'Adresse', 'E-mail secondaire'])
      await dialog.getByRole('textbox', { name: field, exact: true }).waitFor();
    await expectNoAxeViolation(page, 'créer une boîte mail (fr)');
    await page.keyboard.press('Escape');
    const tabs = page.getByRole('navigation', { name: 'Rubriques du domaine' });
    for (const [tab, heading] of [
      ['Alias', 'Alias'],
      ['Accès', 'Accès'],
      ['Invitations', 'Invitations'],
      ['Boîtes mail', 'Boîtes mail'],
    ] as const) {
      await tabs.getByRole('link', { name: tab, exact: true }).click();
      await page.getByRole('heading', { level: 2, name: heading, exact: true }).waitFor();
      await expectNoAxeViolation(page, `${tab} (fr)`);
    }
    await page.goto(`${desk.url}/mail-domains`);
    await page.getByRole('button', { name: 'Ajouter un domaine de messagerie' }).click();
    const add = page.getByRole('dialog', { name: 'Ajouter un domaine de messagerie' });
    await add.getByRole('textbox', { name: 'Nom de domaine' }).waitFor();
    await add.getByRole('textbox', { name: 'E-mail du support' }).waitFor();
    await add.getByRole('button', { name: 'Ajouter', exact: true }).waitFor();
    await expectNoAxeViolation(page, 'ajouter un domaine (fr)');
    await page.close();
  });

  test('switched to French on a mail page, the page and the next ones speak French', SLOW, async () => {
    const francois = await signedIn(FRANCOIS);
    const domain = await domainOf(francois);
    const page = await open(francois, '/mail-domains');
    await h1(page, 'Mail domains').waitFor();
    await page.getByRole('combobox', { name: 'Language' }).selectOption({ label: 'Français' });
    await h1(page, 'Domaines de messagerie').waitFor();
    await page.getByRole('link', { name: domain.name, exact: true }).click();
    // The domain's page, not the list still on screen (its rows have "Actif" badges too).
    await h1(page, domain.name).waitFor();
    await page.getByRole('main').getByText('Actif', { exact: true }).first().waitFor();
    await page.getByRole('button', { name: 'Vérifier à nouveau' }).waitFor();
    await page.getByRole('combobox', { name: 'Langue' }).selectOption({ label: 'English' });
    await page.getByRole('button', { name: 'Check again' }).waitFor();
    await francois.close();
  });

  test('staff find every mail domain in the back office and check one now', SLOW, async () => {
    const domain = await domainOf(helene, 'action-required');
    const staff = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
    const page = await staff.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${desk.url}/admin/login`);
    await page.getByRole('textbox', { name: 'Email' }).fill(STAFF.email);
    await page.getByLabel('Password').fill(STAFF.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === '/admin/users');
    await page
      .getByRole('navigation', { name: 'Administration sections' })
      .getByRole('link', { name: 'Mail domains' })
      .click();
    await h1(page, 'Mail domains').waitFor();
    await page.getByRole('searchbox', { name: 'Search by domain name' }).fill(domain.name);
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Action required' });
    const table = page.getByRole('table', { name: 'All mail domains' });
    const row = table.getByRole('row', { name: new RegExp(domain.name.replaceAll('.', '\\.')) });
    await row.waitFor();
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await expectNoAxeViolation(page, 'back office mail domains');
    await row.getByRole('button', { name: `Check now: ${domain.name}` }).click();
    await toast(page, `${domain.name} checked: Action required.`).waitFor();
    await staff.close();
  });
});
