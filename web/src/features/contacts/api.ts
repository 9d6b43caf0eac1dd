// The address book: a page of contacts (searchable), create, edit, delete.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Contact, Page } from '../../api/types.ts';

const contactsKey = ['contacts'] as const;

/** A contact's first email address, or ''. */
export function emailOf(contact: Contact): string {
  const emails = (contact.data as { emails?: { value?: unknown }[] }).emails;
  const first = emails?.[0]?.value;
  return typeof first === 'string' ? first : '';
}

export interface ContactInput {
  full_name: string;
  short_name: string;
  notes: string;
  data: { emails?: { type: string; value: string }[] };
}

export function useContacts(q: string, page: number) {
  const params = new URLSearchParams({ page: String(page) });
  if (q.trim()) params.set('q', q.trim());
  return useQuery({
    queryKey: [...contactsKey, q.trim(), page],
    queryFn: ({ signal }) => api<Page<Contact>>(`contacts/?${params}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useSaveContact() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: ContactInput }) =>
      id
        ? api<Contact>(`contacts/${id}/`, { method: 'PATCH', body: input })
        : api<Contact>('contacts/', { method: 'POST', body: input }),
    onSuccess: () => client.invalidateQueries({ queryKey: contactsKey }),
  });
}

export function useDeleteContact() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`contacts/${id}/`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: contactsKey }),
  });
}
