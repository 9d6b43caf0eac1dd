// The staff API (DESIGN.md §8): users, teams, invitations, service providers, organizations, mail domains, jobs and
// the audit log.
// Lists keep the previous page on screen while the next one loads; each change refreshes what it touched.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type {
  AdminInvitation,
  AdminMailDomain,
  AdminTeam,
  AdminTeamDetail,
  AdminUser,
  AdminUserDetail,
  AuditEvent,
  CreatedScimClient,
  Job,
  Organization,
  Page,
  ScimClient,
  ScimClientDetail,
  ServiceProvider,
} from '../../api/types.ts';
import { PAGE_SIZE } from '../../ui/paging.ts';

const adminKey = ['admin'] as const;

/** A query string from the filters that are set (empty ones left out). */
export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

function usePage<T>(resource: string, params: Record<string, string | number | boolean | undefined>) {
  const path = `admin/${resource}/${queryString({ ...params, page_size: PAGE_SIZE })}`;
  return useQuery({
    queryKey: [...adminKey, resource, 'list', params],
    queryFn: ({ signal }) => api<Page<T>>(path, { signal }),
    placeholderData: keepPreviousData,
  });
}

// Users

export interface UserFilters {
  q?: string;
  is_active?: boolean;
  is_staff?: boolean;
  ordering?: string;
  page: number;
}

export const useAdminUsers = (filters: UserFilters) => usePage<AdminUser>('users', { ...filters });

export function useAdminUser(id: string) {
  return useQuery({
    queryKey: [...adminKey, 'users', id],
    queryFn: ({ signal }) => api<AdminUserDetail>(`admin/users/${encodeURIComponent(id)}/`, { signal }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: { id: string; is_active?: boolean; is_staff?: boolean }) =>
      api<AdminUserDetail>(`admin/users/${id}/`, { method: 'PATCH', body: changes }),
    onSuccess: (user) => {
      client.setQueryData([...adminKey, 'users', user.id], user);
      return client.invalidateQueries({ queryKey: [...adminKey, 'users', 'list'] });
    },
  });
}

// Teams

export const useAdminTeams = (filters: { q?: string; page: number }) => usePage<AdminTeam>('teams', filters);

export function useAdminTeam(id: string) {
  return useQuery({
    queryKey: [...adminKey, 'teams', id],
    queryFn: ({ signal }) => api<AdminTeamDetail>(`admin/teams/${encodeURIComponent(id)}/`, { signal }),
  });
}

// Invitations

export const useAdminInvitations = (filters: { q?: string; is_expired?: boolean; page: number }) =>
  usePage<AdminInvitation>('invitations', filters);

export function useCancelAdminInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`admin/invitations/${id}/`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: [...adminKey, 'invitations'] }),
  });
}

// Service providers

export function useServiceProviders() {
  return useQuery({
    queryKey: [...adminKey, 'service-providers'],
    queryFn: ({ signal }) => api<ServiceProvider[]>('admin/service-providers/', { signal }),
  });
}

export function useRenameServiceProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) =>
      api<ServiceProvider>(`admin/service-providers/${id}/`, { method: 'PATCH', body: { name } }),
    onSuccess: () => client.invalidateQueries({ queryKey: [...adminKey, 'service-providers'] }),
  });
}

// Organizations

export const useOrganizations = (filters: { q?: string; page: number }) =>
  usePage<Organization>('organizations', filters);

export function useAdminOrganization(id: string) {
  return useQuery({
    queryKey: [...adminKey, 'organizations', id],
    queryFn: ({ signal }) => api<Organization>(`admin/organizations/${encodeURIComponent(id)}/`, { signal }),
  });
}

// SCIM clients of an organization (DESIGN.md §9): a handful each, listed whole.

const scimKey = (organizationId: string) => [...adminKey, 'organizations', organizationId, 'scim-clients'];
const scimPath = (organizationId: string) =>
  `admin/organizations/${encodeURIComponent(organizationId)}/scim-clients/`;

export function useScimClients(organizationId: string) {
  return useQuery({
    queryKey: scimKey(organizationId),
    queryFn: ({ signal }) => api<ScimClient[]>(scimPath(organizationId), { signal }),
  });
}

export function useScimClient(organizationId: string, clientId: string) {
  return useQuery({
    queryKey: [...scimKey(organizationId), clientId],
    queryFn: ({ signal }) =>
      api<ScimClientDetail>(`${scimPath(organizationId)}${encodeURIComponent(clientId)}/`, { signal }),
  });
}

export function useCreateScimClient(organizationId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      api<CreatedScimClient>(scimPath(organizationId), { method: 'POST', body: { name } }),
    onSuccess: () => client.invalidateQueries({ queryKey: scimKey(organizationId) }),
  });
}

export function useRevokeScimClient(organizationId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (clientId: string) =>
      api<void>(`${scimPath(organizationId)}${encodeURIComponent(clientId)}/`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: scimKey(organizationId) }),
  });
}

export interface OrganizationChanges {
  name?: string;
  is_active?: boolean;
  domain_list?: string[];
  registration_id_list?: string[];
}

function useOrganizationChange<A, R>(request: (args: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: request,
    // Users and teams show their organization: a merge or a rename changes them too.
    onSuccess: () => client.invalidateQueries({ queryKey: adminKey }),
  });
}

export const useCreateOrganization = () =>
  useOrganizationChange((body: OrganizationChanges & { name: string }) =>
    api<Organization>('admin/organizations/', { method: 'POST', body }),
  );

export const useUpdateOrganization = () =>
  useOrganizationChange(({ id, ...body }: OrganizationChanges & { id: string }) =>
    api<Organization>(`admin/organizations/${id}/`, { method: 'PATCH', body }),
  );

export interface MergeResult {
  organization: Organization;
  users: number;
  teams: number;
}

export const useMergeOrganization = () =>
  useOrganizationChange(({ id, into }: { id: string; into: string }) =>
    api<MergeResult>(`admin/organizations/${id}/merge/`, { method: 'POST', body: { into } }),
  );

// Mail domains

export const useAdminMailDomains = (filters: { q?: string; status?: string; page: number }) =>
  usePage<AdminMailDomain>('mail-domains', filters);

/** A check at dimail now (503 when it does not answer); the list shows the status it found. */
export function useCheckAdminMailDomain() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<AdminMailDomain>(`admin/mail-domains/${id}/check/`, { method: 'POST' }),
    onSuccess: () => client.invalidateQueries({ queryKey: [...adminKey, 'mail-domains'] }),
  });
}

// Jobs

export const JOB_STATUSES = ['pending', 'done', 'failed'] as const;

export const useJobs = (filters: { status?: string; page: number }) => usePage<Job>('jobs', filters);

export function useRetryJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<Job>(`admin/jobs/${id}/retry/`, { method: 'POST' }),
    onSuccess: () => client.invalidateQueries({ queryKey: [...adminKey, 'jobs'] }),
  });
}

// Audit log

export interface AuditFilters {
  event?: string;
  actor?: string;
  target?: string;
  since?: string;
  until?: string;
}

export const useAuditEvents = (filters: AuditFilters & { page: number }) =>
  usePage<AuditEvent>('audit-events', { ...filters });

/** The whole log matching the filters, as JSON lines (a download, not a page). */
export const auditExportUrl = (filters: AuditFilters) =>
  `/api/v1.0/admin/audit-events/${queryString({ ...filters, format: 'jsonl' })}`;
