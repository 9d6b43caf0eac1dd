// The auth slice: session authentication, CSRF, staff login and logout.
import type { App } from '../platform/http.ts';
import { type OidcDeps, oidcRoutes } from './oidc/index.ts';
import { installSessionAuth } from './session-auth.ts';
import { staffLoginRoute } from './staff-login.ts';

export { OidcProvider, ProviderUnavailable, safeNext } from './oidc/index.ts';
export { hashPassword, passwordWeaknesses } from './passwords.ts';
export { CSRF_COOKIE } from './session-auth.ts';
export { type Session, type SessionData, SessionStore } from './sessions.ts';

/** Everything the auth slice needs: the sign-in flow's parts (staff login and CSRF use a subset). */
export type AuthDeps = OidcDeps;

export function installAuth(app: App, deps: AuthDeps): void {
  installSessionAuth(app, deps);
  staffLoginRoute(app, deps);
  oidcRoutes(app, deps);
}
