// /admin/users: find people by name, email or sub; filter active and staff; sort; disable or enable them.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useTitle } from '../../pages/errors.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState, SearchField, SelectField, SortHeader } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useDebounced } from '../../ui/use-debounced.ts';
import { useOrganizationName } from '../organizations/use-organization-name.ts';
import { useAdminUsers } from './api.ts';
import { Missing, StatusBadge } from './parts.tsx';
import { UserActions } from './UserActions.tsx';

type Tri = 'all' | 'yes' | 'no';
const flag = (v: Tri) => (v === 'all' ? undefined : v === 'yes');

export function UsersPage() {
  const { t } = useTranslation();
  const organizationName = useOrganizationName();
  useTitle(t('admin.users.title'));
  const formatDate = useFormatDate();
  const [q, setQ] = useState('');
  const [active, setActive] = useState<Tri>('all');
  const [staff, setStaff] = useState<Tri>('all');
  const [ordering, setOrdering] = useState('-created_at');
  const [page, setPage] = useState(1);
  const search = useDebounced(q.trim());
  const users = useAdminUsers({
    q: search,
    is_active: flag(active),
    is_staff: flag(staff),
    ordering,
    page,
  });
  const reset =
    <V,>(set: (v: V) => void) =>
    (v: V) => {
      set(v);
      setPage(1);
    };
  const sort = (column: string, label: string) => (
    <SortHeader column={column} label={label} ordering={ordering} onOrdering={reset(setOrdering)} />
  );

  return (
    <section aria-labelledby="admin-users-title">
      <h1 id="admin-users-title">{t('admin.users.title')}</h1>
      <div className="toolbar">
        <SearchField label={t('admin.users.search')} value={q} onChange={reset(setQ)} />
        <SelectField
          label={t('admin.users.status')}
          value={active}
          onChange={reset(setActive)}
          options={[
            { value: 'all', label: t('admin.all') },
            { value: 'yes', label: t('admin.users.active') },
            { value: 'no', label: t('admin.users.disabled') },
          ]}
        />
        <SelectField
          label={t('admin.users.staffFilter')}
          value={staff}
          onChange={reset(setStaff)}
          options={[
            { value: 'all', label: t('admin.all') },
            { value: 'yes', label: t('admin.users.staff') },
            { value: 'no', label: t('admin.users.notStaff') },
          ]}
        />
      </div>
      <ListState
        query={users}
        empty={users.data?.results.length === 0 ? t('admin.users.empty') : null}
        page={page}
        pages={pagesOf(users.data?.count)}
        onPage={setPage}
      >
        <table className="table" aria-label={t('admin.users.list')}>
          <thead>
            <tr>
              {sort('name', t('admin.users.name'))}
              {sort('email', t('admin.users.email'))}
              <th scope="col">{t('admin.users.organization')}</th>
              <th scope="col">{t('admin.users.status')}</th>
              {sort('last_login', t('admin.users.lastLogin'))}
              {sort('created_at', t('admin.created'))}
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {users.data?.results.map((user) => (
              <tr key={user.id}>
                <th scope="row" id={`user-${user.id}`}>
                  <Link to={`/admin/users/${user.id}`}>{user.name || user.email || user.id}</Link>
                </th>
                <td>{user.email ?? <Missing />}</td>
                <td>{user.organization ? organizationName(user.organization.name) : <Missing />}</td>
                <td>
                  <StatusBadge
                    active={user.is_active}
                    on={t('admin.users.active')}
                    off={t('admin.users.disabled')}
                  />
                  {user.is_staff && <span className="badge">{t('admin.users.staff')}</span>}
                </td>
                <td>{user.last_login ? formatDate(user.last_login, true) : t('admin.users.never')}</td>
                <td>{formatDate(user.created_at)}</td>
                <td>
                  <UserActions user={user} describedBy={`user-${user.id}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
    </section>
  );
}
