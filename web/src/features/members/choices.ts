// What "Add members" offers for what was typed, and how chosen people are told apart: plain logic, tested alone.
import type { FoundUser, Role } from '../../api/types.ts';
import { ROLES } from '../../api/types.ts';

/** Someone chosen: an existing user (an access at once) or an email (an invitation). */
export type Chosen = { kind: 'user'; user: FoundUser } | { kind: 'email'; email: string };

/** Someone matching what was typed who is in the team already: shown as such, never chosen. */
export type Member = { kind: 'member'; user: FoundUser };

export type Option = Chosen | Member;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function keyOf(option: Option): string {
  return option.kind === 'email' ? `email:${option.email.toLowerCase()}` : `${option.kind}:${option.user.id}`;
}

/** How a person is called in the dialog: their name, else their email. */
export function nameOf(option: Option): string {
  return option.kind === 'email' ? option.email : option.user.name || option.user.email || '';
}

/**
 * The options for what was typed: the users found, an invitation when a full new email was typed, then the team's
 * members who match (the search leaves them out, so without them a member's name would find "nobody").
 */
export function optionsFor(
  typed: string,
  found: FoundUser[],
  chosen: Chosen[],
  members: FoundUser[] = [],
): Option[] {
  const taken = new Set(chosen.map(keyOf));
  const email = typed.trim().toLowerCase();
  const options: Option[] = found.map((user) => ({ kind: 'user', user }));
  const known = [...found, ...members].some((u) => u.email?.toLowerCase() === email);
  if (EMAIL.test(email) && !known) options.push({ kind: 'email', email: typed.trim() });
  const foundIds = new Set(found.map((u) => u.id));
  return [
    ...options.filter((option) => !taken.has(keyOf(option))),
    ...members.filter((user) => !foundIds.has(user.id)).map((user): Member => ({ kind: 'member', user })),
  ];
}

/** The roles offered, in rank order: those allowed, plus the current one so the picker shows where it stands. */
export function offeredRoles(allowed: readonly Role[], current?: Role): Role[] {
  return ROLES.filter((r) => allowed.includes(r) || r === current);
}

/** What "Add members" holds between openings: closed by Escape or a click outside, it keeps who was chosen. */
export interface AddMembersDraft {
  chosen: Chosen[];
  /** The role picked; null for the first role the agent may give. */
  role: Role | null;
}

export const NO_DRAFT: AddMembersDraft = { chosen: [], role: null };
