// /admin/mail-domains: every mail domain, its organization, status (and what its DNS lacks), mailbox count and last
// check; search by name, filter by status, and "Check now" at dimail for one.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminMailDomain, MailDomainStatus } from '../../api/types.ts';
import { useTitle } from '../../pages/errors.tsx';
import { useErrorText, useToast } from '../../ui/feedback.tsx';
import { useFormatDate } from '../../ui/format.ts';
import { ListState, SearchField, SelectField } from '../../ui/list.tsx';
import { pagesOf } from '../../ui/paging.ts';
import { useDebounced } from '../../ui/use-debounced.ts';
import { StatusBadge } from '../mail-domains/parts.tsx';
import { useOrganizationName } from '../organizations/use-organization-name.ts';
import { useAdminMailDomains, useCheckAdminMailDomain } from './api.ts';
import { Missing } from './parts.tsx';

const STATUSES: readonly MailDomainStatus[] = ['enabled', 'pending', 'action_required', 'failed', 'disabled'];

export function MailDomainsPage() {
  const { t } = useTranslation();
  useTitle(t('admin.mailDomains.title'));
  const formatDate = useFormatDate();
  const organizationName = useOrganizationName();
  const toast = useToast();
  const errorText = useErrorText();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<'all' | MailDomainStatus>('all');
  const [page, setPage] = useState(1);
  const search = useDebounced(q.trim());
  const domains = useAdminMailDomains({ q: search, status: status === 'all' ? undefined : status, page });
  const check = useCheckAdminMailDomain();
  const statusText = (s: MailDomainStatus) => t(`mailDomains.statuses.${s}`);

  const checkNow = (domain: AdminMailDomain) =>
    check.mutate(domain.id, {
      onSuccess: (checked) =>
        toast.success(
          t('admin.mailDomains.checked', { name: checked.name, status: statusText(checked.status) }),
        ),
      onError: (err) => toast.error(errorText(err)),
    });

  return (
    <section aria-labelledby="admin-mail-domains-title">
      <h1 id="admin-mail-domains-title">{t('admin.mailDomains.title')}</h1>
      <div className="toolbar">
        <SearchField
          label={t('admin.mailDomains.search')}
          value={q}
          onChange={(v) => {
            setQ(v);
            setPage(1);
          }}
        />
        <SelectField
          label={t('admin.mailDomains.status')}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
          options={[
            { value: 'all', label: t('admin.all') },
            ...STATUSES.map((s) => ({ value: s, label: statusText(s) })),
          ]}
        />
      </div>
      <ListState
        query={domains}
        empty={domains.data?.results.length === 0 ? t('admin.mailDomains.empty') : null}
        page={page}
        pages={pagesOf(domains.data?.count)}
        onPage={setPage}
      >
        <table className="table" aria-label={t('admin.mailDomains.list')}>
          <thead>
            <tr>
              <th scope="col">{t('admin.mailDomains.name')}</th>
              <th scope="col">{t('admin.mailDomains.organization')}</th>
              <th scope="col">{t('admin.mailDomains.status')}</th>
              <th scope="col">{t('admin.mailDomains.mailboxes')}</th>
              <th scope="col">{t('admin.mailDomains.lastCheck')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {domains.data?.results.map((domain) => {
              const problems = Object.entries(domain.action_required_details);
              return (
                <tr key={domain.id}>
                  <th scope="row" className="cell-address">
                    {domain.name}
                    <span className="cell-detail">{domain.support_email}</span>
                  </th>
                  <td>{domain.organization ? organizationName(domain.organization.name) : <Missing />}</td>
                  <td>
                    <StatusBadge status={domain.status} text={statusText(domain.status)} />
                    {problems.length > 0 && (
                      <details className="cell-problems">
                        <summary>{t('admin.mailDomains.problems', { count: problems.length })}</summary>
                        <ul>
                          {problems.map(([name, message]) => (
                            <li key={name}>
                              <code>{name}</code> {message}
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </td>
                  <td>{domain.count_mailboxes}</td>
                  <td>
                    {domain.last_checked_at
                      ? formatDate(domain.last_checked_at, true)
                      : t('admin.mailDomains.never')}
                  </td>
                  <td className="cell-nowrap">
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={t('admin.mailDomains.checkOf', { name: domain.name })}
                      disabled={check.isPending && check.variables === domain.id}
                      onClick={() => checkNow(domain)}
                    >
                      {t('admin.mailDomains.check')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ListState>
    </section>
  );
}
