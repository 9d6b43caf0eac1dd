// /contacts: the address book (mine and the shared ones): search, create, edit and delete my own.
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Contact } from '../../api/types.ts';
import { useTitle } from '../../pages/errors.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { ListState, SearchField } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useConfig, useMe } from '../session/api.ts';
import { emailOf, useContacts, useDeleteContact } from './api.ts';

const ContactDialog = lazy(() => import('./ContactDialog.tsx'));

export default function ContactsPage() {
  const { t } = useTranslation();
  useTitle(t('contacts.title'));
  const me = useMe().data;
  const canCreate = useConfig().data?.FEATURES.CONTACTS_CREATE !== false;
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Contact | null | 'new'>(null);
  const contacts = useContacts(q, page);
  const remove = useDeleteContact();
  const toast = useToast();
  const errorText = useErrorText();
  const pages = pagesOf(contacts.data?.count);
  return (
    <section aria-labelledby="contacts-title">
      <div className="page-head">
        <h1 id="contacts-title">{t('contacts.title')}</h1>
        {canCreate && (
          <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
            {t('contacts.create')}
          </button>
        )}
      </div>
      <SearchField
        label={t('contacts.search')}
        value={q}
        onChange={(value) => {
          setQ(value);
          setPage(1);
        }}
      />
      <ListState
        query={contacts}
        empty={contacts.data?.results.length === 0 ? t('contacts.empty') : null}
        page={page}
        pages={pages}
        onPage={setPage}
      >
        <table className="table table-cards" aria-label={t('contacts.list')}>
          <thead>
            <tr>
              <th scope="col">{t('contacts.fullName')}</th>
              <th scope="col">{t('contacts.email')}</th>
              <th scope="col">{t('contacts.notes')}</th>
              <th scope="col">{t('members.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {contacts.data?.results.map((contact) => {
              const mine = contact.owner === me?.id;
              return (
                <tr key={contact.id}>
                  <th scope="row">
                    {contact.full_name}
                    <span className="badge">
                      {contact.user
                        ? t('contacts.profile')
                        : mine
                          ? t('contacts.mine')
                          : t('contacts.shared')}
                    </span>
                  </th>
                  <td>{emailOf(contact)}</td>
                  <td data-label={contact.notes ? t('contacts.notes') : undefined}>{contact.notes}</td>
                  <td>
                    <div className="row-actions">
                      {mine && (
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={t('contacts.editOf', { name: contact.full_name })}
                          onClick={() => setEditing(contact)}
                        >
                          {t('contacts.edit')}
                        </button>
                      )}
                      {mine && !contact.user && (
                        <button
                          type="button"
                          className="button button-small button-danger-quiet"
                          aria-label={t('contacts.deleteOf', { name: contact.full_name })}
                          disabled={remove.isPending}
                          onClick={() =>
                            remove.mutate(contact.id, {
                              onSuccess: () => toast.success(t('contacts.deleted')),
                              onError: (err) => toast.error(errorText(err)),
                            })
                          }
                        >
                          {t('contacts.delete')}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ListState>
      {editing && (
        <Suspense fallback={null}>
          <ContactDialog contact={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
        </Suspense>
      )}
    </section>
  );
}
