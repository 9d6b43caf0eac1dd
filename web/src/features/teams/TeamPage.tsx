// /teams/:id: the team's name and dates, its parent, rename / delete / leave / detach where allowed, its members and
// invitations (not for a team seen only through a sub-team), its webhooks (for who administers it), its sub-teams.
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import type { Team } from '../../api/types.ts';
import { NotFound, useTitle } from '../../pages/errors.tsx';
import { LoadError, Loading, useToast } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { PendingInvitations } from '../invitations/PendingInvitations.tsx';
import { useAccesses } from '../members/api.ts';
import { MembersSection } from '../members/MembersSection.tsx';
import { useMe } from '../session/api.ts';
import { WebhooksSection } from '../webhooks/WebhooksSection.tsx';
import { useRenameTeam, useTeam, useTeams } from './api.ts';
import { SubTeamsSection } from './SubTeamsSection.tsx';
import { parentOf } from './tree.ts';

// Dialogs load when first opened (react-aria with them).
const TeamNameDialog = lazy(() => import('./TeamNameDialog.tsx'));
const DeleteTeamDialog = lazy(() => import('./DeleteTeamDialog.tsx'));
const RemoveDialog = lazy(() =>
  import('../members/MemberDialogs.tsx').then((m) => ({ default: m.RemoveDialog })),
);
const DetachDialog = lazy(() => import('./TreeDialogs.tsx').then((m) => ({ default: m.DetachDialog })));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "Leave team" on the agent's own access, or the reason they cannot. */
function Leave({ team }: { team: Team }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const [leaving, setLeaving] = useState(false);
  const mine = useAccesses(team.id, { page: 1, q: me?.email ?? '', ordering: 'role' });
  const own = mine.data?.results.find((a) => a.user.id === me?.id);
  if (!own) return null;
  if (!own.abilities.delete)
    return own.abilities.reason === 'last_owner' ? (
      <p className="why">{t('members.why.last_owner')}</p>
    ) : null;
  return (
    <>
      <button type="button" className="button" onClick={() => setLeaving(true)}>
        {t('team.leave')}
      </button>
      {leaving && (
        <Suspense fallback={null}>
          <RemoveDialog team={team} access={own} self onClose={() => setLeaving(false)} />
        </Suspense>
      )}
    </>
  );
}

function TeamView({ team }: { team: Team }) {
  const { t } = useTranslation();
  useTitle(team.name);
  const formatDate = useFormatDate();
  const rename = useRenameTeam(team.id);
  const toast = useToast();
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [detaching, setDetaching] = useState(false);
  // The agent's teams and their ancestors: where the parent's name and the visible sub-teams come from.
  const teams = useTeams('name').data ?? [];
  const parent = parentOf(teams, team);
  const administers = team.abilities.put && !team.via_sub_team;
  return (
    <article aria-labelledby="team-title">
      <p className="breadcrumb">
        <Link to="/teams">{t('team.back')}</Link>
      </p>
      <div className="page-head">
        <div>
          <h1 id="team-title">{team.name}</h1>
          <p className="muted">
            {team.via_sub_team ? t('tree.parent') : t(`roles.${team.role}`)} ·{' '}
            {t('teams.members', { count: team.member_count })} ·{' '}
            {t('team.info', { created: formatDate(team.created_at), updated: formatDate(team.updated_at) })}
          </p>
          {parent && (
            <p className="team-parent">
              {t('tree.parentOf')} <Link to={`/teams/${parent.id}`}>{parent.name}</Link>
            </p>
          )}
        </div>
        <div className="head-actions">
          {team.abilities.put && (
            <button type="button" className="button" onClick={() => setRenaming(true)}>
              {t('team.rename')}
            </button>
          )}
          {administers && parent && (
            <button type="button" className="button" onClick={() => setDetaching(true)}>
              {t('tree.detach')}
            </button>
          )}
          {/* Its accesses answer 404 to who sees the team through a sub-team. */}
          {!team.via_sub_team && <Leave team={team} />}
          {team.abilities.delete && (
            <button type="button" className="button button-danger-quiet" onClick={() => setDeleting(true)}>
              {t('team.delete')}
            </button>
          )}
        </div>
      </div>
      {/* A managed team's members are the directory's: the note near the members says so, not this one. */}
      {team.via_sub_team ? (
        // Its members and invitations are not the agent's to see: the API answers 404 for them.
        <p className="notice" role="note">
          {t('tree.viaSubTeam')}
        </p>
      ) : (
        <>
          {!team.abilities.manage_accesses && !team.managed_by && (
            <p className="notice">{t('team.readOnly')}</p>
          )}
          <MembersSection team={team} />
          <PendingInvitations team={team} />
          {/* Members are answered 403 there: the section is for who administers the team. */}
          {administers && <WebhooksSection teamId={team.id} teamName={team.name} scope="team" />}
        </>
      )}
      <SubTeamsSection team={team} teams={teams} />
      <Suspense fallback={null}>
        {renaming && (
          <TeamNameDialog
            title={t('team.renameDialog')}
            submitLabel={t('common.save')}
            initial={team.name}
            isOpen={renaming}
            onOpenChange={setRenaming}
            onSubmit={async (name) => {
              await rename.mutateAsync(name);
              toast.success(t('team.renamed'));
            }}
          />
        )}
        {deleting && <DeleteTeamDialog team={team} onClose={() => setDeleting(false)} />}
        {detaching && parent && (
          <DetachDialog team={team} parent={parent} onClose={() => setDetaching(false)} />
        )}
      </Suspense>
    </article>
  );
}

export default function TeamPage() {
  const { id = '' } = useParams();
  const team = useTeam(id);
  if (!UUID.test(id) || (team.error instanceof ApiError && team.error.status === 404)) return <NotFound />;
  if (team.isPending) return <Loading />;
  if (team.isError) return <LoadError error={team.error} retry={() => team.refetch()} />;
  return <TeamView team={team.data} />;
}
