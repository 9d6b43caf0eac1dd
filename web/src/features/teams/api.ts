// Teams: my list, one team, create, rename, delete, move in the tree; each mutation refreshes what it changed.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Team } from '../../api/types.ts';

export const teamsKey = ['teams'] as const;
export const teamKey = (id: string) => ['teams', id] as const;

export function useTeams(ordering: string) {
  return useQuery({
    queryKey: [...teamsKey, 'list', ordering],
    queryFn: ({ signal }) => api<Team[]>(`teams/?ordering=${encodeURIComponent(ordering)}`, { signal }),
  });
}

export function useTeam(id: string) {
  return useQuery({
    queryKey: teamKey(id),
    queryFn: ({ signal }) => api<Team>(`teams/${encodeURIComponent(id)}/`, { signal }),
  });
}

export function useCreateTeam() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, parent = null }: { name: string; parent?: string | null }) =>
      api<Team>('teams/', { method: 'POST', body: parent ? { name, parent } : { name } }),
    onSuccess: () => client.invalidateQueries({ queryKey: teamsKey }),
  });
}

export function useRenameTeam(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<Team>(`teams/${id}/`, { method: 'PATCH', body: { name } }),
    onSuccess: (team) => {
      client.setQueryData(teamKey(id), team);
      return client.invalidateQueries({ queryKey: [...teamsKey, 'list'] });
    },
  });
}

export function useDeleteTeam(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>(`teams/${id}/`, { method: 'DELETE' }),
    onSuccess: () => {
      client.removeQueries({ queryKey: teamKey(id) });
      return client.invalidateQueries({ queryKey: [...teamsKey, 'list'] });
    },
  });
}

/**
 * Puts a team under another (or makes it a root with null): both teams' pages change (the parent's sub-teams and
 * numchild, the team's parent and path), and so does every list, so all team queries refresh.
 */
export function useMoveTeam() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, parent }: { id: string; parent: string | null }) =>
      api<Team>(`teams/${encodeURIComponent(id)}/move/`, { method: 'POST', body: { parent } }),
    onSuccess: () => client.invalidateQueries({ queryKey: teamsKey }),
  });
}
