// /mail-domains/:slug: the domain's name and status (what it means, "Check again"), the DNS records to set while
// it is not enabled, then its sections as links (each its own address): mailboxes, aliases, accesses, invitations.
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, NavLink, Route, Routes, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import type { MailDomain } from '../../api/types.ts';
import { NotFound, useTitle } from '../../pages/errors.tsx';
import { LoadError, Loading, useErrorText, useToast } from '../../ui/feedback.tsx';
import { useCheckMailDomain, useMailDomain } from './api.ts';
import { MailboxesSection } from './MailboxesSection.tsx';
import { StatusBadge } from './parts.tsx';

// The mail texts join the catalogs with this page's code; the route waits for them (app.tsx).
export { textsReady } from './texts.ts';

// The first tab (mailboxes) comes with the page; the others, and the DNS records a domain not enabled yet shows,
// load when first needed: the page's first load stays within the app's budget.
const AliasesSection = lazy(() =>
  import('./AliasesSection.tsx').then((m) => ({ default: m.AliasesSection })),
);
const AccessesSection = lazy(() =>
  import('./AccessesSection.tsx').then((m) => ({ default: m.AccessesSection })),
);
const InvitationsSection = lazy(() =>
  import('./InvitationsSection.tsx').then((m) => ({ default: m.InvitationsSection })),
);
const DnsRecords = lazy(() => import('./DnsRecords.tsx').then((m) => ({ default: m.DnsRecords })));

function CheckAgain({ domain }: { domain: MailDomain }) {
  const { t } = useTranslation();
  const check = useCheckMailDomain(domain.slug);
  const toast = useToast();
  const errorText = useErrorText();
  return (
    <div className="check-again">
      <button
        type="button"
        className="button"
        disabled={check.isPending}
        onClick={() =>
          check.mutate(undefined, {
            onSuccess: (checked) =>
              toast.success(t('mailDomain.checked', { status: t(`mailDomains.statuses.${checked.status}`) })),
          })
        }
      >
        {check.isPending ? t('mailDomain.checking') : t('mailDomain.check')}
      </button>
      {check.isError && (
        <p role="alert" className="notice notice-error">
          {errorText(check.error)}
        </p>
      )}
    </div>
  );
}

const SECTIONS = [
  ['', 'mailboxes.title'],
  ['aliases', 'aliases.title'],
  ['accesses', 'domainAccesses.title'],
  ['invitations', 'domainInvitations.title'],
] as const;

function DomainView({ domain }: { domain: MailDomain }) {
  const { t } = useTranslation();
  useTitle(domain.name);
  const home = `/mail-domains/${domain.slug}`;
  return (
    <article aria-labelledby="domain-title">
      <p className="breadcrumb">
        <Link to="/mail-domains">{t('mailDomain.back')}</Link>
      </p>
      <div className="page-head">
        <div className="domain-head">
          <h1 id="domain-title">{domain.name}</h1>
          <p className="domain-status">
            <StatusBadge status={domain.status} text={t(`mailDomains.statuses.${domain.status}`)} />
            <span>{t(`mailDomain.explain.${domain.status}`)}</span>
          </p>
          <p className="muted">
            {t('mailDomains.mailboxCount', { count: domain.count_mailboxes })} ·{' '}
            {t('mailDomain.support', { email: domain.support_email })}
          </p>
        </div>
        {/* As people: asking dimail for a check is for the domain's administrators and owners. */}
        {domain.abilities.post && <CheckAgain domain={domain} />}
      </div>
      {domain.status !== 'enabled' && (
        <Suspense fallback={<Loading />}>
          <DnsRecords domain={domain} />
        </Suspense>
      )}
      <nav aria-label={t('mailDomain.sections')} className="subnav">
        <ul>
          {SECTIONS.map(([path, key]) => (
            <li key={path}>
              <NavLink to={path ? `${home}/${path}` : home} end>
                {t(key)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route index element={<MailboxesSection domain={domain} />} />
          <Route path="aliases" element={<AliasesSection domain={domain} />} />
          <Route path="accesses" element={<AccessesSection domain={domain} />} />
          <Route path="invitations" element={<InvitationsSection domain={domain} />} />
          <Route path="*" element={<Navigate to={home} replace />} />
        </Routes>
      </Suspense>
    </article>
  );
}

export default function MailDomainPage() {
  const { slug = '' } = useParams();
  const domain = useMailDomain(slug);
  if (domain.error instanceof ApiError && domain.error.status === 404) return <NotFound />;
  if (domain.isPending) return <Loading />;
  if (domain.isError) return <LoadError error={domain.error} retry={() => domain.refetch()} />;
  return <DomainView domain={domain.data} />;
}
