// A team's sub-teams the agent sees, with how many exist in all when some are not theirs to see, and "Attach a
// sub-team" for who administers the team (DESIGN.md §12).
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Team } from '../../api/types.ts';
import { attachable, subTeamsOf } from './tree.ts';

const AttachDialog = lazy(() => import('./TreeDialogs.tsx').then((m) => ({ default: m.AttachDialog })));

export function SubTeamsSection({ team, teams }: { team: Team; teams: readonly Team[] }) {
  const { t } = useTranslation();
  const [attaching, setAttaching] = useState(false);
  const seen = subTeamsOf(teams, team);
  const canAttach = team.abilities.put && !team.via_sub_team;
  // A team with no sub-team says nothing about the tree to who cannot attach one.
  if (team.numchild === 0 && seen.length === 0 && !canAttach) return null;
  return (
    <section aria-labelledby="sub-teams-title" className="section">
      <div className="section-head">
        <h2 id="sub-teams-title">{t('tree.subTeams')}</h2>
        {canAttach && (
          <button type="button" className="button" onClick={() => setAttaching(true)}>
            {t('tree.attach')}
          </button>
        )}
      </div>
      {seen.length > 0 && (
        <ul className="sub-teams" aria-labelledby="sub-teams-title">
          {seen.map((child) => (
            <li key={child.id}>
              <Link to={`/teams/${child.id}`}>{child.name}</Link>
              <span className="muted">
                {' · '}
                {child.via_sub_team ? t('tree.parent') : t(`roles.${child.role}`)} ·{' '}
                {t('teams.members', { count: child.member_count })}
              </span>
            </li>
          ))}
        </ul>
      )}
      {team.numchild > seen.length ? (
        <p className="muted">{t('tree.seenOf', { count: team.numchild, seen: seen.length })}</p>
      ) : (
        seen.length === 0 && <p className="muted">{t('tree.none')}</p>
      )}
      {attaching && (
        <Suspense fallback={null}>
          <AttachDialog
            team={team}
            candidates={attachable(teams, team)}
            onClose={() => setAttaching(false)}
          />
        </Suspense>
      )}
    </section>
  );
}
