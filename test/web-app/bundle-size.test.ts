// The first load stays light: at most 150 KB of JavaScript, gzipped, for the signed-out page and for each page (sizes are deterministic for a build, unlike timings: bench/web-app.ts measures those).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../src/web-app/routes.ts';
import { firstLoad } from '../support/first-load.ts';

const BUDGET = 150 * 1024;
const built = existsSync(join(WEB_DIST, '.vite', 'manifest.json'));

describe.runIf(built)('the first load of the web app', () => {
  it('is at most 150 KB of gzipped JavaScript before a page is chosen (the signed-out page)', () => {
    expect(firstLoad().javascriptGzipBytes).toBeLessThanOrEqual(BUDGET);
  });

  it.each([
    'src/features/teams/TeamsPage.tsx',
    'src/features/teams/TeamPage.tsx',
    'src/features/contacts/ContactsPage.tsx',
    'src/features/profile/ProfilePage.tsx',
    'src/features/mail-domains/MailDomainsPage.tsx',
    'src/features/mail-domains/MailDomainPage.tsx',
    'src/features/admin/AdminPage.tsx',
    'src/features/admin/StaffLoginPage.tsx',
  ])(
    'is at most 150 KB of gzipped JavaScript for %s, its chunk included (dialogs load when opened)',
    (page) => {
      const load = firstLoad(page);
      expect(load.files.length).toBeGreaterThan(firstLoad().files.length);
      expect(load.javascriptGzipBytes).toBeLessThanOrEqual(BUDGET);
    },
  );
});
