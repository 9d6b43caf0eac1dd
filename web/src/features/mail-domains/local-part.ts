// The address a new mailbox is offered from its owner's names: plain logic, tested alone.

/** "Hélène", "Martin-Dupont" → "helene.martin-dupont": accents dropped, what an address refuses left out. */
export function suggestedLocalPart(firstName: string, lastName: string): string {
  const clean = (name: string) =>
    name
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .trim()
      .replace(/[\s']+/g, '-')
      .replace(/[^a-z0-9_.-]/g, '')
      .replace(/^[-.]+|[-.]+$/g, '');
  return [clean(firstName), clean(lastName)].filter(Boolean).join('.');
}
