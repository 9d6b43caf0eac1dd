// A team's pending invitations: list, create (by email), cancel.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Invitation, Page, Role } from '../../api/types.ts';

export const invitationsKey = (teamId: string) => ['teams', teamId, 'invitations'] as const;

export function useInvitations(teamId: string, page: number) {
  return useQuery({
    queryKey: [...invitationsKey(teamId), page],
    queryFn: ({ signal }) => api<Page<Invitation>>(`teams/${teamId}/invitations/?page=${page}`, { signal }),
  });
}

export function useInvite(teamId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ email, role }: { email: string; role: Role }) =>
      api<Invitation>(`teams/${teamId}/invitations/`, { method: 'POST', body: { email, role } }),
    onSettled: () => client.invalidateQueries({ queryKey: ['teams', teamId] }),
  });
}

export function useCancelInvitation(teamId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`teams/${teamId}/invitations/${id}/`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: invitationsKey(teamId) }),
  });
}
