// Every screen of the web app on a phone (390 × 844) and a desktop (1440 × 900): axe finds nothing serious (best
// practices included), no page is wider than the screen, the header keeps its height when the account menu opens,
// and a screenshot of each lands in test-results/screenshots (screens-<screen>-<size>.png) to be looked at.
// The data is made once (an agent's team with a member, an invitation and a contact; mail domains with mailboxes;
// a staff account); each test opens its own tab on it and changes nothing, so any one runs alone.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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

const [HELENE, FRANCOIS, AMINA] = DEMO_USERS as [DemoUser, DemoUser, DemoUser];
const FRANCOIS_NAME = `${FRANCOIS.given_name} ${FRANCOIS.usual_name}`;
const HELENE_NAME = `${HELENE.given_name} ${HELENE.usual_name}`;
const STAFF = { email: 'staff.screens@example.gouv.fr', password: 'a long staff passphrase for screens' };
const INVITED = 'a.rather.long.address.for.a.phone.screen@example.gouv.fr';
const TEAM = 'Direction interministérielle du numérique – équipe produit';
// Long names on purpose: a phone must wrap them, and the DKIM key of the domain that awaits its DNS records.
const MAIL_DOMAIN = 'communaute-de-communes-du-pays-de-saint-germain.example.fr';
const DNS_DOMAIN = 'action-required.mairie-de-saint-germain-en-laye.example.fr';
const MAILBOX = `jean-baptiste.de-la-fontaine-dupres@${MAIL_DOMAIN}`;
const SLOW = { timeout: 120_000 };

const SIZES = [
  { size: 'phone', width: 390, height: 844 },
  { size: 'desktop', width: 1440, height: 900 },
  // The narrowest phone the layout supports: the screens with the most to fit.
  { size: 'small', width: 320, height: 640 },
] as const;
type Size = (typeof SIZES)[number];

if (CHROMIUM_MISSING) console.warn(CHROMIUM_MISSING);

// CI runs the suite four times (two databases, two Nodes); this catalogue of screens checks the web app's layout and
// accessibility, which none of those change, so .ci/run asks for it once (DESK_SCREENS_ONCE_DONE on the repeats).
const REPEAT = process.env.DESK_SCREENS_ONCE_DONE === '1';

describe.skipIf(CHROMIUM_MISSING !== '' || REPEAT)('every screen of the web app', () => {
  let desk: DeskProcess;
  let browser: Browser;
  let visitor: BrowserContext;
  let visitorFr: BrowserContext;
  let agent: BrowserContext;
  let agentFr: BrowserContext;
  let staff: BrowserContext;
  let teamId = '';
  let teamFrId = '';
  let heleneId = '';
  let adminTeamId = '';
  let mailSlug = '';
  let dnsSlug = '';
  let mailFrSlug = '';

  /** A JSON call of the API as the browser context's agent (session cookie and X-CSRFToken). */
  async function call<T>(context: BrowserContext, method: string, path: string, body?: unknown): Promise<T> {
    const csrf = (await context.cookies(desk.url)).find((c) => c.name === 'csrftoken')?.value ?? '';
    const answer = await context.request.fetch(`${desk.url}/api/v1.0/${path}`, {
      method,
      headers: { 'x-csrftoken': csrf, referer: `${desk.url}/` },
      ...(body === undefined ? {} : { data: body }),
    });
    expect(answer.ok(), `${method} ${path}: ${answer.status()} ${await answer.text()}`).toBe(true);
    return (answer.status() === 204 ? undefined : await answer.json()) as T;
  }

  async function signedIn(agentUser: DemoUser): Promise<BrowserContext> {
    // English until the agent's saved language says otherwise: loginAs clicks "Log in".
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await loginAs(page, desk.url, agentUser);
    await page.close();
    return context;
  }

  beforeAll(async () => {
    desk = await startDeskProcess(
      { BURST_THROTTLE_RATES: 'off', SUSTAINED_THROTTLE_RATES: 'off' },
      { superuser: STAFF },
    );
    browser = await launchBrowser();
    visitor = await browser.newContext({ locale: 'en-US' });
    visitorFr = await browser.newContext({ locale: 'fr-FR' });
    // François first: Desk knows a demo agent once they have logged in.
    await (await signedIn(FRANCOIS)).close();
    agent = await signedIn(HELENE);
    heleneId = (await call<{ id: string }>(agent, 'GET', 'users/me/')).id;
    teamId = (await call<{ id: string }>(agent, 'POST', 'teams/', { name: TEAM })).id;
    const found = await call<{ results: { id: string }[] }>(
      agent,
      'GET',
      `users/?q=${encodeURIComponent(FRANCOIS.usual_name)}&team_id=${teamId}`,
    );
    await call(agent, 'POST', `teams/${teamId}/accesses/`, {
      user: found.results[0]?.id,
      role: 'administrator',
    });
    await call(agent, 'POST', `teams/${teamId}/invitations/`, { email: INVITED, role: 'member' });
    await call(agent, 'POST', 'contacts/', {
      full_name: 'Jeanne Dubois-Lefèvre',
      short_name: 'Jeanne',
      data: { emails: [{ type: 'Work', value: 'jeanne.dubois-lefevre@example.gouv.fr' }] },
    });
    // Mail domains (issue 21): one enabled with mailboxes, an alias, a colleague and an invitation; one awaiting its
    // DNS records, with a mailbox that waits for it.
    mailSlug = (
      await call<{ slug: string }>(agent, 'POST', 'mail-domains/', {
        name: MAIL_DOMAIN,
        support_email: HELENE.email,
      })
    ).slug;
    await call(agent, 'POST', `mail-domains/${mailSlug}/mailboxes/`, {
      first_name: 'Jean-Baptiste',
      last_name: 'de La Fontaine-Duprès',
      local_part: MAILBOX.split('@')[0],
      secondary_email: 'jean-baptiste.de-la-fontaine-dupres.perso@example.org',
    });
    await call(agent, 'POST', `mail-domains/${mailSlug}/mailboxes/`, {
      first_name: 'Ada',
      last_name: 'Lovelace',
      local_part: 'ada',
      secondary_email: null,
    });
    await call(agent, 'POST', `mail-domains/${mailSlug}/aliases/`, {
      local_part: 'accueil',
      destination: MAILBOX,
    });
    await call(agent, 'POST', `mail-domains/${mailSlug}/accesses/`, {
      user: found.results[0]?.id,
      role: 'administrator',
    });
    await call(agent, 'POST', `mail-domains/${mailSlug}/invitations/`, { email: INVITED, role: 'viewer' });
    dnsSlug = (
      await call<{ slug: string }>(agent, 'POST', 'mail-domains/', {
        name: DNS_DOMAIN,
        support_email: HELENE.email,
      })
    ).slug;
    await call(agent, 'POST', `mail-domains/${dnsSlug}/mailboxes/`, {
      first_name: 'Marie',
      last_name: 'Curie',
      local_part: 'marie.curie',
    });
    agentFr = await signedIn(AMINA);
    const amina = await call<{ id: string }>(agentFr, 'GET', 'users/me/');
    await call(agentFr, 'PATCH', `users/${amina.id}/`, { language: 'fr-fr' });
    teamFrId = (await call<{ id: string }>(agentFr, 'POST', 'teams/', { name: 'Équipe des écrans' })).id;
    mailFrSlug = (
      await call<{ slug: string }>(agentFr, 'POST', 'mail-domains/', {
        name: 'action-required.ecrans.example.fr',
        support_email: AMINA.email,
      })
    ).slug;

    staff = await browser.newContext({ locale: 'en-US' });
    const page = await staff.newPage();
    await page.goto(`${desk.url}/admin/login`);
    await page.getByRole('textbox', { name: 'Email' }).fill(STAFF.email);
    await page.getByLabel('Password').fill(STAFF.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === '/admin/users');
    await page.close();
    const users = await call<{ results: { id: string; email: string }[] }>(
      staff,
      'GET',
      `admin/users/?q=${encodeURIComponent(HELENE.usual_name)}`,
    );
    heleneId = users.results.find((u) => u.email === HELENE.email)?.id ?? heleneId;
    const teams = await call<{ results: { id: string; name: string }[] }>(staff, 'GET', 'admin/teams/');
    adminTeamId = teams.results.find((t) => t.name === TEAM)?.id ?? '';
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  /** Opens `path` in a new tab of `context` at `size`, waits for its level-1 heading, then runs `then`. */
  async function open(context: BrowserContext, size: Size, path: string): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.goto(`${desk.url}${path}`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForLoadState('networkidle');
    return page;
  }

  /** The checks every screen passes, and its screenshot. */
  async function check(page: Page, name: string, size: Size): Promise<void> {
    await page.waitForLoadState('networkidle');
    const width = await page.evaluate(() => {
      // Runs in the page: the project's TypeScript has no DOM library.
      const g = globalThis as unknown as {
        document: { documentElement: { scrollWidth: number } };
        innerWidth: number;
      };
      return { scroll: g.document.documentElement.scrollWidth, inner: g.innerWidth };
    });
    await screenshot(page, `screens-${name}-${size.size}`);
    expect(width.scroll, `${name} at ${size.width} px is ${width.scroll} px wide`).toBeLessThanOrEqual(
      width.inner,
    );
    const violations = await axeCheck(page);
    expect(violations, `${name} at ${size.width} px:\n${describeViolations(violations)}`).toEqual([]);
  }

  const SCREENS: {
    name: string;
    context: () => BrowserContext;
    path: () => string;
    /** What to do once the page is there (open a dialog, a menu). */
    act?: (page: Page, size: Size) => Promise<void>;
    /** Also checked at 320 px wide. */
    small?: true;
  }[] = [
    { name: 'signed-out', context: () => visitor, path: () => '/', small: true },
    { name: 'signed-out-fr', context: () => visitorFr, path: () => '/' },
    { name: 'staff-login', context: () => visitor, path: () => '/admin/login' },
    { name: 'teams', context: () => agent, path: () => '/teams' },
    { name: 'teams-fr', context: () => agentFr, path: () => '/teams' },
    {
      name: 'team',
      small: true,
      context: () => agent,
      path: () => `/teams/${teamId}`,
      act: async (page) => {
        await page
          .getByRole('table', { name: 'Members' })
          .getByRole('row', { name: FRANCOIS_NAME })
          .waitFor();
        await page.getByRole('row', { name: INVITED }).waitFor();
        // On a phone each row is drawn as a card: Chromium must still give screen readers a table, with its
        // column headers and each member's cells.
        const roles = await accessibleRoles(page);
        expect(roles).toContainEqual({ role: 'table', name: 'Members' });
        expect(roles).toContainEqual({ role: 'columnheader', name: 'Email' });
        // The initials beside a name are not read: the cell says the name once.
        expect(roles).toContainEqual({ role: 'cell', name: FRANCOIS_NAME });
        expect(roles).toContainEqual({ role: 'cell', name: FRANCOIS.email });
        expect(roles).toContainEqual({ role: 'rowheader', name: INVITED });
      },
    },
    { name: 'team-fr', context: () => agentFr, path: () => `/teams/${teamFrId}` },
    {
      name: 'add-members',
      small: true,
      context: () => agent,
      path: () => `/teams/${teamId}`,
      act: async (page) => {
        await page.getByRole('button', { name: 'Add members' }).click();
        const dialog = page.getByRole('dialog', { name: 'Add members' });
        const search = dialog.getByRole('combobox', { name: 'Search by name or email' });
        await search.fill(INVITED);
        // The search runs once typing pauses: pick the option after its answer has redrawn the list.
        await page.waitForLoadState('networkidle');
        await page.getByRole('option', { name: INVITED }).click();
        await expect.poll(() => search.inputValue()).toBe('');
      },
    },
    { name: 'contacts', context: () => agent, path: () => '/contacts' },
    { name: 'profile', context: () => agent, path: () => '/profile' },
    { name: 'profile-fr', context: () => agentFr, path: () => '/profile' },
    {
      name: 'account-menu',
      small: true,
      context: () => agent,
      path: () => '/teams',
      act: async (page) => {
        const header = page.getByRole('banner');
        const before = (await header.boundingBox())?.height;
        await page.getByRole('button', { name: /Account menu/ }).click();
        const logOut = page.getByRole('menuitem', { name: 'Log out' });
        await logOut.waitFor();
        expect((await header.boundingBox())?.height, 'the header height with the menu open').toBe(before);
        await expectTappable(page, logOut);
      },
    },
    {
      name: 'mobile-nav',
      small: true,
      context: () => agent,
      path: () => '/teams',
      act: async (page, size) => {
        const nav = page.getByRole('navigation', { name: 'Main' });
        const menu = page.getByRole('button', { name: 'Menu', exact: true });
        if (size.size === 'desktop') {
          // Wide enough: the navigation shows, no button hides it.
          await nav.getByRole('link', { name: 'Teams' }).waitFor();
          expect(await menu.isVisible()).toBe(false);
          return;
        }
        expect(await nav.getByRole('link', { name: 'Contacts' }).isVisible()).toBe(false);
        await menu.click();
        expect(await menu.getAttribute('aria-expanded')).toBe('true');
        await expectTappable(page, nav.getByRole('link', { name: 'Contacts' }));
      },
    },
    {
      name: 'mobile-nav-fr',
      context: () => agentFr,
      path: () => '/teams',
      act: async (page, size) => {
        if (size.size === 'desktop') return;
        await page.getByRole('button', { name: 'Menu', exact: true }).click();
        await page
          .getByRole('navigation', { name: 'Principale' })
          .getByRole('link', { name: 'Équipes' })
          .waitFor();
      },
    },
    { name: 'mail-domains', small: true, context: () => agent, path: () => '/mail-domains' },
    { name: 'mail-domains-fr', context: () => agentFr, path: () => '/mail-domains' },
    {
      name: 'mail-domain',
      small: true,
      context: () => agent,
      path: () => `/mail-domains/${mailSlug}`,
      act: async (page) => {
        await page.getByRole('table', { name: 'Mailboxes' }).getByRole('row', { name: MAILBOX }).waitFor();
      },
    },
    {
      name: 'mail-domain-dns',
      small: true,
      context: () => agent,
      path: () => `/mail-domains/${dnsSlug}`,
      act: async (page) => {
        await page.getByRole('table', { name: 'DNS records to set' }).waitFor();
        await page.getByRole('table', { name: 'Mailboxes' }).waitFor();
      },
    },
    {
      name: 'mail-domain-fr',
      context: () => agentFr,
      path: () => `/mail-domains/${mailFrSlug}`,
      act: async (page) => {
        await page.getByRole('table', { name: 'Enregistrements DNS à configurer' }).waitFor();
      },
    },
    {
      name: 'mail-domain-aliases',
      context: () => agent,
      path: () => `/mail-domains/${mailSlug}/aliases`,
      act: async (page) => {
        await page.getByRole('table', { name: 'Aliases' }).waitFor();
      },
    },
    {
      name: 'mail-domain-accesses',
      context: () => agent,
      path: () => `/mail-domains/${mailSlug}/accesses`,
      act: async (page) => {
        await page
          .getByRole('table', { name: 'Accesses' })
          .getByRole('row', { name: FRANCOIS_NAME })
          .waitFor();
      },
    },
    {
      name: 'mail-domain-invitations',
      context: () => agent,
      path: () => `/mail-domains/${mailSlug}/invitations`,
      act: async (page) => {
        await page.getByRole('table', { name: 'Invitations' }).getByRole('row', { name: INVITED }).waitFor();
      },
    },
    {
      name: 'create-mailbox',
      small: true,
      context: () => agent,
      path: () => `/mail-domains/${mailSlug}`,
      act: async (page) => {
        await page.getByRole('button', { name: 'Create a mailbox' }).click();
        const dialog = page.getByRole('dialog', { name: 'Create a mailbox' });
        await dialog.getByRole('textbox', { name: 'First name' }).fill('Marie-Thérèse');
        await dialog.getByRole('textbox', { name: 'Last name' }).fill('Rodríguez-Villeneuve');
      },
    },
    {
      name: 'mailbox-menu',
      small: true,
      context: () => agent,
      path: () => `/mail-domains/${mailSlug}`,
      act: async (page) => {
        await page.getByRole('button', { name: `Actions for ${MAILBOX}` }).click();
        await expectTappable(page, page.getByRole('menuitem', { name: 'Send a login link' }));
      },
    },
    { name: 'not-found', context: () => agent, path: () => '/no/such/page' },
    // The footer's pages, signed out and signed in.
    { name: 'accessibility', context: () => visitor, path: () => '/accessibility' },
    { name: 'legal-notice', context: () => agent, path: () => '/legal-notice' },
    { name: 'personal-data-fr', context: () => agentFr, path: () => '/personal-data' },
    { name: 'admin-users', context: () => staff, path: () => '/admin/users', small: true },
    {
      name: 'admin-user',
      context: () => staff,
      path: () => `/admin/users/${heleneId}`,
      act: async (page) => {
        await page.getByRole('heading', { level: 1, name: HELENE_NAME }).waitFor();
      },
    },
    { name: 'admin-organizations', context: () => staff, path: () => '/admin/organizations' },
    { name: 'admin-teams', context: () => staff, path: () => '/admin/teams' },
    { name: 'admin-team', context: () => staff, path: () => `/admin/teams/${adminTeamId}` },
    { name: 'admin-invitations', context: () => staff, path: () => '/admin/invitations' },
    { name: 'admin-audit', context: () => staff, path: () => '/admin/audit' },
    {
      name: 'admin-mail-domains',
      context: () => staff,
      path: () => '/admin/mail-domains',
      act: async (page) => {
        await page.getByRole('button', { name: `Check now: ${DNS_DOMAIN}` }).waitFor();
      },
    },
    { name: 'admin-jobs', context: () => staff, path: () => '/admin/jobs' },
    { name: 'admin-service-providers', context: () => staff, path: () => '/admin/service-providers' },
  ];

  for (const size of SIZES)
    describe(`at ${size.width} × ${size.height}`, () => {
      test.each(size.size === 'small' ? SCREENS.filter((screen) => screen.small) : SCREENS)(
        '$name',
        SLOW,
        async ({ name, context, path, act }) => {
          const page = await open(context(), size, path());
          try {
            await act?.(page, size);
            await check(page, name, size);
          } finally {
            await page.close();
          }
        },
      );
    });
});

/** The roles and names of Chromium's accessibility tree (what a screen reader is given), from DevTools. */
async function accessibleRoles(page: Page): Promise<{ role: string; name: string }[]> {
  const devtools = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await devtools.send('Accessibility.getFullAXTree')) as {
      nodes: { ignored: boolean; role?: { value: string }; name?: { value: string } }[];
    };
    return nodes
      .filter((node) => !node.ignored)
      .map((node) => ({ role: node.role?.value ?? '', name: node.name?.value ?? '' }));
  } finally {
    await devtools.detach();
  }
}

/** On screen and not covered by anything: a tap at its middle reaches it. */
async function expectTappable(page: Page, target: ReturnType<Page['getByRole']>): Promise<void> {
  const box = await target.boundingBox();
  const viewport = page.viewportSize();
  expect(box, 'the element is laid out').not.toBeNull();
  if (!box || !viewport) return;
  const where = `${JSON.stringify(box)} in ${JSON.stringify(viewport)}`;
  expect(box.x, where).toBeGreaterThanOrEqual(0);
  expect(box.y, where).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, where).toBeLessThanOrEqual(viewport.width);
  expect(box.y + box.height, where).toBeLessThanOrEqual(viewport.height);
  const reached = await target.evaluate(
    (el, point) => {
      const hit = el.ownerDocument.elementFromPoint(point.x, point.y);
      return hit !== null && (hit === el || el.contains(hit));
    },
    { x: box.x + box.width / 2, y: box.y + box.height / 2 },
  );
  expect(reached, 'a tap at its middle reaches it').toBe(true);
}
