// The members table: name, email, role; filter, sort, pages; per row "Change role" and "Remove from team" where
// the row's abilities allow them, and where they don't, the reason the API gives (one's own lock is told by
// "Leave team" on the team page; a member's read-only view is told once, above the table, and a team a SCIM
// directory manages names that directory next to its members).
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Access, Team } from '../../api/types.ts';
import { Avatar } from '../../ui/avatar.tsx';
import { ListState, SearchField, SortHeader } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useMe } from '../session/api.ts';
import { useAccesses } from './api.ts';
import { type AddMembersDraft, NO_DRAFT } from './choices.ts';

// Dialogs load when first opened (react-aria with them): the team page's first load stays light.
const AddMembersDialog = lazy(() => import('./AddMembersDialog.tsx'));
const ChangeRoleDialog = lazy(() =>
  import('./MemberDialogs.tsx').then((m) => ({ default: m.ChangeRoleDialog })),
);
const RemoveDialog = lazy(() => import('./MemberDialogs.tsx').then((m) => ({ default: m.RemoveDialog })));

type Column = 'user__name' | 'user__email' | 'role';

export function MembersSection({ team }: { team: Team }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const [ordering, setOrdering] = useState<string>('-role');
  const [adding, setAdding] = useState(false);
  // Who was chosen in "Add members" outlives the dialog: Escape or a click outside does not lose them.
  const [draft, setDraft] = useState<AddMembersDraft>(NO_DRAFT);
  const [changing, setChanging] = useState<Access | null>(null);
  const [removing, setRemoving] = useState<Access | null>(null);
  const accesses = useAccesses(team.id, { page, q, ordering });
  const pages = pagesOf(accesses.data?.count);

  const sortBy = (column: Column, label: string) => (
    <SortHeader
      column={column}
      label={label}
      ordering={ordering}
      onOrdering={(next) => {
        setOrdering(next);
        setPage(1);
      }}
    />
  );

  return (
    <section aria-labelledby="members-title" className="section">
      <div className="section-head">
        <h2 id="members-title">{t('members.table')}</h2>
        {team.abilities.manage_accesses && (
          <div className="head-actions">
            {draft.chosen.length > 0 && !adding && (
              <span id="add-members-draft" className="muted">
                {t('addMembers.draftKept', { count: draft.chosen.length })}
              </span>
            )}
            <button
              type="button"
              className="button button-primary"
              aria-describedby={draft.chosen.length > 0 && !adding ? 'add-members-draft' : undefined}
              onClick={() => setAdding(true)}
            >
              {t('members.add')}
            </button>
          </div>
        )}
      </div>
      {team.managed_by && (
        <p className="notice" role="note">
          {t('team.managedBy', { name: team.managed_by.name })}
        </p>
      )}
      <SearchField
        label={t('members.filterLabel')}
        value={q}
        onChange={(value) => {
          setQ(value);
          setPage(1);
        }}
      />
      <ListState
        query={accesses}
        empty={accesses.data?.results.length === 0 ? t('members.empty') : null}
        page={page}
        pages={pages}
        onPage={setPage}
      >
        <table className="table table-cards" aria-label={t('members.table')}>
          <thead>
            <tr>
              {sortBy('user__name', t('members.name'))}
              {sortBy('user__email', t('members.email'))}
              {sortBy('role', t('members.role'))}
              <th scope="col">{t('members.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {accesses.data?.results.map((access) => {
              const self = access.user.id === me?.id;
              const name = access.user.name || access.user.email || '';
              return (
                <tr key={access.id}>
                  <td>
                    <span className="person">
                      <Avatar name={access.user.name} email={access.user.email} />
                      <span>
                        {name}
                        {self && <span className="muted"> ({t('common.you')})</span>}
                      </span>
                    </span>
                  </td>
                  <td>{access.user.email}</td>
                  <td data-label={t('members.role')}>{t(`roles.${access.role}`)}</td>
                  <td>
                    <div className="row-actions">
                      {access.abilities.set_role_to.length > 0 && (
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={t('members.changeRole')}
                          aria-describedby={`member-${access.id}`}
                          onClick={() => setChanging(access)}
                        >
                          {t('members.changeRole')}
                        </button>
                      )}
                      {access.abilities.delete && !self && (
                        <button
                          type="button"
                          className="button button-small button-danger-quiet"
                          aria-label={t('members.remove')}
                          aria-describedby={`member-${access.id}`}
                          onClick={() => setRemoving(access)}
                        >
                          {t('members.remove')}
                        </button>
                      )}
                      {access.abilities.reason === 'other_owner' && (
                        <span className="why">{t(`members.why.${access.abilities.reason}`)}</span>
                      )}
                      <span id={`member-${access.id}`} hidden>
                        {name}
                      </span>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ListState>
      <Suspense fallback={null}>
        {adding && (
          <AddMembersDialog team={team} draft={draft} onDraft={setDraft} onClose={() => setAdding(false)} />
        )}
        {changing && <ChangeRoleDialog team={team} access={changing} onClose={() => setChanging(null)} />}
        {removing && (
          <RemoveDialog team={team} access={removing} self={false} onClose={() => setRemoving(null)} />
        )}
      </Suspense>
    </section>
  );
}
