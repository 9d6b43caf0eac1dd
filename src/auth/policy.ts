// One policy per resource (a route prefix), declared once: who may call, CSRF, the feature flag, per-user throttles,
// caching and UUID ids. Every route registered under a resource gets all of it, so a new route cannot forget one.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import { NotAuthenticated, NotFound } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { isSafeParam } from '../platform/input.ts';
import type { KeyValueStore } from '../platform/kv.ts';
import { consume } from '../platform/throttle.ts';
import { checkCsrf, issueCsrfCookie, loadSession } from './session-auth.ts';
import type { SessionStore } from './sessions.ts';

export type Caller =
  /** A signed-in agent (session cookie): 401 before anything else otherwise. */
  | 'user'
  /** Anyone with a browser: the session is read when there is one (login, logout, the config, the home page). */
  | 'visitor'
  /** Another program (provider, back-end, app of the suite): no session read, no cookie set, no CSRF. */
  | 'machine';

export interface Policy {
  caller: Caller;
  /** 'always': unsafe methods need the CSRF token even without a session (login: no login CSRF). */
  csrf?: 'always';
  /** The feature flag of the resource: off, every route answers 404 as if absent. */
  feature?: (config: Config) => boolean;
  /** Counts each request of a signed-in user against BURST_THROTTLE_RATES and SUSTAINED_THROTTLE_RATES. */
  throttle?: boolean;
  /** A machine's own credentials (bearer token, server token), checked before the body is validated. */
  authenticate?: (request: FastifyRequest) => Promise<void>;
  /** Staff only (`is_staff`): anyone else gets 404, as if the resource were absent (DESIGN.md §8). */
  staff?: boolean;
  /** What caches may keep: public documents (jwks) for an hour, content-hashed files for good; else `no-store`. */
  cache?: 'public' | 'immutable';
}

export interface PolicyDeps {
  config: Config;
  database: Database;
  kv: KeyValueStore;
  sessions: SessionStore;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const CACHE_CONTROL = {
  none: 'no-store',
  public: 'public, max-age=3600',
  immutable: 'public, max-age=31536000, immutable',
} as const;

/** Every `:param` of a route under a resource is an id (uuid()) or a slug (slugParam()): malformed ones never reach SQL. */
function assertUuidParams(url: string, method: unknown, params: unknown): void {
  const names = [...url.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  if (!names.length) return;
  const shape = params instanceof z.ZodObject ? (params.shape as Record<string, unknown>) : {};
  for (const name of names)
    if (!isSafeParam(shape[name]))
      throw new Error(
        `${String(method)} ${url}: path parameter :${name} must be declared with uuid() or slugParam() (input.ts)`,
      );
}

/** Declares resources on the app: `resource(prefix, policy, routes)` registers `routes` in a scope under the policy. */
export function resources(app: App, { config, database, kv, sessions }: PolicyDeps) {
  return (prefix: string, policy: Policy, routes: (scope: App) => void): void => {
    void app.register(async (scope: App) => {
      scope.addHook('onRoute', (route) => {
        if (!route.url.startsWith(prefix))
          throw new Error(`${route.url} is registered under the resource ${prefix}`);
        assertUuidParams(route.url, route.method, route.schema?.params);
      });

      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        if (policy.feature && !policy.feature(config)) throw new NotFound();
        reply.header('cache-control', CACHE_CONTROL[policy.cache ?? 'none']);
        if (policy.caller === 'machine') {
          // Cookies a browser may send are never read here: a machine's own credentials are the proof.
          request.user = null;
          request.session = null;
          return;
        }
        issueCsrfCookie(request, reply, config);
        await loadSession(request, { config, database, sessions });
        // Staff resources are absent to everyone else, signed in or not (DESIGN.md §8).
        if (policy.staff && !request.user?.isStaff) throw new NotFound();
        if (policy.caller === 'user' && !request.user) throw new NotAuthenticated();
      });

      // CSRF once the body is parsed, so an HTML form can carry the token as a field; authentication first.
      const csrf = (request: FastifyRequest) => {
        if (policy.caller === 'machine' || !UNSAFE.has(request.method)) return;
        if (policy.csrf === 'always' || request.cookies[config.SESSION_COOKIE_NAME])
          checkCsrf(request, config);
      };
      const { authenticate } = policy;
      if (authenticate)
        scope.addHook('preValidation', async (request: FastifyRequest) => {
          await authenticate(request);
          csrf(request);
        });
      // A callback hook without an authentication to wait for: an async one costs every request a promise and a turn.
      else
        scope.addHook(
          'preValidation',
          (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
            try {
              csrf(request);
            } catch (err) {
              return done(err as Error);
            }
            done();
          },
        );

      // Both rates off (a benchmark, a development Desk): no hook at all rather than one that counts nothing.
      const rates = [config.BURST_THROTTLE_RATES, config.SUSTAINED_THROTTLE_RATES];
      if (policy.throttle && rates.some(Boolean)) {
        scope.addHook('preValidation', async (request: FastifyRequest) => {
          if (request.user) await consume(kv, `user:${request.user.id}`, rates);
        });
      }

      routes(scope);
    });
  };
}

export type Resource = ReturnType<typeof resources>;
