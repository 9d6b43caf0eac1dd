// Desk assembled: the platform parts, then each feature's routes on one Fastify server.
import { installAuth, OidcProvider, SessionStore } from './auth/index.ts';
import { createForOwnerRoute, DocumentService, documentRoutes, type NotifyOwner } from './documents/index.ts';
import { InvitationService, invitationRoutes } from './invitations/index.ts';
import type { Config } from './platform/config.ts';
import { type Database, openDatabase } from './platform/database.ts';
import { frontendConfigRoute } from './platform/frontend-config.ts';
import { heartbeatRoutes } from './platform/heartbeat.ts';
import { type App, createHttpServer } from './platform/http.ts';
import { createStore, type KeyValueStore } from './platform/kv.ts';
import { TeamService, teamRoutes } from './teams/index.ts';
import { UserLifecycle, userRoutes } from './users/index.ts';

export interface Desk {
  app: App;
  config: Config;
  database: Database;
  kv: KeyValueStore;
  sessions: SessionStore;
  lifecycle: UserLifecycle;
  provider: OidcProvider;
  /** Stops accepting, finishes in-flight requests, then closes the database and Redis. */
  close(): Promise<void>;
}

export interface DeskParts {
  /** A database opened by the caller (tests); otherwise opened from DATABASE_URL. */
  database?: Database;
  kv?: KeyValueStore;
  now?: () => number;
}

export async function buildDesk(config: Config, parts: DeskParts = {}): Promise<Desk> {
  const database = parts.database ?? openDatabase(config.DATABASE_URL, config.DESK_DATA_DIR);
  const kv = parts.kv ?? createStore(config.REDIS_URL);
  const sessions = new SessionStore(kv, {
    absoluteMs: config.SESSION_COOKIE_AGE * 1000,
    idleMs: config.SESSION_IDLE_TIMEOUT * 1000,
    ...(parts.now ? { now: parts.now } : {}),
  });
  const app = await createHttpServer(config);
  const provider = new OidcProvider(config, parts.now);
  const lifecycle = new UserLifecycle();
  const deps = { config, database, kv, sessions, provider, lifecycle };
  installAuth(app, deps);
  userRoutes(app, deps);
  heartbeatRoutes(app, deps);
  frontendConfigRoute(app, config);
  const teams = new TeamService(database);
  teamRoutes(app, { config, teams });
  const invitations = new InvitationService(database, config, parts.now);
  lifecycle.onCreated(invitations.convertFor);
  lifecycle.onEmailChanged(invitations.convertFor);
  invitationRoutes(app, { config, invitations, teams });
  const documents = new DocumentService(database);
  lifecycle.onCreated(documents.convertFor);
  lifecycle.onEmailChanged(documents.convertFor);
  documentRoutes(app, { config, documents });
  const notifyOwner: NotifyOwner[] = [];
  createForOwnerRoute(app, { config, database, notify: notifyOwner });

  let closed: Promise<void> | undefined;
  return {
    ...deps,
    app,
    close() {
      closed ??= (async () => {
        await app.close();
        if (!parts.database) await database.close();
        if (!parts.kv) await kv.close();
      })();
      return closed;
    },
  };
}
