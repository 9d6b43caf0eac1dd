// Sign-in with OpenID Connect: the four browser steps on one app; back-channel logout is the provider's (a machine).
import type { App } from '../../platform/http.ts';
import { authenticateRoute } from './authenticate.ts';
import { backchannelLogoutRoute } from './backchannel-logout.ts';
import { callbackRoute } from './callback.ts';
import type { OidcDeps } from './deps.ts';
import { logoutRoute } from './logout.ts';
import { logoutCallbackRoute } from './logout-callback.ts';

export type { OidcDeps } from './deps.ts';
export { ProviderUnavailable } from './errors.ts';
export { OidcProvider } from './provider.ts';
export { safeNext } from './redirects.ts';
export { backchannelLogoutRoute };

export function oidcRoutes(app: App, deps: OidcDeps): void {
  authenticateRoute(app, deps);
  callbackRoute(app, deps);
  logoutRoute(app, deps);
  logoutCallbackRoute(app, deps);
}
