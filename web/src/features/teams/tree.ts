// Where a team sits among the agent's teams (DESIGN.md §12), read from the list the API gives: its parent, the
// sub-teams the agent sees, and the teams they could attach under it. The API decides again on every move.
import type { Team } from '../../api/types.ts';

/** Teams the agent administers themself: a team seen through a sub-team is read only, whatever its role says. */
export function administered(teams: readonly Team[]): Team[] {
  return teams.filter((t) => !t.via_sub_team && (t.role === 'administrator' || t.role === 'owner'));
}

/** The team's parent when the agent sees it (their teams and the ancestors of each); undefined for a root. */
export function parentOf(teams: readonly Team[], team: Team): Team | undefined {
  return team.parent === null ? undefined : teams.find((t) => t.id === team.parent);
}

/** The sub-teams of `team` the agent sees, by name. */
export function subTeamsOf(teams: readonly Team[], team: Team): Team[] {
  return teams.filter((t) => t.parent === team.id).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The agent's teams that could become sub-teams of `team`: administered, neither the team nor one of its ancestors
 * (that would make a cycle: a team's path starts with each ancestor's), and not already under it.
 */
export function attachable(teams: readonly Team[], team: Team): Team[] {
  return administered(teams)
    .filter((t) => !team.path.startsWith(t.path) && t.parent !== team.id)
    .sort((a, b) => a.name.localeCompare(b.name));
}
