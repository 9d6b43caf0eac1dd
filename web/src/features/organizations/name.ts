// How the app shows an organization's name: as it is, unless it is still the registration id it was made from
// (people's "no name yet", a SIRET until the company registry or staff name it), shown as "Organization 130 025 265 00013".
// Free of React, so the server's tests read it too; use-organization-name.ts gives it the agent's language.

/** The registration id a name stands for, grouped as French administrations write it; undefined for a real name. */
export function unnamedId(name: string): string | undefined {
  const digits = name.replace(/\s/g, '');
  if (!/^\d{9,}$/.test(digits)) return undefined;
  // SIREN 3-3-3, SIRET 3-3-3-5; no-break spaces, so the number never wraps.
  const groups =
    digits.length === 9 || digits.length === 14 ? digits.match(/^(\d{3})(\d{3})(\d{3})(\d*)$/) : null;
  return groups ? groups.slice(1).filter(Boolean).join('\u00a0') : digits;
}

/** The name to show, given the app's translate function. */
export function organizationName(
  name: string,
  t: (key: 'organization.unnamed', values: { id: string }) => string,
): string {
  const id = unnamedId(name);
  return id ? t('organization.unnamed', { id }) : name;
}
