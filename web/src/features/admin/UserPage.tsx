// /admin/users/{id}: one person's account, teams and roles, last login; disable, enable, staff access.
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useTitle } from '../../pages/errors.tsx';
import { Empty, LoadError, Loading } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { useOrganizationName } from '../organizations/use-organization-name.ts';
import { useAdminUser } from './api.ts';
import { Missing, StatusBadge } from './parts.tsx';
import { UserActions } from './UserActions.tsx';

export function UserPage() {
  const { t } = useTranslation();
  const organizationName = useOrganizationName();
  const { id = '' } = useParams();
  const user = useAdminUser(id);
  const formatDate = useFormatDate();
  const name = user.data ? user.data.name || user.data.email || user.data.id : t('admin.users.title');
  useTitle(name);
  return (
    <section aria-labelledby="admin-user-title">
      <p className="breadcrumb">
        <Link to="/admin/users">{t('admin.users.back')}</Link>
      </p>
      {user.isPending ? (
        <Loading />
      ) : user.isError ? (
        <LoadError error={user.error} retry={() => user.refetch()} />
      ) : (
        <>
          <div className="page-head">
            <h1 id="admin-user-title">{name}</h1>
            <UserActions user={user.data} />
          </div>
          <dl className="facts">
            <dt>{t('admin.users.email')}</dt>
            <dd>{user.data.email ?? <Missing />}</dd>
            <dt>{t('admin.users.sub')}</dt>
            <dd>{user.data.sub ?? <Missing />}</dd>
            <dt>{t('admin.users.organization')}</dt>
            <dd>{user.data.organization ? organizationName(user.data.organization.name) : <Missing />}</dd>
            <dt>{t('admin.users.status')}</dt>
            <dd>
              <StatusBadge
                active={user.data.is_active}
                on={t('admin.users.active')}
                off={t('admin.users.disabled')}
              />
              {user.data.is_staff && <span className="badge">{t('admin.users.staff')}</span>}
              {user.data.is_superuser && <span className="badge">{t('admin.users.superuser')}</span>}
            </dd>
            <dt>{t('admin.users.lastLogin')}</dt>
            <dd>{user.data.last_login ? formatDate(user.data.last_login, true) : t('admin.users.never')}</dd>
            <dt>{t('admin.created')}</dt>
            <dd>{formatDate(user.data.created_at, true)}</dd>
          </dl>
          <section aria-labelledby="admin-user-teams" className="section">
            <h2 id="admin-user-teams">{t('admin.users.teams')}</h2>
            {user.data.teams.length === 0 ? (
              <Empty>{t('admin.users.noTeams')}</Empty>
            ) : (
              <table className="table" aria-labelledby="admin-user-teams">
                <thead>
                  <tr>
                    <th scope="col">{t('admin.teams.name')}</th>
                    <th scope="col">{t('admin.role')}</th>
                  </tr>
                </thead>
                <tbody>
                  {user.data.teams.map((team) => (
                    <tr key={team.id}>
                      <th scope="row">
                        <Link to={`/admin/teams/${team.id}`}>{team.name}</Link>
                      </th>
                      <td>{t(`roles.${team.role}`)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </section>
  );
}
