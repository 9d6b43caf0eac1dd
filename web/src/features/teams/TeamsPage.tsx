// /teams: the agent's teams with their role (or "Parent team" for an ancestor seen through a sub-team), their parent
// and member count; filter, sort, pages; "Create a team", under a parent or not.
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { Team } from '../../api/types.ts';
import { useTitle } from '../../pages/errors.tsx';
import { Loading, useToast } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState } from '../../ui/list.tsx';
import { PAGE_SIZE, pagesOf } from '../../ui/paging.ts';
import { useMe } from '../session/api.ts';
import { useCreateTeam, useTeams } from './api.ts';
import { administered, parentOf } from './tree.ts';

// The dialog (and react-aria with it) loads when first opened: the teams page stays light to load.
const TeamNameDialog = lazy(() => import('./TeamNameDialog.tsx'));

const ORDERINGS = { newest: '-created_at', oldest: 'created_at', name: 'name' } as const;
type Sort = keyof typeof ORDERINGS;

export default function TeamsPage() {
  const { t } = useTranslation();
  useTitle(t('teams.title'));
  const me = useMe().data;
  const [sort, setSort] = useState<Sort>('newest');
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const teams = useTeams(ORDERINGS[sort]);
  const create = useCreateTeam();
  const navigate = useNavigate();
  const toast = useToast();
  const formatDate = useFormatDate();

  const shown = useMemo(() => {
    const needle = filter.trim().toLocaleLowerCase();
    return (teams.data ?? []).filter((team) => team.name.toLocaleLowerCase().includes(needle));
  }, [teams.data, filter]);
  const pages = pagesOf(shown.length);
  const current = Math.min(page, pages);
  const canCreate = me?.abilities.teams.can_create ?? false;
  // Every team's ancestors are in the list (DESIGN.md §12), so a sub-team names its parent even when filtered out.
  const parentName = (team: Team) => parentOf(teams.data ?? [], team)?.name;

  return (
    <section aria-labelledby="teams-title">
      <div className="page-head">
        <h1 id="teams-title">{t('teams.title')}</h1>
        {canCreate && (
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            {t('teams.create')}
          </button>
        )}
      </div>
      <div className="toolbar">
        <label className="field-inline">
          <span>{t('teams.filterLabel')}</span>
          <input
            className="input"
            type="search"
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value);
              setPage(1);
            }}
          />
        </label>
        <label className="field-inline">
          <span>{t('common.sortBy')}</span>
          <select className="input" value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
            <option value="newest">{t('teams.sortNewest')}</option>
            <option value="oldest">{t('teams.sortOldest')}</option>
            <option value="name">{t('teams.sortName')}</option>
          </select>
        </label>
      </div>
      <ListState
        query={teams}
        empty={shown.length === 0 ? (filter ? t('teams.emptyFiltered', { filter }) : t('teams.empty')) : null}
        page={current}
        pages={pages}
        onPage={setPage}
      >
        <table className="table table-cards" aria-label={t('teams.list')}>
          <thead>
            <tr>
              <th scope="col">{t('teams.name')}</th>
              <th scope="col">{t('teams.role')}</th>
              <th scope="col">{t('members.table')}</th>
              <th scope="col">{t('teams.createdColumn')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE).map((team) => (
              <tr key={team.id}>
                <td>
                  <Link to={`/teams/${team.id}`}>{team.name}</Link>
                  {parentName(team) && (
                    <span className="team-parent muted">
                      {t('tree.subTeamOf', { name: parentName(team) })}
                    </span>
                  )}
                </td>
                <td data-label={t('teams.role')}>
                  {team.via_sub_team ? (
                    <span className="badge badge-parent">{t('tree.parent')}</span>
                  ) : (
                    t(`roles.${team.role}`)
                  )}
                </td>
                <td>{t('teams.members', { count: team.member_count })}</td>
                <td>{t('teams.created', { date: formatDate(team.created_at) })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
      {creating && (
        <Suspense fallback={<Loading />}>
          <TeamNameDialog
            title={t('teams.createDialog')}
            submitLabel={t('teams.createSubmit')}
            isOpen={creating}
            onOpenChange={setCreating}
            parents={administered(teams.data ?? [])}
            onSubmit={async (name, parent) => {
              const team = await create.mutateAsync({ name, parent });
              toast.success(t('teams.createdToast', { name: team.name }));
              navigate(`/teams/${team.id}`);
            }}
          />
        </Suspense>
      )}
    </section>
  );
}
