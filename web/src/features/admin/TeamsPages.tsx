// /admin/teams: every team, searched by name; /admin/teams/{id}: its members, linked service providers and webhooks.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useTitle } from '../../pages/errors.tsx';
import { Empty, LoadError, Loading } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState, SearchField } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useDebounced } from '../../ui/use-debounced.ts';
import { useOrganizationName } from '../organizations/use-organization-name.ts';
import { WebhooksSection } from '../webhooks/WebhooksSection.tsx';
import { useAdminTeam, useAdminTeams } from './api.ts';
import { Missing } from './parts.tsx';

export function TeamsPage() {
  const { t } = useTranslation();
  const organizationName = useOrganizationName();
  useTitle(t('admin.teams.title'));
  const formatDate = useFormatDate();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const teams = useAdminTeams({ q: useDebounced(q.trim()), page });
  return (
    <section aria-labelledby="admin-teams-title">
      <h1 id="admin-teams-title">{t('admin.teams.title')}</h1>
      <div className="toolbar">
        <SearchField
          label={t('admin.teams.search')}
          value={q}
          onChange={(v) => {
            setQ(v);
            setPage(1);
          }}
        />
      </div>
      <ListState
        query={teams}
        empty={teams.data?.results.length === 0 ? t('admin.teams.empty') : null}
        page={page}
        pages={pagesOf(teams.data?.count)}
        onPage={setPage}
      >
        <table className="table" aria-label={t('admin.teams.list')}>
          <thead>
            <tr>
              <th scope="col">{t('admin.teams.name')}</th>
              <th scope="col">{t('admin.teams.organization')}</th>
              <th scope="col">{t('admin.teams.members')}</th>
              <th scope="col">{t('admin.created')}</th>
            </tr>
          </thead>
          <tbody>
            {teams.data?.results.map((team) => (
              <tr key={team.id}>
                <th scope="row">
                  <Link to={`/admin/teams/${team.id}`}>{team.name}</Link>
                </th>
                <td>{team.organization ? organizationName(team.organization.name) : <Missing />}</td>
                <td>{team.member_count}</td>
                <td>{formatDate(team.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
    </section>
  );
}

export function TeamPage() {
  const { t } = useTranslation();
  const organizationName = useOrganizationName();
  const { id = '' } = useParams();
  const team = useAdminTeam(id);
  const formatDate = useFormatDate();
  useTitle(team.data?.name ?? t('admin.teams.title'));
  return (
    <section aria-labelledby="admin-team-title">
      <p className="breadcrumb">
        <Link to="/admin/teams">{t('admin.teams.back')}</Link>
      </p>
      {team.isPending ? (
        <Loading />
      ) : team.isError ? (
        <LoadError error={team.error} retry={() => team.refetch()} />
      ) : (
        <>
          <h1 id="admin-team-title">{team.data.name}</h1>
          <dl className="facts">
            <dt>{t('admin.teams.organization')}</dt>
            <dd>{team.data.organization ? organizationName(team.data.organization.name) : <Missing />}</dd>
            <dt>{t('admin.created')}</dt>
            <dd>{formatDate(team.data.created_at, true)}</dd>
          </dl>
          <section aria-labelledby="admin-team-members" className="section">
            <h2 id="admin-team-members">{t('admin.teams.members')}</h2>
            {team.data.members.length === 0 ? (
              <Empty>{t('admin.teams.noMembers')}</Empty>
            ) : (
              <table className="table" aria-labelledby="admin-team-members">
                <thead>
                  <tr>
                    <th scope="col">{t('admin.users.name')}</th>
                    <th scope="col">{t('admin.users.email')}</th>
                    <th scope="col">{t('admin.role')}</th>
                  </tr>
                </thead>
                <tbody>
                  {team.data.members.map((m) => (
                    <tr key={m.id}>
                      <th scope="row">
                        <Link to={`/admin/users/${m.user.id}`}>
                          {m.user.name || m.user.email || m.user.id}
                        </Link>
                      </th>
                      <td>{m.user.email ?? <Missing />}</td>
                      <td>{t(`roles.${m.role}`)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="admin-team-providers" className="section">
            <h2 id="admin-team-providers">{t('admin.providers.title')}</h2>
            {team.data.service_providers.length === 0 ? (
              <Empty>{t('admin.teams.noProviders')}</Empty>
            ) : (
              <table className="table" aria-labelledby="admin-team-providers">
                <thead>
                  <tr>
                    <th scope="col">{t('admin.providers.name')}</th>
                    <th scope="col">{t('admin.providers.audience')}</th>
                  </tr>
                </thead>
                <tbody>
                  {team.data.service_providers.map((p) => (
                    <tr key={p.id}>
                      <th scope="row">{p.name}</th>
                      <td>
                        <code>{p.audience_id}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <WebhooksSection teamId={team.data.id} teamName={team.data.name} scope="admin" />
        </>
      )}
    </section>
  );
}
