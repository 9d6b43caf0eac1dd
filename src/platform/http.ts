// The HTTP server: Fastify with zod schemas (validation, serialization, OpenAPI), one error handler, JSON 404/405.
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
// Fastify's own dependency, through which its trustProxy reads TRUSTED_PROXIES: the request id believes the same peers.
import proxyAddr from '@fastify/proxy-addr';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import FindMyWay from 'find-my-way';
import type { Config, TrustedProxies } from './config.ts';
import { databaseUnavailable } from './database.ts';
import { HttpError, MethodNotAllowed, NotFound } from './errors.ts';
import { malformedParamsDetail } from './input.ts';
import { logFormat, loggerOptions, OneLinePerRequest, prettyDestination } from './logging.ts';
import { type ProxyTrust, requestId } from './request-id.ts';
import { serializerCompiler } from './serializer.ts';

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  import('fastify').FastifyBaseLogger,
  ZodTypeProvider
>;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

/** DRF's field error shape from Fastify's validation errors: {"field": ["message"]}. */
function fieldErrors(
  error: FastifyError & { validation: { instancePath: string; message?: string; params: unknown }[] },
) {
  const fields: Record<string, string[]> = {};
  const add = (name: string, message: string) => {
    fields[name] ??= [];
    fields[name].push(message);
  };
  for (const v of error.validation) {
    const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const keys = (v.params as { keys?: unknown } | undefined)?.keys;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      for (const key of keys) add(path ? `${path}.${String(key)}` : String(key), 'Unknown field.');
      continue;
    }
    add(path || 'non_field_errors', v.message ?? 'Invalid value.');
  }
  return fields;
}

/**
 * Fastify's trustProxy for TRUSTED_PROXIES, compiled as Fastify would compile a list (proxy-addr), so the request id
 * can ask it too (request-id.ts). A hop count goes in as a function because Fastify 5 now reads a bare number as "trust nothing";
 * none must be `false`, never `true` (trust everyone).
 */
function trustProxy(trusted: TrustedProxies): ProxyTrust {
  if ('hops' in trusted) return trusted.hops > 0 ? (_address, hop) => hop < trusted.hops : false;
  return trusted.addresses.length ? proxyAddr.compile(trusted.addresses) : false;
}

/** Whether a browser page of an origin may read Desk's answers with credentials (patterns compiled once). */
export function corsPolicy(config: Config): (origin: string | undefined) => boolean {
  const listed = new Set(config.CORS_ALLOWED_ORIGINS.map((allowed) => allowed.replace(/\/+$/, '')));
  const patterns = config.CORS_ALLOWED_ORIGIN_REGEXES.map((pattern) => new RegExp(`^(?:${pattern})$`));
  return (origin) =>
    Boolean(origin) &&
    (config.CORS_ALLOW_ALL_ORIGINS || listed.has(origin ?? '') || patterns.some((p) => p.test(origin ?? '')));
}

const FRAME_ANCESTORS = "frame-ancestors 'none'";

/**
 * Headers every answer carries. A hook rather than @fastify/helmet: helmet's default CSP would break the
 * web app, the OpenAPI viewer and the development provider's pages, and these few need no dependency.
 */
function securityHeaders(app: App, config: Config): void {
  // Callback hooks, as the others on every answer: an async one costs each request a promise and a turn.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    // A page with its own policy keeps it; only the framing rule is added to it.
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp !== 'string' || !csp.trim()) reply.header('content-security-policy', FRAME_ANCESTORS);
    else if (!/(^|;)\s*frame-ancestors\s/i.test(csp))
      reply.header('content-security-policy', `${csp.trim().replace(/;?$/, ';')} ${FRAME_ANCESTORS}`);
    if (config.isProduction) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    done(null, payload);
  });
}

/** Answers a browser navigation no route matched (the web app's client-side routes). */
export type PageFallback = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
const pageFallbacks = new WeakMap<object, PageFallback>();

/**
 * Paths of machines and APIs keep their JSON 404; every other path may be a page of the web app. /metrics too: it
 * lives on METRICS_PORT only, and a scraper pointed at the public port must get a 404, not the web app's page.
 */
const NOT_PAGES = ['/api/', '/resource-server/', '/__', '/dev-idp', '/assets/'];
const NOT_PAGE_PATHS = new Set(['/api', '/resource-server', '/metrics', '/metrics/']);
function isPagePath(path: string): boolean {
  return !NOT_PAGES.some((prefix) => path.startsWith(prefix)) && !NOT_PAGE_PATHS.has(path);
}

export function setPageFallback(app: App, fallback: PageFallback): void {
  pageFallbacks.set(app, fallback);
}

export interface HttpServerOptions {
  /** Where the logs go (tests read them); default standard output. */
  logStream?: NodeJS.WritableStream;
}

export async function createHttpServer(config: Config, options: HttpServerOptions = {}): Promise<App> {
  const requestTimeout = config.REQUEST_TIMEOUT * 1000;
  const trust = trustProxy(config.TRUSTED_PROXIES);
  const pretty = logFormat(options.logStream ?? process.stdout) === 'pretty';
  const stream = pretty ? await prettyDestination(options.logStream ?? process.stdout) : options.logStream;
  const app = Fastify({
    logger: { ...loggerOptions(config.LOG_LEVEL), ...(stream ? { stream } : {}) },
    ...(pretty ? { logController: new OneLinePerRequest() } : {}),
    genReqId: (req) => requestId(req, trust, config.REQUEST_ID_HEADER_TRUSTED),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    bodyLimit: 1_048_576,
    trustProxy: trust,
    // A client trickling its request (slowloris) is cut off after REQUEST_TIMEOUT, headers sooner.
    requestTimeout,
    http: {
      headersTimeout: Math.min(requestTimeout, 15_000),
      // Node checks these timeouts only this often (30 s by default), which would double the bound.
      connectionsCheckingInterval: Math.min(Math.max(Math.floor(requestTimeout / 4), 250), 5_000),
    },
    // Above the 60 s idle timeout of common load balancers, so they close idle connections first.
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  // While shutting down, answers close their connection: a keep-alive socket would hold close() open.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    // An error is never kept by a cache, whatever its resource allows: a 404 for an asset a newer pod already has (a
    // rolling deploy) or a failed JWKS must be asked again, not served for a year or an hour. no-store rather than a
    // short max-age: a CDN would still pin the error on every edge for that long, and errors are cheap to answer.
    if (reply.statusCode >= 400 && reply.getHeader('cache-control') !== 'no-store')
      reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  securityHeaders(app, config);

  // An empty body with a JSON content type is an empty body: people's front end (and many HTTP client wrappers)
  // send the header on every request, DELETE included. Anything else goes through Fastify's own parser, which
  // refuses __proto__ and constructor poisoning.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') done(null, undefined);
    else parseJson(request, text, done);
  });

  // A front end served from another origin (CORS_* settings, as django-cors-headers): credentials always, the
  // allowed Origin echoed, never "*". CSRF_TRUSTED_ORIGINS stays the only way an Origin passes the CSRF check.
  const corsAllowed = corsPolicy(config);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, corsAllowed(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type', 'x-csrftoken', 'authorization', 'idempotency-key', 'x-request-id'],
    maxAge: 3_600,
  });

  await app.register(cookie, { secret: config.SECRET_KEY });
  // Back-channel logout tokens arrive as application/x-www-form-urlencoded.
  await app.register(formbody, { bodyLimit: 65_536 });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Desk API', version: '1.0', description: 'People and teams of the suite' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: config.SESSION_COOKIE_NAME },
          csrf: { type: 'apiKey', in: 'header', name: 'X-CSRFToken' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/v1.0/swagger',
    staticCSP: true,
    // Its own CSP is set after the hook above and allows framing by itself: nothing should frame Desk.
    transformStaticCSP: (csp) => csp.replace(/frame-ancestors [^;]*/, FRAME_ANCESTORS),
  });
  app.get('/api/v1.0/swagger.json', { schema: { hide: true } }, async () => app.swagger());

  // A router of every registered path tells a wrong method (405) from an unknown route (404).
  const known = FindMyWay({ ignoreTrailingSlash: true });
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m): m is Method =>
      (METHODS as readonly string[]).includes(m),
    );
    for (const m of methods) {
      try {
        known.on(m, route.url, () => {});
      } catch {
        // the same path registered twice (e.g. with and without a trailing slash)
      }
    }
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const fallback = pageFallbacks.get(app);
    if (fallback && (request.method === 'GET' || request.method === 'HEAD') && isPagePath(path))
      return fallback(request, reply);
    const allowed = METHODS.filter((m) => known.find(m, path));
    // A route of this method that found nothing (a missing static file) is a 404, not a wrong method.
    if (allowed.length && !allowed.includes(request.method as Method))
      throw new MethodNotAllowed(request.method, allowed);
    throw new NotFound();
  });

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof HttpError) {
      if (error.statusCode >= 500) request.log.warn({ err: error.cause ?? error }, error.message);
      return reply.code(error.statusCode).headers(error.headers).send(error.body());
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      // A malformed id in the path names no resource: 404, as Django's get_object_or_404 answers.
      if (error.validationContext === 'params')
        return reply
          .code(404)
          .send(
            new NotFound(malformedParamsDetail(request.routeOptions.schema?.params, request.params)).body(),
          );
      return reply.code(400).send(fieldErrors(error));
    }
    const fastifyError = error as FastifyError;
    const status = fastifyError.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ detail: fastifyError.message });
    }
    // A database restarting or failing over is a dependency down (503, Retry-After), not Desk's fault (500).
    const unavailable = databaseUnavailable(error);
    if (unavailable) {
      request.log.warn({ err: error }, unavailable.message);
      return reply.code(unavailable.statusCode).headers(unavailable.headers).send(unavailable.body());
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ detail: 'A server error occurred.' });
  });

  return app;
}
