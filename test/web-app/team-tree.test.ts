// Where a team sits among the agent's teams, as the team page reads it from the list (DESIGN.md §12), without a browser.
import { describe, expect, it } from 'vitest';
import type { Role, Team } from '../../web/src/api/types.ts';
import { administered, attachable, parentOf, subTeamsOf } from '../../web/src/features/teams/tree.ts';

let next = 0;
function team(name: string, path: string, parent: Team | null, role: Role, via_sub_team = false): Team {
  next += 1;
  return {
    id: `00000000-0000-4000-8000-${String(next).padStart(12, '0')}`,
    name,
    accesses: [],
    member_count: 1,
    role,
    abilities: {
      get: true,
      put: role !== 'member',
      patch: role !== 'member',
      delete: role === 'owner',
      manage_accesses: role !== 'member',
      grant_roles: [],
    },
    managed_by: null,
    parent: parent?.id ?? null,
    path,
    depth: path.length / 5,
    numchild: 0,
    via_sub_team,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
  };
}

// A directorate the agent sees through its bureau, a department they administer under it, the bureau under that,
// and two roots of theirs: one they own, one they are a member of.
const directorate = team('Directorate', '0000A', null, 'member', true);
const department = team('Department', '0000A0000B', directorate, 'administrator');
const bureau = team('Bureau', '0000A0000B0000C', department, 'owner');
const archives = team('Archives', '0000D', null, 'owner');
const choir = team('Choir', '0000E', null, 'member');
const all = [choir, bureau, archives, department, directorate];

describe('a team among the agent’s teams', () => {
  it('names its parent when the agent sees it, and none for a root', () => {
    expect(parentOf(all, bureau)?.name).toBe('Department');
    expect(parentOf(all, directorate)).toBeUndefined();
    expect(parentOf([bureau], bureau)).toBeUndefined();
  });

  it('lists the sub-teams the agent sees, by name', () => {
    expect(subTeamsOf(all, directorate).map((t) => t.name)).toEqual(['Department']);
    expect(subTeamsOf(all, archives)).toEqual([]);
  });

  it('offers as sub-teams only teams the agent administers, never an ancestor seen through a sub-team', () => {
    expect(administered(all).map((t) => t.name)).toEqual(['Bureau', 'Archives', 'Department']);
  });

  it('never offers the team itself, one of its ancestors, or one already under it', () => {
    expect(attachable(all, archives).map((t) => t.name)).toEqual(['Bureau', 'Department']);
    expect(attachable(all, bureau).map((t) => t.name)).toEqual(['Archives']);
    expect(attachable(all, department).map((t) => t.name)).toEqual(['Archives']);
  });

  it('offers a deeper team of the subtree, which moves up to sit right under it', () => {
    expect(attachable(all, directorate).map((t) => t.name)).toEqual(['Archives', 'Bureau']);
  });
});
