// What "Add members" offers for what was typed, and how chosen people are told apart: plain logic, tested alone.
import type { FoundUser, Role } from '../../api/types.ts';
import { ROLES } from '../../api/types.ts';

/** Someone chosen: an existing user (an access at once) or an email (an invitation). */
export type Chosen = { kind: 'user'; user: FoundUser } | { kind: 'email'; email: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function keyOf(chosen: Chosen): string {
  return chosen.kind === 'user' ? `user:${chosen.user.id}` : `email:${chosen.email.toLowerCase()}`;
}

/** The options for what was typed: the users found, and an invitation when a full new email was typed. */
export function optionsFor(typed: string, found: FoundUser[], chosen: Chosen[]): Chosen[] {
  const taken = new Set(chosen.map(keyOf));
  const users: Chosen[] = found.map((user) => ({ kind: 'user', user }));
  const email = typed.trim();
  const known = found.some((u) => u.email?.toLowerCase() === email.toLowerCase());
  if (EMAIL.test(email) && !known) users.push({ kind: 'email', email });
  return users.filter((option) => !taken.has(keyOf(option)));
}

/** The roles offered, in rank order: those allowed, plus the current one so the picker shows where it stands. */
export function offeredRoles(allowed: readonly Role[], current?: Role): Role[] {
  return ROLES.filter((r) => allowed.includes(r) || r === current);
}
