// /admin/organizations/{id}: an organization's facts and its SCIM clients (DESIGN.md §9): each client's last use and
// what it manages, a new client (its token shown once), revocation.
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { CreatedScimClient, ScimClient } from '../../api/types.ts';
import { useTitle } from '../../pages/errors.tsx';
import { Empty, LoadError, Loading, useToast } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { useOrganizationName } from '../organizations/use-organization-name.ts';
import {
  useAdminOrganization,
  useCreateScimClient,
  useRevokeScimClient,
  useScimClient,
  useScimClients,
} from './api.ts';
import { ConfirmDialog, NameDialog, TokenDialog } from './lazy-dialogs.ts';
import { Missing, StatusBadge } from './parts.tsx';

export function OrganizationPage() {
  const { t } = useTranslation();
  const organizationName = useOrganizationName();
  const { id = '' } = useParams();
  const organization = useAdminOrganization(id);
  const formatDate = useFormatDate();
  useTitle(organization.data ? organizationName(organization.data.name) : t('admin.organizations.title'));
  const list = (items: string[]) => (items.length ? items.join(', ') : <Missing />);
  return (
    <section aria-labelledby="admin-organization-title">
      <p className="breadcrumb">
        <Link to="/admin/organizations">{t('admin.organizations.back')}</Link>
      </p>
      {organization.isPending ? (
        <Loading />
      ) : organization.isError ? (
        <LoadError error={organization.error} retry={() => organization.refetch()} />
      ) : (
        <>
          <h1 id="admin-organization-title">{organizationName(organization.data.name)}</h1>
          <dl className="facts">
            <dt>{t('admin.organizations.status')}</dt>
            <dd>
              <StatusBadge
                active={organization.data.is_active}
                on={t('admin.organizations.active')}
                off={t('admin.organizations.inactive')}
              />
            </dd>
            <dt>{t('admin.organizations.domains')}</dt>
            <dd>{list(organization.data.domain_list)}</dd>
            <dt>{t('admin.organizations.registrationIds')}</dt>
            <dd>{list(organization.data.registration_id_list)}</dd>
            <dt>{t('admin.created')}</dt>
            <dd>{formatDate(organization.data.created_at, true)}</dd>
          </dl>
          <ScimClients organizationId={organization.data.id} />
        </>
      )}
    </section>
  );
}

type Open =
  | { kind: 'create' }
  | { kind: 'token'; created: CreatedScimClient }
  | { kind: 'revoke'; client: ScimClient };

function ScimClients({ organizationId }: { organizationId: string }) {
  const { t } = useTranslation();
  const formatDate = useFormatDate();
  const toast = useToast();
  const clients = useScimClients(organizationId);
  const create = useCreateScimClient(organizationId);
  const revoke = useRevokeScimClient(organizationId);
  const [open, setOpen] = useState<Open | null>(null);
  // Apart from `open`: the creation dialog closes itself on success, and the token must outlive it.
  const [created, setCreated] = useState<CreatedScimClient | null>(null);
  const [expanded, setExpanded] = useState<string | null>(null);
  const close = () => setOpen(null);

  return (
    <section aria-labelledby="admin-scim-title" className="section">
      <div className="section-head">
        <div>
          <h2 id="admin-scim-title">{t('admin.scim.title')}</h2>
          <p className="hint">{t('admin.scim.intro')}</p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setOpen({ kind: 'create' })}>
          {t('admin.scim.create')}
        </button>
      </div>
      {clients.isPending ? (
        <Loading />
      ) : clients.isError ? (
        <LoadError error={clients.error} retry={() => clients.refetch()} />
      ) : clients.data.length === 0 ? (
        <Empty>{t('admin.scim.empty')}</Empty>
      ) : (
        <table className="table" aria-labelledby="admin-scim-title">
          <thead>
            <tr>
              <th scope="col">{t('admin.scim.name')}</th>
              <th scope="col">{t('admin.created')}</th>
              <th scope="col">{t('admin.scim.lastUsed')}</th>
              <th scope="col">{t('admin.scim.status')}</th>
              <th scope="col">{t('admin.scim.users')}</th>
              <th scope="col">{t('admin.scim.groups')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          {clients.data.map((c) => {
            const shown = expanded === c.id;
            return (
              <tbody key={c.id}>
                <tr>
                  <th scope="row" id={`scim-client-${c.id}`}>
                    {c.name}
                  </th>
                  <td>{formatDate(c.created_at, true)}</td>
                  <td>{c.last_used_at ? formatDate(c.last_used_at, true) : t('admin.scim.never')}</td>
                  <td>
                    <StatusBadge
                      active={c.revoked_at === null}
                      on={t('admin.scim.active')}
                      off={t('admin.scim.revoked')}
                    />
                  </td>
                  <td>{c.users_count}</td>
                  <td>{c.groups_count}</td>
                  <td>
                    <div className="row-actions">
                      <button
                        type="button"
                        className="button button-small"
                        aria-expanded={shown}
                        aria-controls={`scim-managed-${c.id}`}
                        aria-describedby={`scim-client-${c.id}`}
                        onClick={() => setExpanded(shown ? null : c.id)}
                      >
                        {t(shown ? 'admin.scim.hideManaged' : 'admin.scim.showManaged')}
                      </button>
                      {c.revoked_at === null && (
                        <button
                          type="button"
                          className="button button-small button-danger-quiet"
                          aria-describedby={`scim-client-${c.id}`}
                          onClick={() => setOpen({ kind: 'revoke', client: c })}
                        >
                          {t('admin.scim.revoke')}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
                <tr id={`scim-managed-${c.id}`} hidden={!shown}>
                  <td colSpan={7}>{shown && <Managed organizationId={organizationId} client={c} />}</td>
                </tr>
              </tbody>
            );
          })}
        </table>
      )}
      <Suspense fallback={null}>
        {open?.kind === 'create' && (
          <NameDialog
            title={t('admin.scim.createDialog')}
            label={t('admin.scim.name')}
            initial=""
            maxLength={100}
            submitLabel={t('admin.scim.createSubmit')}
            onSubmit={async (name) => {
              setCreated(await create.mutateAsync(name));
            }}
            onClose={close}
          />
        )}
        {created && (
          <TokenDialog name={created.name} token={created.token} onClose={() => setCreated(null)} />
        )}
        {open?.kind === 'revoke' && (
          <ConfirmDialog
            title={t('admin.scim.revokeOf', { name: open.client.name })}
            confirmLabel={t('admin.scim.revoke')}
            danger
            onConfirm={async () => {
              await revoke.mutateAsync(open.client.id);
              toast.success(t('admin.scim.revokeDone', { name: open.client.name }));
            }}
            onClose={close}
          >
            <p>{t('admin.scim.revokeWarning')}</p>
          </ConfirmDialog>
        )}
      </Suspense>
    </section>
  );
}

/** The users and groups a client manages: the first 100 of each by name, with the totals. */
function Managed({ organizationId, client }: { organizationId: string; client: ScimClient }) {
  const { t } = useTranslation();
  const detail = useScimClient(organizationId, client.id);
  if (detail.isPending) return <Loading />;
  if (detail.isError) return <LoadError error={detail.error} retry={() => detail.refetch()} />;
  const { users, groups, users_count, groups_count } = detail.data;
  const usersTitle = `scim-users-${client.id}`;
  const groupsTitle = `scim-groups-${client.id}`;
  return (
    <div className="scim-managed">
      <h3 id={usersTitle}>{t('admin.scim.usersOf', { name: client.name, count: users_count })}</h3>
      {users.length === 0 ? (
        <Empty>{t('admin.scim.noUsers')}</Empty>
      ) : (
        <table className="table" aria-labelledby={usersTitle}>
          <thead>
            <tr>
              <th scope="col">{t('admin.users.name')}</th>
              <th scope="col">{t('admin.scim.userName')}</th>
              <th scope="col">{t('admin.users.email')}</th>
              <th scope="col">{t('admin.scim.status')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <th scope="row">
                  <Link to={`/admin/users/${u.id}`}>{u.name || u.user_name}</Link>
                </th>
                <td>{u.user_name}</td>
                <td>{u.email ?? <Missing />}</td>
                <td>
                  <StatusBadge
                    active={u.is_active}
                    on={t('admin.users.active')}
                    off={t('admin.users.disabled')}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {users_count > users.length && <p className="hint">{t('admin.scim.more', { shown: users.length })}</p>}
      <h3 id={groupsTitle}>{t('admin.scim.groupsOf', { name: client.name, count: groups_count })}</h3>
      {groups.length === 0 ? (
        <Empty>{t('admin.scim.noGroups')}</Empty>
      ) : (
        <table className="table" aria-labelledby={groupsTitle}>
          <thead>
            <tr>
              <th scope="col">{t('admin.teams.name')}</th>
              <th scope="col">{t('admin.teams.members')}</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.id}>
                <th scope="row">
                  <Link to={`/admin/teams/${g.id}`}>{g.name}</Link>
                </th>
                <td>{g.members_count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {groups_count > groups.length && (
        <p className="hint">{t('admin.scim.more', { shown: groups.length })}</p>
      )}
    </div>
  );
}
