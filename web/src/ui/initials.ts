// A person's initials, for their avatar.

/** "Hélène Martin" → "HM"; "staff.e2e@example.gouv.fr" (no name) → "SE"; one word → its first letter. */
export function initialsOf(name: string, email?: string | null): string {
  const words = (name.trim() || (email ?? '').split('@')[0] || '')
    .split(/[\s._-]+/)
    .filter((w) => /\p{L}|\p{N}/u.test(w));
  const first = (word: string | undefined) => [...(word ?? '').replace(/^[^\p{L}\p{N}]+/u, '')][0] ?? '';
  const letters = words.length > 1 ? first(words[0]) + first(words.at(-1)) : first(words[0]);
  return letters.toLocaleUpperCase() || '?';
}
