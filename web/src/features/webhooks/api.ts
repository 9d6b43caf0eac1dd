// A team's webhooks (DESIGN.md §12): list, add, remove; at the team's own route for its administrators and owners,
// at the back office's for staff (the same shapes and rules, another base path).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Webhook, WebhookProtocol } from '../../api/types.ts';

/** Who is asking: the team's administrators (its page) or staff (the back office). */
export type WebhookScope = 'team' | 'admin';

const basePath = (teamId: string, scope: WebhookScope) =>
  `${scope === 'admin' ? 'admin/' : ''}teams/${encodeURIComponent(teamId)}/webhooks/`;

// Under the team's (or the admin team's) key: what invalidates the team invalidates its webhooks too.
export const webhooksKey = (teamId: string, scope: WebhookScope) =>
  scope === 'admin'
    ? (['admin', 'teams', teamId, 'webhooks'] as const)
    : (['teams', teamId, 'webhooks'] as const);

export interface NewWebhook {
  url: string;
  protocol: WebhookProtocol;
  secret: string | null;
}

export function useWebhooks(teamId: string, scope: WebhookScope) {
  return useQuery({
    queryKey: webhooksKey(teamId, scope),
    queryFn: ({ signal }) => api<Webhook[]>(basePath(teamId, scope), { signal }),
  });
}

export function useAddWebhook(teamId: string, scope: WebhookScope) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (webhook: NewWebhook) =>
      api<Webhook>(basePath(teamId, scope), { method: 'POST', body: webhook }),
    onSuccess: () => client.invalidateQueries({ queryKey: webhooksKey(teamId, scope) }),
  });
}

export function useRemoveWebhook(teamId: string, scope: WebhookScope) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<void>(`${basePath(teamId, scope)}${encodeURIComponent(id)}/`, { method: 'DELETE' }),
    // Also after a refusal: a webhook removed meanwhile (404) leaves the list.
    onSettled: () => client.invalidateQueries({ queryKey: webhooksKey(teamId, scope) }),
  });
}
