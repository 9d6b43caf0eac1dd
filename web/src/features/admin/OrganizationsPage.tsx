// /admin/organizations: search, create (name, domains, registration ids), rename, deactivate or activate, merge;
// each organization's name links to its page (SCIM clients).
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Organization } from '../../api/types.ts';
import { useTitle } from '../../pages/errors.tsx';
import { useToast } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState, SearchField } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useDebounced } from '../../ui/use-debounced.ts';
import { useOrganizationName } from '../organizations/use-organization-name.ts';
import {
  useCreateOrganization,
  useMergeOrganization,
  useOrganizations,
  useUpdateOrganization,
} from './api.ts';
import { ConfirmDialog, MergeDialog, NameDialog, OrganizationDialog } from './lazy-dialogs.ts';
import { Missing, StatusBadge } from './parts.tsx';

type Open = { kind: 'create' } | { kind: 'rename' | 'toggle' | 'merge'; organization: Organization } | null;

export function OrganizationsPage() {
  const { t } = useTranslation();
  const organizationName = useOrganizationName();
  useTitle(t('admin.organizations.title'));
  const formatDate = useFormatDate();
  const toast = useToast();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<Open>(null);
  const organizations = useOrganizations({ q: useDebounced(q.trim()), page });
  const create = useCreateOrganization();
  const update = useUpdateOrganization();
  const merge = useMergeOrganization();
  const close = () => setOpen(null);
  const list = (items: string[]) => (items.length ? items.join(', ') : <Missing />);

  return (
    <section aria-labelledby="admin-organizations-title">
      <div className="page-head">
        <h1 id="admin-organizations-title">{t('admin.organizations.title')}</h1>
        <button type="button" className="button button-primary" onClick={() => setOpen({ kind: 'create' })}>
          {t('admin.organizations.create')}
        </button>
      </div>
      <div className="toolbar">
        <SearchField
          label={t('admin.organizations.search')}
          value={q}
          onChange={(v) => {
            setQ(v);
            setPage(1);
          }}
        />
      </div>
      <ListState
        query={organizations}
        empty={organizations.data?.results.length === 0 ? t('admin.organizations.empty') : null}
        page={page}
        pages={pagesOf(organizations.data?.count)}
        onPage={setPage}
      >
        <table className="table" aria-label={t('admin.organizations.list')}>
          <thead>
            <tr>
              <th scope="col">{t('admin.organizations.name')}</th>
              <th scope="col">{t('admin.organizations.domains')}</th>
              <th scope="col">{t('admin.organizations.registrationIds')}</th>
              <th scope="col">{t('admin.organizations.status')}</th>
              <th scope="col">{t('admin.created')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {organizations.data?.results.map((o) => (
              <tr key={o.id}>
                <th scope="row" id={`organization-${o.id}`}>
                  <Link to={`/admin/organizations/${o.id}`}>{organizationName(o.name)}</Link>
                </th>
                <td>{list(o.domain_list)}</td>
                <td>{list(o.registration_id_list)}</td>
                <td>
                  <StatusBadge
                    active={o.is_active}
                    on={t('admin.organizations.active')}
                    off={t('admin.organizations.inactive')}
                  />
                </td>
                <td>{formatDate(o.created_at)}</td>
                <td>
                  <div className="row-actions">
                    {(['rename', 'toggle', 'merge'] as const).map((kind) => (
                      <button
                        key={kind}
                        type="button"
                        className={`button button-small${kind === 'rename' ? '' : ' button-danger-quiet'}`}
                        aria-describedby={`organization-${o.id}`}
                        onClick={() => setOpen({ kind, organization: o })}
                      >
                        {kind === 'toggle'
                          ? t(o.is_active ? 'admin.organizations.deactivate' : 'admin.organizations.activate')
                          : t(kind === 'rename' ? 'admin.rename' : 'admin.organizations.merge')}
                      </button>
                    ))}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListState>
      <Suspense fallback={null}>
        {open?.kind === 'create' && (
          <OrganizationDialog
            onSubmit={async (body) => {
              const created = await create.mutateAsync(body);
              toast.success(t('admin.organizations.created', { name: created.name }));
            }}
            onClose={close}
          />
        )}
        {open?.kind === 'rename' && (
          <NameDialog
            title={t('admin.organizations.renameOf', { name: organizationName(open.organization.name) })}
            label={t('admin.organizations.name')}
            initial={open.organization.name}
            onSubmit={async (name) => {
              await update.mutateAsync({ id: open.organization.id, name });
              toast.success(t('admin.organizations.renamed', { name }));
            }}
            onClose={close}
          />
        )}
        {open?.kind === 'toggle' &&
          (() => {
            const o = open.organization;
            const which = o.is_active ? 'deactivate' : 'activate';
            return (
              <ConfirmDialog
                title={t(`admin.organizations.${which}Of`, { name: organizationName(o.name) })}
                confirmLabel={t(`admin.organizations.${which}`)}
                danger={o.is_active}
                onConfirm={async () => {
                  await update.mutateAsync({ id: o.id, is_active: !o.is_active });
                  toast.success(t(`admin.organizations.${which}Done`, { name: organizationName(o.name) }));
                }}
                onClose={close}
              >
                <p>{t(`admin.organizations.${which}Warning`)}</p>
              </ConfirmDialog>
            );
          })()}
        {open?.kind === 'merge' && (
          <MergeDialog
            source={open.organization}
            onMerge={async (into) => {
              const result = await merge.mutateAsync({ id: open.organization.id, into: into.id });
              toast.success(
                t('admin.organizations.merged', {
                  name: organizationName(open.organization.name),
                  into: organizationName(into.name),
                  users: result.users,
                  teams: result.teams,
                }),
              );
            }}
            onClose={close}
          />
        )}
      </Suspense>
    </section>
  );
}
