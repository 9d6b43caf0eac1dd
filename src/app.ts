// Desk assembled: the platform parts, then each feature's routes on one Fastify server.
import { AdminService, adminRoutes } from './admin/index.ts';
import { AUDIT_PRUNE_JOB, auditPruneJobHandler, auditRoutes, scheduleAuditPrune } from './audit/index.ts';
import { installAuth, OidcProvider, resources, SessionStore } from './auth/index.ts';
import { ContactService, contactRoutes, createProfileContact } from './contacts/index.ts';
import { withDevDimail } from './dev-dimail/settings.ts';
import { withDevProvider } from './dev-idp/settings.ts';
import {
  createForOwnerRoute,
  DocumentService,
  documentRoutes,
  OwnerFiling,
  serverTokenOf,
} from './documents/index.ts';
import { MAIL_JOB, type Mailer, mailJobHandler } from './email/index.ts';
import {
  documentFiledMail,
  mailDomainInvitationMail,
  mailDomainMails,
  teamInvitationMail,
} from './email/notifications.ts';
import { mailDebugRoutes } from './email/routes.ts';
import { createMailer } from './email/smtp.ts';
import { InvitationService, invitationRoutes } from './invitations/index.ts';
import {
  adminMailDomainRoutes,
  DimailClient,
  domainChecksJobHandler,
  MAIL_CHECK_JOB,
  MAIL_SYNC_JOB,
  MailDomainService,
  MailPlatform,
  mailDomainRoutes,
  mailSyncJobHandler,
  scheduleDomainChecks,
} from './mail-domains/index.ts';
import {
  createMarketingBackend,
  MARKETING_JOB,
  type MarketingBackend,
  marketingJobHandler,
  queueSignup,
} from './marketing/index.ts';
import {
  adminOrganizationRoutes,
  namesFromRegistry,
  ORGANIZATION_NAME_JOB,
  OrganizationService,
  organizationNameJobHandler,
  organizationRoutes,
  queueUnnamedOrganizations,
} from './organizations/index.ts';
import type { Config } from './platform/config.ts';
import { type Database, databaseSettings, openDatabase } from './platform/database.ts';
import { frontendConfigRoute } from './platform/frontend-config.ts';
import { heartbeatRoutes } from './platform/heartbeat.ts';
import { type App, createHttpServer } from './platform/http.ts';
import { refuseUnstorableText } from './platform/input.ts';
import { JobQueue } from './platform/job-queue.ts';
import { createStore, type KeyValueStore } from './platform/kv.ts';
import { Metrics } from './platform/metrics.ts';
import {
  Introspector,
  loadDecryptionKeys,
  ResourceServerService,
  resourceServerRoutes,
} from './resource-server/index.ts';
import {
  ScimClientService,
  ScimGroupService,
  ScimUserService,
  scimClientRoutes,
  scimRoutes,
} from './scim/index.ts';
import { TeamService, teamRoutes } from './teams/index.ts';
import { UserLifecycle, userRoutes, userSearchRoute } from './users/index.ts';
import { webAppRoutes } from './web-app/routes.ts';
import {
  WEBHOOK_JOB,
  WebhookSecrets,
  WebhookService,
  webhookJobHandler,
  webhookRoutes,
} from './webhooks/index.ts';
import { deliverTo, webhookUrlCheck } from './webhooks/wiring.ts';

export interface Desk {
  app: App;
  config: Config;
  database: Database;
  kv: KeyValueStore;
  sessions: SessionStore;
  lifecycle: UserLifecycle;
  provider: OidcProvider;
  jobs: JobQueue;
  introspector: Introspector;
  /** Prometheus metrics; `metrics.url` is where GET /metrics answers when METRICS_PORT is set. */
  metrics: Metrics;
  /** Stops accepting, finishes in-flight requests, then closes the database and Redis. */
  close(): Promise<void>;
}

export interface DeskParts {
  /** A database opened by the caller (`desk start` opens it while modules load; tests); otherwise from DATABASE_URL. */
  database?: Database;
  kv?: KeyValueStore;
  /** The clock (tests move it); refused in production, as every part below. */
  now?: () => number;
  /** Delivers mail (tests give one pointed at their SMTP server); default: SMTP when EMAIL_HOST is set. */
  mailer?: Mailer | null;
  marketing?: MarketingBackend;
  /** Run background jobs once listening (default true; tests of the queue run it by hand). */
  runJobs?: boolean;
  /** Where the logs go (tests read them); default standard output. */
  logStream?: NodeJS.WritableStream;
  /** The built web app served at / (tests serve a copy they change, as a redeploy would); default web/dist. */
  webDist?: string;
}

/** Parts only tests and benchmarks hand in: each replaces what production's settings choose. */
const TEST_PARTS = ['now', 'mailer', 'marketing', 'runJobs', 'logStream', 'webDist'] as const;

export async function buildDesk(settings: Config, parts: DeskParts = {}): Promise<Desk> {
  // A stopped clock, a mailer that keeps mail, jobs that never run or logs sent elsewhere must never reach production.
  const testParts = TEST_PARTS.filter((name) => parts[name] !== undefined);
  if (settings.isProduction && testParts.length)
    throw new Error(
      `buildDesk refuses parts meant for tests with NODE_ENV=production: ${testParts.join(', ')}`,
    );
  const config = withDevDimail(withDevProvider(settings));
  const metrics = new Metrics(config);
  const database = metrics.timedDatabase(
    parts.database ?? openDatabase(config.DATABASE_URL, config.DESK_DATA_DIR, databaseSettings(config)),
  );
  const kv = metrics.timedStore(parts.kv ?? createStore(config.REDIS_URL));
  const sessions = new SessionStore(kv, {
    absoluteMs: config.SESSION_COOKIE_AGE * 1000,
    idleMs: config.SESSION_IDLE_TIMEOUT * 1000,
    ...(parts.now ? { now: parts.now } : {}),
  });
  const app = await createHttpServer(config, parts.logStream ? { logStream: parts.logStream } : {});
  metrics.instrumentRequests(app);
  // Before the public port opens: a metrics port already taken stops the start (an onListen error would only be logged).
  app.addHook('onReady', () => metrics.listen());
  const provider = new OidcProvider(config, parts.now);
  const lifecycle = new UserLifecycle();
  const deps = { config, database, kv, sessions, provider, lifecycle, metrics };
  app.addHook('preValidation', refuseUnstorableText);
  // Every route belongs to a resource whose policy (caller, CSRF, feature flag, throttle, ids) is declared here once.
  const resource = resources(app, deps);
  const teamsShown = (c: Config) => c.FEATURE_TEAMS_DISPLAY;
  const contactsShown = (c: Config) => c.FEATURE_CONTACTS_DISPLAY;
  // DESIGN.md §11: mail domains, their mailboxes and aliases on the mail platform (dimail).
  const dimail =
    config.MAIL_PROVISIONING_API_URL && config.MAIL_PROVISIONING_API_CREDENTIALS
      ? new DimailClient({
          url: config.MAIL_PROVISIONING_API_URL.replace(/\/+$/, ''),
          credentials: config.MAIL_PROVISIONING_API_CREDENTIALS,
          timeoutMs: config.MAIL_PROVISIONING_API_TIMEOUT * 1000,
          ...(parts.now ? { now: parts.now } : {}),
        })
      : null;
  const mailPlatform = new MailPlatform(database, dimail, mailDomainMails(config), {
    webmailUrl: config.WEBMAIL_URL,
    log: app.log,
    ...(parts.now ? { now: parts.now } : {}),
  });
  const mailDomains = new MailDomainService(database, config, mailPlatform, {
    log: app.log,
    ...(parts.now ? { now: parts.now } : {}),
  });
  installAuth(app, resource, deps);
  // As people's UserViewSet: the per-user rates guard who-am-I and the directory search (enumeration), not the
  // pages an agent clicks through (20/minute would stop the web app).
  resource('/api/v1.0/users/', { caller: 'user', throttle: true }, (scope) => {
    userRoutes(scope, { ...deps, mailboxAbilities: mailDomains.abilitiesOf });
    userSearchRoute(scope, deps);
  });
  resource('/api/v1.0/config/', { caller: 'visitor' }, (scope) => frontendConfigRoute(scope, config));
  resource('/__', { caller: 'machine' }, (scope) => heartbeatRoutes(scope, deps));
  lifecycle.onCreated(createProfileContact);
  const contacts = new ContactService(database);
  resource('/api/v1.0/contacts/', { caller: 'user', feature: contactsShown }, (scope) =>
    contactRoutes(scope, { config, contacts }),
  );
  const teams = new TeamService(database);
  const invitations = new InvitationService(database, config, parts.now);
  lifecycle.onCreated(invitations.convertFor);
  lifecycle.onEmailChanged(invitations.convertFor);
  // An invitation to someone of another organization waits for their next sign-in that proves the address.
  lifecycle.onSignedIn(invitations.convertAtSignIn);
  // Invitations live under /teams/: the teams flag and policy hold for them too.
  // DESIGN.md §12: a team's membership changes sent to other apps; the secrets kept encrypted with SECRET_KEY.
  const webhookSecrets = new WebhookSecrets(config.SECRET_KEY);
  const webhooks = new WebhookService(database, webhookSecrets, webhookUrlCheck(config));
  resource('/api/v1.0/teams/', { caller: 'user', feature: teamsShown }, (scope) => {
    teamRoutes(scope, { config, teams });
    invitationRoutes(scope, { config, invitations, teams });
    webhookRoutes(scope, { webhooks });
  });
  mailDomains.afterInvitation(mailDomainInvitationMail(config));
  lifecycle.onCreated(mailDomains.convertFor);
  lifecycle.onEmailChanged(mailDomains.convertFor);
  lifecycle.onSignedIn(mailDomains.convertAtSignIn);
  resource('/api/v1.0/mail-domains/', { caller: 'user' }, (scope) =>
    mailDomainRoutes(scope, { config, domains: mailDomains }),
  );
  const organizations = new OrganizationService(database, config, sessions);
  resource('/api/v1.0/organizations/', { caller: 'user' }, (scope) =>
    organizationRoutes(scope, { config, organizations }),
  );
  resource('/api/v1.0/admin/organizations/', { caller: 'user', staff: true }, (scope) =>
    adminOrganizationRoutes(scope, { config, organizations }),
  );
  // DESIGN.md §9: the clients an organization's identity provider calls /scim/v2/ with.
  const scimClients = new ScimClientService(database, parts.now);
  resource('/api/v1.0/admin/organizations/', { caller: 'user', staff: true }, (scope) =>
    scimClientRoutes(scope, { config, clients: scimClients }),
  );
  // DESIGN.md §9: the SCIM 2.0 service provider; a client's bearer token is its only credential.
  resource('/scim/v2/', { caller: 'machine' }, (scope) =>
    scimRoutes(scope, {
      clients: scimClients,
      users: new ScimUserService(database, config, sessions, lifecycle, parts.now),
      groups: new ScimGroupService(database, parts.now),
    }),
  );
  resource('/api/v1.0/admin/mail-domains/', { caller: 'user', staff: true }, (scope) =>
    adminMailDomainRoutes(scope, { config, database, domains: mailDomains }),
  );
  // DESIGN.md §8: the staff back office's API; anyone but staff gets 404, as if it were absent.
  const admin = new AdminService(database, sessions, parts.now);
  resource('/api/v1.0/admin/', { caller: 'user', staff: true }, (scope) => {
    adminRoutes(scope, { config, database, admin, invitationCutoff: () => invitations.cutoff() });
    webhookRoutes(scope, { webhooks, asStaff: true });
  });
  const keys = await loadDecryptionKeys(config);
  const introspector = new Introspector(config, provider, kv, keys, parts.now, metrics);
  // The store caps refused-token audit rows per address across pods.
  const service = new ResourceServerService(database, introspector, kv);
  resourceServerRoutes(app, resource, { config, keys, service, invitations });
  const documents = new DocumentService(database);
  lifecycle.onCreated(documents.convertFor);
  lifecycle.onEmailChanged(documents.convertFor);
  resource('/api/v1.0/documents/', { caller: 'user' }, (scope) =>
    documentRoutes(scope, { config, documents }),
  );
  const filing = new OwnerFiling(database, config);
  // A trusted back-end, not a browser: its server token is checked before the body is validated.
  resource(
    '/api/v1.0/documents/create-for-owner/',
    { caller: 'machine', authenticate: async (request) => void serverTokenOf(request, config) },
    (scope) => createForOwnerRoute(scope, { config, filing }),
  );
  // DESIGN.md §8: staff read and export the audit log.
  resource('/api/v1.0/admin/audit-events/', { caller: 'user', staff: true }, (scope) =>
    auditRoutes(scope, { config, database }),
  );

  // Background work: mail through the outbox, onboarding of new users.
  const jobs = new JobQueue(database, { log: app.log, ...(parts.now ? { now: parts.now } : {}) });
  metrics.watchJobs(database, parts.now);
  // AUDIT_LOG_RETENTION_DAYS: a daily job prunes older events, rescheduling itself; one is queued at start, and
  // queued again (hourly check, or at once when a run fails for good) if the chain broke.
  jobs.register(AUDIT_PRUNE_JOB, auditPruneJobHandler(database, config, parts.now), {
    keepQueued: (now) => scheduleAuditPrune(database.db, now),
  });
  if (parts.runJobs ?? true)
    app.addHook('onListen', async () => {
      await scheduleAuditPrune(database.db, new Date((parts.now ?? Date.now)()));
    });
  // A delivery makes at most four requests (Matrix: join, directory search, invite or kick), each bounded.
  const webhookTimeoutMs = 4 * config.WEBHOOK_TIMEOUT * 1000;
  jobs.register(
    WEBHOOK_JOB,
    webhookJobHandler(database, {
      deliver: deliverTo(config),
      secrets: webhookSecrets,
      timeoutMs: webhookTimeoutMs,
      ...(parts.now ? { now: parts.now } : {}),
    }),
    { timeoutMs: webhookTimeoutMs + 5_000 },
  );
  const smtp = parts.mailer === undefined ? createMailer(config) : null;
  const mailer = parts.mailer === undefined ? smtp : parts.mailer;
  if (mailer) jobs.register(MAIL_JOB, mailJobHandler(mailer));
  invitations.afterCreate(teamInvitationMail(config));
  filing.afterFiling(documentFiledMail(config));
  // people's la_suite plugin: organizations known only by their SIRET get the company registry's name. Those made
  // before (or while it was off) are queued once at start.
  if (namesFromRegistry(config)) {
    jobs.register(ORGANIZATION_NAME_JOB, organizationNameJobHandler(organizations, config, app.log));
    if (parts.runJobs ?? true)
      app.addHook('onListen', async () => {
        await queueUnnamedOrganizations(database.db, new Date((parts.now ?? Date.now)()));
      });
  }
  // Work on dimail outlives an outage: retried with backoff (capped at an hour) for about three days, then failed
  // (staff retry it from the jobs list). A run makes a few calls, each bounded by MAIL_PROVISIONING_API_TIMEOUT.
  jobs.register(MAIL_SYNC_JOB, mailSyncJobHandler(mailPlatform), {
    maxAttempts: 72,
    timeoutMs: 5 * config.MAIL_PROVISIONING_API_TIMEOUT * 1000,
  });
  if (dimail) {
    jobs.register(MAIL_CHECK_JOB, domainChecksJobHandler(database, config, parts.now), {
      keepQueued: (now) => scheduleDomainChecks(database, now),
    });
    if (parts.runJobs ?? true)
      app.addHook('onListen', async () => {
        await scheduleDomainChecks(database, new Date((parts.now ?? Date.now)()));
      });
  }
  // Without onboarding nothing is queued for it, and an idle queue (no handlers) sends no query at all.
  if (config.SIGNUP_NEW_USER_TO_MARKETING_EMAIL) {
    jobs.register(
      MARKETING_JOB,
      marketingJobHandler(parts.marketing ?? createMarketingBackend(config), database),
    );
    lifecycle.onCreated(queueSignup(config));
  }
  mailDebugRoutes(app, { config, database });
  webAppRoutes(app, resource, config, parts.webDist);
  // Loaded only when used: production never imports the development provider.
  if (config.DESK_DEV_IDP) await (await import('./dev-idp/index.ts')).mountDevProvider(app, config, keys);
  if (config.DESK_DEV_DIMAIL) await (await import('./dev-dimail/index.ts')).mountDevDimail(app, config);
  if (parts.runJobs ?? true) app.addHook('onListen', async () => jobs.start());

  let closed: Promise<void> | undefined;
  return {
    ...deps,
    app,
    jobs,
    introspector,
    close() {
      closed ??= (async () => {
        await app.close();
        await metrics.close();
        await jobs.stop();
        smtp?.close();
        if (!parts.database) await database.close();
        if (!parts.kv) await kv.close();
      })();
      return closed;
    },
  };
}
