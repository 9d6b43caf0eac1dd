// The routes, each page loaded on first visit, inside the layout that needs a signed-in agent.
import { lazy, Suspense, useEffect, useRef } from 'react';
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from 'react-router';
import { useConfig, useMe } from './features/session/api.ts';
import { Footer } from './features/session/Footer.tsx';
import { Header, SignedOutHeader } from './features/session/Header.tsx';
import { Landing } from './features/session/Landing.tsx';
import { ErrorPage, NotFound, RouteError } from './pages/errors.tsx';
import { Loading, ToastProvider } from './ui/feedback.tsx';

/** A page with texts of its own (textsReady): drawn once they are there in the agent's language. */
const withTexts = (load: () => Promise<{ default: React.ComponentType; textsReady: Promise<void> }>) =>
  lazy(async () => {
    const page = await load();
    await page.textsReady;
    return page;
  });

const TeamsPage = lazy(() => import('./features/teams/TeamsPage.tsx'));
const TeamPage = lazy(() => import('./features/teams/TeamPage.tsx'));
const ContactsPage = lazy(() => import('./features/contacts/ContactsPage.tsx'));
const MailDomainsPage = withTexts(() => import('./features/mail-domains/MailDomainsPage.tsx'));
const MailDomainPage = withTexts(() => import('./features/mail-domains/MailDomainPage.tsx'));
const ProfilePage = lazy(() => import('./features/profile/ProfilePage.tsx'));
const AdminPage = withTexts(() => import('./features/admin/AdminPage.tsx'));
const StaffLoginPage = lazy(() => import('./features/admin/StaffLoginPage.tsx'));
const LegalPage = lazy(() => import('./features/legal/LegalPage.tsx'));

const STAFF_LOGIN = '/admin/login';
// The footer's pages (the accessibility statement, the legal notice, personal data) are for everyone.
const LEGAL_PAGES = {
  '/accessibility': 'accessibility',
  '/legal-notice': 'legalNotice',
  '/personal-data': 'personalData',
} as const;
/** What a signed-out visitor may see besides the signed-out page. */
const SIGNED_OUT_PAGES = new Set<string>([STAFF_LOGIN, ...Object.keys(LEGAL_PAGES)]);

/** A page open to signed-out visitors: Desk's header without navigation (nothing else is reachable yet). */
function SignedOutPage() {
  return (
    <>
      <SignedOutHeader />
      <main id="main" className="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <Footer />
    </>
  );
}

/**
 * After a navigation that removed what had the focus (a dialog that opened the new page, a link of the page left),
 * the focus would fall back to the document: keyboard and screen-reader users would start again from the top,
 * without hearing the new page. It moves to the page's main instead. Focus still on something (a navigation link)
 * stays where it is.
 */
function useFocusMainOnNavigation(pathname: string) {
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (lost) document.getElementById('main')?.focus();
  }, [pathname]);
}

function Layout() {
  const config = useConfig();
  const me = useMe();
  const { pathname } = useLocation();
  useFocusMainOnNavigation(pathname);
  if (config.isError) return <ErrorPage error={config.error} retry={() => config.refetch()} />;
  if (me.isError) return <ErrorPage error={me.error} retry={() => me.refetch()} />;
  if (config.isPending || me.isPending)
    return (
      <main id="main">
        <Loading />
      </main>
    );
  if (!me.data) return SIGNED_OUT_PAGES.has(pathname) ? <SignedOutPage /> : <Landing />;
  return (
    <>
      <Header me={me.data} />
      <main id="main" className="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <Footer />
    </>
  );
}

/** A feature switched off in config/ is absent: its routes answer the 404 page. */
function Feature({ name, children }: { name: string; children: React.ReactNode }) {
  const config = useConfig().data;
  return config?.FEATURES[name] === false ? <NotFound /> : children;
}

function Home() {
  const config = useConfig().data;
  return <Navigate to={config?.FEATURES.TEAMS_DISPLAY === false ? '/contacts' : '/teams'} replace />;
}

const router = createBrowserRouter([
  {
    element: (
      <ToastProvider>
        <Layout />
      </ToastProvider>
    ),
    // The layout itself failed (or the signed-out staff login's code is lost): the whole page explains it.
    errorElement: <RouteError standalone />,
    children: [
      {
        // A page that failed (its code lost after a redeploy, or an error while drawing it) keeps the header.
        errorElement: <RouteError />,
        children: [
          { path: '/', element: <Home /> },
          {
            path: '/teams',
            element: (
              <Feature name="TEAMS_DISPLAY">
                <TeamsPage />
              </Feature>
            ),
          },
          {
            path: '/teams/:id',
            element: (
              <Feature name="TEAMS_DISPLAY">
                <TeamPage />
              </Feature>
            ),
          },
          {
            path: '/contacts',
            element: (
              <Feature name="CONTACTS_DISPLAY">
                <ContactsPage />
              </Feature>
            ),
          },
          { path: '/mail-domains', element: <MailDomainsPage /> },
          { path: '/mail-domains/:slug/*', element: <MailDomainPage /> },
          { path: '/profile', element: <ProfilePage /> },
          { path: STAFF_LOGIN, element: <StaffLoginPage /> },
          ...Object.entries(LEGAL_PAGES).map(([path, topic]) => ({
            path,
            element: <LegalPage topic={topic} />,
          })),
          { path: '/admin/*', element: <AdminPage /> },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}
