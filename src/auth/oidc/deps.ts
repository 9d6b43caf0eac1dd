// What the sign-in flow steps share.
import type { Config } from '../../platform/config.ts';
import type { Database } from '../../platform/database.ts';
import type { KeyValueStore } from '../../platform/kv.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { UserLifecycle } from '../../users/index.ts';
import type { SessionStore } from '../sessions.ts';
import type { OidcProvider } from './provider.ts';

export interface OidcDeps {
  config: Config;
  database: Database;
  kv: KeyValueStore;
  sessions: SessionStore;
  provider: OidcProvider;
  lifecycle: UserLifecycle;
  metrics: Metrics;
}

export const CALLBACK_PATH = '/api/v1.0/callback/';
export const LOGOUT_CALLBACK_PATH = '/api/v1.0/logout-callback/';
