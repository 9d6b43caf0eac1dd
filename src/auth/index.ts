// The auth slice: session authentication, the resource policy, CSRF, staff login and the sign-in flow.
import type { App } from '../platform/http.ts';
import { backchannelLogoutRoute, type OidcDeps, oidcRoutes } from './oidc/index.ts';
import type { Resource } from './policy.ts';
import { installSessionAuth } from './session-auth.ts';
import { staffLoginRoute } from './staff-login.ts';

export { OidcProvider, ProviderUnavailable, safeNext } from './oidc/index.ts';
export { hashPassword, passwordWeaknesses } from './passwords.ts';
export { type Caller, type Policy, type Resource, resources } from './policy.ts';
export { CSRF_COOKIE, issueCsrfCookie } from './session-auth.ts';
export { type Session, type SessionData, SessionStore } from './sessions.ts';

/** Everything the auth slice needs: the sign-in flow's parts (staff login and CSRF use a subset). */
export type AuthDeps = OidcDeps;

export function installAuth(app: App, resource: Resource, deps: AuthDeps): void {
  installSessionAuth(app);
  // Login CSRF: the staff login form needs the token even before any session exists.
  resource('/api/v1.0/login/', { caller: 'visitor', csrf: 'always' }, (scope) =>
    staffLoginRoute(scope, deps),
  );
  resource('/api/v1.0/', { caller: 'visitor' }, (scope) => oidcRoutes(scope, deps));
  // The provider calls from its server: the signed logout token is the proof.
  resource('/api/v1.0/backchannel-logout/', { caller: 'machine' }, (scope) =>
    backchannelLogoutRoute(scope, deps),
  );
}
