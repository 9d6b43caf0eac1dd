// The address "Create a mailbox" offers from the names typed (web/src/features/mail-domains/local-part.ts).
import { describe, expect, it } from 'vitest';
import { suggestedLocalPart } from '../../web/src/features/mail-domains/local-part.ts';

describe('the address offered for a new mailbox', () => {
  it('is first.last in lower case', () => {
    expect(suggestedLocalPart('Ada', 'Lovelace')).toBe('ada.lovelace');
  });

  it('drops accents and keeps hyphens', () => {
    expect(suggestedLocalPart('Marie-Thérèse', 'Rodríguez-Villeneuve')).toBe(
      'marie-therese.rodriguez-villeneuve',
    );
  });

  it('turns spaces and apostrophes into hyphens and leaves out what an address refuses', () => {
    expect(suggestedLocalPart('Jean Baptiste', "D'Alembert (DGFiP)")).toBe('jean-baptiste.d-alembert-dgfip');
  });

  it('is one name alone when the other is empty, and empty with no name', () => {
    expect(suggestedLocalPart('', 'Curie')).toBe('curie');
    expect(suggestedLocalPart('  ', '')).toBe('');
  });
});
