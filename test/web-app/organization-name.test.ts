// How the web app shows an organization still named by its SIRET, without a browser.
import { describe, expect, it } from 'vitest';
import { organizationName, unnamedId } from '../../web/src/features/organizations/name.ts';
import { en } from '../../web/src/i18n/en.ts';
import { fr } from '../../web/src/i18n/fr.ts';

const translate =
  (catalog: typeof en | typeof fr) =>
  (_key: 'organization.unnamed', { id }: { id: string }) =>
    catalog.organization.unnamed.replace('{{id}}', id);

describe("an organization's name in the app", () => {
  it('is "Organization" and the SIRET in groups, in the agent\'s language, while it is a SIRET', () => {
    expect(organizationName('13002526500013', translate(en))).toBe(
      'Organization 130\u00a0025\u00a0265\u00a000013',
    );
    expect(organizationName('13002526500013', translate(fr))).toBe(
      'Organisation 130\u00a0025\u00a0265\u00a000013',
    );
  });

  it('groups a SIREN too, and shows other long numbers whole', () => {
    expect(unnamedId('130025265')).toBe('130\u00a0025\u00a0265');
    expect(unnamedId('1234567890')).toBe('1234567890');
  });

  it('is the name itself otherwise: a real name, a mail domain, a short number', () => {
    for (const name of ['Direction Interministerielle du Numerique', 'ville-lyon.fr', '2024'])
      expect(organizationName(name, translate(en))).toBe(name);
  });
});
