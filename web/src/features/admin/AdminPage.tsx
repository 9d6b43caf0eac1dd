// /admin/...: the staff back office (DESIGN.md §8), its section navigation and one page per section. Anyone not
// staff gets the 404 page, as the API answers them.
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { NotFound } from '../../pages/errors.tsx';
import { useMe } from '../session/api.ts';
import { AuditPage } from './AuditPage.tsx';
import { InvitationsPage } from './InvitationsPage.tsx';
import { JobsPage } from './JobsPage.tsx';
import { MailDomainsPage } from './MailDomainsPage.tsx';
import { OrganizationsPage } from './OrganizationsPage.tsx';
import { ServiceProvidersPage } from './ServiceProvidersPage.tsx';
import { TeamPage, TeamsPage } from './TeamsPages.tsx';
import { UserPage } from './UserPage.tsx';
import { UsersPage } from './UsersPage.tsx';

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
        <Routes>
          <Route index element={<Navigate to="/admin/users" replace />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="users/:id" element={<UserPage />} />
          <Route path="teams" element={<TeamsPage />} />
          <Route path="teams/:id" element={<TeamPage />} />
          <Route path="invitations" element={<InvitationsPage />} />
          <Route path="service-providers" element={<ServiceProvidersPage />} />
          <Route path="organizations" element={<OrganizationsPage />} />
          <Route path="mail-domains" element={<MailDomainsPage />} />
          <Route path="jobs" element={<JobsPage />} />
          <Route path="audit" element={<AuditPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </div>
    </div>
  );
}
