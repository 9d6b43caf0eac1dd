// A team's accesses (members): one page at a time with filter and sort; add, change a role, remove; user search.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Access, FoundUser, Page, Role } from '../../api/types.ts';
import { teamKey, teamsKey } from '../teams/api.ts';

export const accessesKey = (teamId: string) => ['teams', teamId, 'accesses'] as const;

export interface AccessQuery {
  page: number;
  q: string;
  ordering: string;
}

export function useAccesses(teamId: string, { page, q, ordering }: AccessQuery) {
  const params = new URLSearchParams({ page: String(page), ordering });
  if (q.trim()) params.set('q', q.trim());
  return useQuery({
    queryKey: [...accessesKey(teamId), page, q.trim(), ordering],
    queryFn: ({ signal }) => api<Page<Access>>(`teams/${teamId}/accesses/?${params}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

/** Everything a change of membership touches: the team (member count), the lists, the members table. */
function useRefreshTeam(teamId: string) {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: teamKey(teamId) }),
      client.invalidateQueries({ queryKey: [...teamsKey, 'list'] }),
    ]);
}

export function useAddAccess(teamId: string) {
  const refresh = useRefreshTeam(teamId);
  return useMutation({
    mutationFn: ({ user, role }: { user: string; role: Role }) =>
      api<Access>(`teams/${teamId}/accesses/`, { method: 'POST', body: { user, role } }),
    onSettled: refresh,
  });
}

export function useChangeRole(teamId: string) {
  const refresh = useRefreshTeam(teamId);
  return useMutation({
    mutationFn: ({ accessId, role }: { accessId: string; role: Role }) =>
      api<Access>(`teams/${teamId}/accesses/${accessId}/`, { method: 'PATCH', body: { role } }),
    onSuccess: refresh,
  });
}

export function useRemoveAccess(teamId: string) {
  const refresh = useRefreshTeam(teamId);
  return useMutation({
    mutationFn: (accessId: string) =>
      api<void>(`teams/${teamId}/accesses/${accessId}/`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
}

/** Colleagues matching what the agent typed, leaving out the team's members; a new query cancels the last. */
export function useUserSearch(teamId: string, q: string) {
  const query = q.trim();
  return useQuery({
    queryKey: ['users', 'search', teamId, query],
    queryFn: ({ signal }) =>
      api<Page<FoundUser>>(`users/?${new URLSearchParams({ q: query, team_id: teamId, page_size: '10' })}`, {
        signal,
      }),
    enabled: query.length >= 2,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** The team's members whose name or email holds what was typed: "Add members" shows them as already there. */
export function useMemberMatches(teamId: string, q: string) {
  const query = q.trim();
  return useQuery({
    queryKey: [...accessesKey(teamId), 'matching', query],
    queryFn: ({ signal }) =>
      api<Page<Access>>(
        `teams/${teamId}/accesses/?${new URLSearchParams({ q: query, ordering: 'user__name', page_size: '5' })}`,
        { signal },
      ),
    enabled: query.length >= 2,
    placeholderData: keepPreviousData,
  });
}
