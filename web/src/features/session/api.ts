// Who is signed in, what this Desk offers, and the agent's own settings (language, time zone).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api } from '../../api/client.ts';
import type { FrontendConfig, Me } from '../../api/types.ts';
import i18n, { shortOf, switchLanguage } from '../../i18n/index.ts';

export const meKey = ['me'] as const;

export function useConfig() {
  return useQuery({
    queryKey: ['config'],
    queryFn: ({ signal }) => api<FrontendConfig>('config/', { signal }),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** The signed-in agent, or null when signed out (a 401 is an answer here, not an error). */
export function useMe() {
  return useQuery({
    queryKey: meKey,
    queryFn: async ({ signal }) => {
      try {
        const me = await api<Me>('users/me/', { signal });
        if (shortOf(me.language) !== i18n.language) await switchLanguage(shortOf(me.language));
        return me;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

export function useUpdateMe() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: { id: string; language?: string; timezone?: string }) =>
      api<Me>(`users/${id}/`, { method: 'PATCH', body: changes }),
    onSuccess: async (me) => {
      client.setQueryData(meKey, me);
      await switchLanguage(shortOf(me.language));
      // Dates and role names in lists follow the new language and time zone.
      await client.invalidateQueries({
        predicate: (q) => q.queryKey[0] !== 'me' && q.queryKey[0] !== 'config',
      });
    },
  });
}

/** Provider logout (DESIGN.md §3): a POSTed form, so the browser follows the redirects to the provider and back. */
export function logOut(): void {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = '/api/v1.0/logout/';
  const token = document.cookie
    .split('; ')
    .find((c) => c.startsWith('csrftoken='))
    ?.slice('csrftoken='.length);
  const field = document.createElement('input');
  field.type = 'hidden';
  field.name = 'csrfmiddlewaretoken';
  field.value = token ?? '';
  form.append(field);
  document.body.append(form);
  form.submit();
}
