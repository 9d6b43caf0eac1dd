// The initials beside a person's name, without a browser.
import { describe, expect, it } from 'vitest';
import { initialsOf } from '../../web/src/ui/initials.ts';

describe("a person's initials", () => {
  it('are the first letters of the first and last names', () => {
    expect(initialsOf('Hélène Martin')).toBe('HM');
    expect(initialsOf('Jean-Baptiste de la Fontaine')).toBe('JF');
  });

  it('keep accented and non-Latin letters whole', () => {
    expect(initialsOf('élodie ömer')).toBe('ÉÖ');
    expect(initialsOf('Зоя Ли')).toBe('ЗЛ');
  });

  it('come from the email address when there is no name', () => {
    expect(initialsOf('', 'staff.e2e@example.gouv.fr')).toBe('SE');
    expect(initialsOf('  ', 'agent@example.gouv.fr')).toBe('A');
  });

  it('are a question mark when there is nothing to take them from', () => {
    expect(initialsOf('', null)).toBe('?');
    expect(initialsOf('(—)')).toBe('?');
  });
});
