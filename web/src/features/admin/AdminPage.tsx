// /admin/...: the staff back office (DESIGN.md §8), its section navigation and one page per section. Anyone not
// staff gets the 404 page, as the API answers them.
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { NotFound } from '../../pages/errors.tsx';
import { Loading } from '../../ui/feedback.tsx';
import { useMe } from '../session/api.ts';

// The mail domains page and the audit log's mail events speak the mail texts; the route waits for them (app.tsx).
export { textsReady } from '../mail-domains/texts.ts';

// Each section loads when first opened: the back office's first load stays within the app's budget.
const UsersPage = lazy(() => import('./UsersPage.tsx').then((m) => ({ default: m.UsersPage })));
const UserPage = lazy(() => import('./UserPage.tsx').then((m) => ({ default: m.UserPage })));
const TeamsPage = lazy(() => import('./TeamsPages.tsx').then((m) => ({ default: m.TeamsPage })));
const TeamPage = lazy(() => import('./TeamsPages.tsx').then((m) => ({ default: m.TeamPage })));
const InvitationsPage = lazy(() =>
  import('./InvitationsPage.tsx').then((m) => ({ default: m.InvitationsPage })),
);
const ServiceProvidersPage = lazy(() =>
  import('./ServiceProvidersPage.tsx').then((m) => ({ default: m.ServiceProvidersPage })),
);
const OrganizationsPage = lazy(() =>
  import('./OrganizationsPage.tsx').then((m) => ({ default: m.OrganizationsPage })),
);
const OrganizationPage = lazy(() =>
  import('./OrganizationPage.tsx').then((m) => ({ default: m.OrganizationPage })),
);
const MailDomainsPage = lazy(() =>
  import('./MailDomainsPage.tsx').then((m) => ({ default: m.MailDomainsPage })),
);
const JobsPage = lazy(() => import('./JobsPage.tsx').then((m) => ({ default: m.JobsPage })));
const AuditPage = lazy(() => import('./AuditPage.tsx').then((m) => ({ default: m.AuditPage })));

const SECTIONS = [
  ['users', 'admin.nav.users'],
  ['teams', 'admin.nav.teams'],
  ['invitations', 'admin.nav.invitations'],
  ['service-providers', 'admin.nav.serviceProviders'],
  ['organizations', 'admin.nav.organizations'],
  ['mail-domains', 'admin.nav.mailDomains'],
  ['jobs', 'admin.nav.jobs'],
  ['audit', 'admin.nav.audit'],
] as const;

export default function AdminPage() {
  const { t } = useTranslation();
  const me = useMe().data;
  if (!me?.is_staff) return <NotFound />;
  return (
    <div className="admin">
      <nav aria-label={t('admin.sections')} className="admin-nav">
        <ul>
          {SECTIONS.map(([path, key]) => (
            <li key={path}>
              <NavLink to={`/admin/${path}`}>{t(key)}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="admin-content">
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route index element={<Navigate to="/admin/users" replace />} />
            <Route path="users" element={<UsersPage />} />
            <Route path="users/:id" element={<UserPage />} />
            <Route path="teams" element={<TeamsPage />} />
            <Route path="teams/:id" element={<TeamPage />} />
            <Route path="invitations" element={<InvitationsPage />} />
            <Route path="service-providers" element={<ServiceProvidersPage />} />
            <Route path="organizations" element={<OrganizationsPage />} />
            <Route path="organizations/:id" element={<OrganizationPage />} />
            <Route path="mail-domains" element={<MailDomainsPage />} />
            <Route path="jobs" element={<JobsPage />} />
            <Route path="audit" element={<AuditPage />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </div>
    </div>
  );
}
