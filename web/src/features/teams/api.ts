// Teams: my list, one team, create, rename, delete; each mutation refreshes what it changed.
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
    mutationFn: (name: string) => api<Team>('teams/', { method: 'POST', body: { name } }),
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
