// Starts the web app: server state in TanStack Query, texts in i18next, pages in react-router.
import './styles.css';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/client.ts';
import { App } from './app.tsx';
import { meKey } from './features/session/api.ts';
import { shortOf, switchLanguage } from './i18n/index.ts';
import { reloadToNewVersion } from './new-version.ts';

const client: QueryClient = new QueryClient({
  queryCache: new QueryCache({
    // A session that ended (expired, logged out elsewhere): back to the signed-out page, which offers to log in
    // and come back here.
    onError: (error) => {
      if (error instanceof ApiError && error.status === 401) client.setQueryData(meKey, null);
    },
  }),
  defaultOptions: {
    queries: {
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

// Vite reports a module or style it could not preload for a page being opened (the error itself still reaches the
// router's error page, which shares this one attempt).
window.addEventListener('vite:preloadError', () => void reloadToNewVersion());

const root = document.getElementById('root');
const render = () =>
  root &&
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={client}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
// The browser's language first (the signed-out page speaks it), its texts downloaded before anything is drawn; when
// they cannot be (offline), the app starts in English.
void switchLanguage(shortOf(navigator.language ?? 'en')).then(render);
