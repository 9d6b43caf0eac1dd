// Mail domains (DESIGN.md §11): my domains, one domain and its check, its mailboxes, aliases, accesses and
// invitations; each mutation refreshes what it changed (the domain's mailbox count, users/me's mail abilities).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiAnswer } from '../../api/client.ts';
import type {
  DomainAccess,
  DomainInvitation,
  DomainRole,
  FoundUser,
  MailAlias,
  Mailbox,
  MailDomain,
  Page,
} from '../../api/types.ts';
import { meKey } from '../session/api.ts';

export const DOMAIN_ROLES: readonly DomainRole[] = ['viewer', 'administrator', 'owner'];

export const mailDomainsKey = ['mail-domains'] as const;
export const mailDomainKey = (slug: string) => ['mail-domains', slug] as const;
const part = (slug: string, name: string) => [...mailDomainKey(slug), name] as const;
const base = (slug: string) => `mail-domains/${encodeURIComponent(slug)}`;

export function useMailDomains(page: number) {
  return useQuery({
    queryKey: [...mailDomainsKey, 'list', page],
    queryFn: ({ signal }) => api<Page<MailDomain>>(`mail-domains/?page=${page}&ordering=name`, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useMailDomain(slug: string) {
  return useQuery({
    queryKey: mailDomainKey(slug),
    queryFn: ({ signal }) => api<MailDomain>(`${base(slug)}/`, { signal }),
  });
}

export function useAddMailDomain() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; support_email: string }) =>
      api<MailDomain>('mail-domains/', { method: 'POST', body: input }),
    onSuccess: (domain) => {
      client.setQueryData(mailDomainKey(domain.slug), domain);
      // The creator is its owner: users/me's abilities.mailboxes change with a first domain.
      return Promise.all([
        client.invalidateQueries({ queryKey: [...mailDomainsKey, 'list'] }),
        client.invalidateQueries({ queryKey: meKey }),
      ]);
    },
  });
}

/** people's fetch/: dimail checks the domain now (503 when it does not answer). */
export function useCheckMailDomain(slug: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<MailDomain>(`${base(slug)}/fetch/`, { method: 'POST' }),
    onSuccess: (domain) => {
      client.setQueryData(mailDomainKey(slug), domain);
      return client.invalidateQueries({ queryKey: [...mailDomainsKey, 'list'] });
    },
  });
}

/** The domain, its lists and the list of domains: what a change inside a domain may move (counts, statuses). */
function useRefresh(slug: string) {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: mailDomainKey(slug) }),
      client.invalidateQueries({ queryKey: [...mailDomainsKey, 'list'] }),
    ]);
}

// Mailboxes

export function useMailboxes(slug: string, page: number) {
  return useQuery({
    queryKey: [...part(slug, 'mailboxes'), page],
    queryFn: ({ signal }) => api<Page<Mailbox>>(`${base(slug)}/mailboxes/?page=${page}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

export interface MailboxInput {
  first_name: string;
  last_name: string;
  local_part: string;
  secondary_email: string;
}

export function useCreateMailbox(slug: string) {
  const refresh = useRefresh(slug);
  return useMutation({
    mutationFn: (input: MailboxInput) =>
      api<Mailbox>(`${base(slug)}/mailboxes/`, { method: 'POST', body: input }),
    onSuccess: refresh,
  });
}

export function useUpdateMailbox(slug: string) {
  const refresh = useRefresh(slug);
  return useMutation({
    mutationFn: ({ id, ...changes }: Omit<MailboxInput, 'local_part'> & { id: string }) =>
      api<Mailbox>(`${base(slug)}/mailboxes/${id}/`, { method: 'PATCH', body: changes }),
    onSuccess: refresh,
  });
}

export type MailboxAction = 'enable' | 'disable' | 'reset_password' | 'login_link';

/** An action on a mailbox; `queued` when the mail platform did not answer and a job will finish it (202). */
export function useMailboxAction(slug: string) {
  const refresh = useRefresh(slug);
  return useMutation({
    mutationFn: async ({ id, action }: { id: string; action: MailboxAction }) => {
      const { status, body } = await apiAnswer<Mailbox>(`${base(slug)}/mailboxes/${id}/${action}/`, {
        method: 'POST',
      });
      return { mailbox: body, queued: status === 202 };
    },
    onSettled: refresh,
  });
}

// Aliases

export function useAliases(slug: string, page: number) {
  return useQuery({
    queryKey: [...part(slug, 'aliases'), page],
    queryFn: ({ signal }) => api<Page<MailAlias>>(`${base(slug)}/aliases/?page=${page}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useCreateAlias(slug: string) {
  const refresh = useRefresh(slug);
  return useMutation({
    mutationFn: (input: { local_part: string; destination: string }) =>
      api<MailAlias>(`${base(slug)}/aliases/`, { method: 'POST', body: input }),
    onSuccess: refresh,
  });
}

export function useDeleteAlias(slug: string) {
  const refresh = useRefresh(slug);
  return useMutation({
    mutationFn: (id: string) => api<void>(`${base(slug)}/aliases/${id}/`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
}

// Accesses

export function useDomainAccesses(slug: string, page: number) {
  return useQuery({
    queryKey: [...part(slug, 'accesses'), page],
    queryFn: ({ signal }) =>
      api<Page<DomainAccess>>(`${base(slug)}/accesses/?page=${page}&ordering=user__name`, { signal }),
    placeholderData: keepPreviousData,
  });
}

/** Colleagues who may be given an access (those who have one are left out), for what was typed. */
export function useAccessCandidates(slug: string, q: string) {
  const query = q.trim();
  return useQuery({
    queryKey: [...part(slug, 'candidates'), query],
    queryFn: ({ signal }) =>
      api<FoundUser[]>(`${base(slug)}/accesses/users/?${new URLSearchParams({ q: query })}`, { signal }),
    enabled: query.length >= 2,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export function useGrantAccess(slug: string) {
  const refresh = useRefresh(slug);
  return useMutation({
    mutationFn: ({ user, role }: { user: string; role: DomainRole }) =>
      api<DomainAccess>(`${base(slug)}/accesses/`, { method: 'POST', body: { user, role } }),
    onSuccess: refresh,
  });
}

export function useChangeDomainRole(slug: string) {
  const refresh = useRefresh(slug);
  return useMutation({
    mutationFn: ({ id, role }: { id: string; role: DomainRole }) =>
      api<DomainAccess>(`${base(slug)}/accesses/${id}/`, { method: 'PATCH', body: { role } }),
    onSuccess: refresh,
  });
}

/** Removes an access; `self`: the agent's own, after which the domain is no longer theirs to load (404). */
export function useRevokeAccess(slug: string) {
  const client = useQueryClient();
  const refresh = useRefresh(slug);
  return useMutation({
    mutationFn: ({ id }: { id: string; self: boolean }) =>
      api<void>(`${base(slug)}/accesses/${id}/`, { method: 'DELETE' }),
    onSuccess: (_, { self }) =>
      self
        ? Promise.all([
            client.invalidateQueries({ queryKey: [...mailDomainsKey, 'list'] }),
            client.invalidateQueries({ queryKey: meKey }),
          ])
        : refresh(),
  });
}

// Invitations

export function useDomainInvitations(slug: string, page: number) {
  return useQuery({
    queryKey: [...part(slug, 'invitations'), page],
    queryFn: ({ signal }) =>
      api<Page<DomainInvitation>>(`${base(slug)}/invitations/?page=${page}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

/** An invitation, or (a colleague with an account) the access at once: `{detail}` instead of the invitation. */
export function useInviteToDomain(slug: string) {
  const refresh = useRefresh(slug);
  return useMutation({
    mutationFn: (input: { email: string; role: DomainRole }) =>
      api<DomainInvitation | { detail: string }>(`${base(slug)}/invitations/`, {
        method: 'POST',
        body: input,
      }),
    onSettled: refresh,
  });
}

export function useResendInvitation(slug: string) {
  const refresh = useRefresh(slug);
  return useMutation({
    mutationFn: (id: string) =>
      api<DomainInvitation | { detail: string }>(`${base(slug)}/invitations/${id}/refresh/`, {
        method: 'POST',
      }),
    onSettled: refresh,
  });
}

export function useCancelDomainInvitation(slug: string) {
  const refresh = useRefresh(slug);
  return useMutation({
    mutationFn: (id: string) => api<void>(`${base(slug)}/invitations/${id}/`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
}

/** The roles an agent may give (an access or an invitation): only owners make owners (DESIGN.md §11, people). */
export function grantableRoles(domain: Pick<MailDomain, 'abilities'>): DomainRole[] {
  if (!domain.abilities.manage_accesses) return [];
  // `delete` is the owner's alone among a domain's abilities: the API names no grantable roles itself.
  return domain.abilities.delete ? [...DOMAIN_ROLES] : ['viewer', 'administrator'];
}
