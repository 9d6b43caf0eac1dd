// The auth slice: session authentication, CSRF, staff login and logout.
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import type { App } from '../platform/http.ts';
import type { KeyValueStore } from '../platform/kv.ts';
import type { UserLifecycle } from '../users/index.ts';
import { type OidcProvider, oidcRoutes } from './oidc/index.ts';
import { installSessionAuth } from './session-auth.ts';
import type { SessionStore } from './sessions.ts';
import { staffLoginRoute } from './staff-login.ts';

export { OidcProvider, ProviderUnavailable, safeNext } from './oidc/index.ts';
export { hashPassword, passwordWeaknesses } from './passwords.ts';
export { CSRF_COOKIE } from './session-auth.ts';
export { type Session, type SessionData, SessionStore } from './sessions.ts';

export interface AuthDeps {
  config: Config;
  database: Database;
  kv: KeyValueStore;
  sessions: SessionStore;
  provider: OidcProvider;
  lifecycle: UserLifecycle;
}

export function installAuth(app: App, deps: AuthDeps): void {
  installSessionAuth(app, deps);
  staffLoginRoute(app, deps);
  oidcRoutes(app, deps);
}
