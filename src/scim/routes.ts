// The SCIM 2.0 service provider over HTTP (RFC 7644, DESIGN.md §9): discovery, Users and Groups under /scim/v2/,
// answered in application/scim+json, every error in the SCIM error schema — unknown routes and wrong methods too.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestOrigin } from '../audit/index.ts';
import { databaseUnavailable } from '../platform/database.ts';
import { HttpError, ValidationFailed } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import type { ScimDocument } from './attributes.ts';
import type { ScimClientService } from './clients.ts';
import { DEFAULT_PAGE, MAX_PAGE, resourceTypes, schemas, serviceProviderConfig } from './discovery.ts';
import { type GroupRow, groupDocument, LIST_SCHEMA, SEARCH_SCHEMA, userDocument } from './documents.ts';
import {
  InvalidFilter,
  InvalidSyntax,
  InvalidValue,
  ScimError,
  ScimNotFound,
  ScimUnauthorized,
} from './errors.ts';
import { parseFilter } from './filter.ts';
import type { FilterNode } from './filter-ast.ts';
import type { ScimGroupService } from './groups.ts';
import { project, wants } from './projection.ts';
import type { ScimClient } from './schema.ts';
import { type ScimCaller, type ScimUserService, scimActor } from './users.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The SCIM client whose bearer token the request carries (set by the /scim/v2/ scope's first hook). */
    scimClient?: ScimClient;
  }
}

export const SCIM_PREFIX = '/scim/v2';
const SCIM_TYPE = 'application/scim+json; charset=utf-8';
const MAX_OFFSET = 2 ** 31 - 1;

export interface ScimDeps {
  clients: ScimClientService;
  users: ScimUserService;
  groups: ScimGroupService;
}

/** What a list or search asks for, from the query string (GET) or a SearchRequest body (POST …/.search). */
interface ListQuery {
  filter: FilterNode | undefined;
  offset: number;
  limit: number;
  attributes?: string;
  excludedAttributes?: string;
}

function base(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${SCIM_PREFIX}`;
}

function caller(request: FastifyRequest): ScimCaller {
  const client = request.scimClient;
  if (!client) throw new ScimUnauthorized();
  return { client, audit: { actor: scimActor(client), ...requestOrigin(request) } };
}

function integerOf(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n)) throw new InvalidValue(`${field} must be an integer.`);
  // Beyond any page Desk can hold: an empty page, not an OFFSET PostgreSQL refuses.
  if (!Number.isSafeInteger(n)) return n > 0 ? MAX_OFFSET : -1;
  return n;
}

function textOf(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((v) => textOf(v, field)).join(',');
  if (typeof value !== 'string') throw new InvalidValue(`${field} must be a string.`);
  return value;
}

function listQuery(source: Record<string, unknown>): ListQuery {
  const filterText = textOf(source.filter, 'filter');
  // RFC 7644 §3.4.2.4: startIndex below 1 is 1; a negative count is 0; Desk caps a page at MAX_PAGE.
  const startIndex = Math.min(MAX_OFFSET, Math.max(1, integerOf(source.startIndex, 'startIndex') ?? 1));
  const count = Math.min(MAX_PAGE, Math.max(0, integerOf(source.count, 'count') ?? DEFAULT_PAGE));
  const attributes = textOf(source.attributes, 'attributes');
  const excludedAttributes = textOf(source.excludedAttributes, 'excludedAttributes');
  return {
    filter: filterText?.trim() ? parseFilter(filterText) : undefined,
    offset: startIndex - 1,
    limit: count,
    ...(attributes ? { attributes } : {}),
    ...(excludedAttributes ? { excludedAttributes } : {}),
  };
}

/** Query parameter names are matched case-insensitively: clients write `startindex`, `Count`. */
function queryOf(request: FastifyRequest): Record<string, unknown> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const names = ['filter', 'startIndex', 'count', 'attributes', 'excludedAttributes'];
  const found: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    const name = names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (name) found[name] = value;
  }
  return found;
}

function searchBody(body: unknown): ListQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidSyntax('A SearchRequest must be a JSON object.');
  const fields = body as Record<string, unknown>;
  const schemasSent = fields.schemas;
  if (Array.isArray(schemasSent) && !schemasSent.includes(SEARCH_SCHEMA))
    throw new InvalidSyntax(`A SearchRequest must name the schema ${SEARCH_SCHEMA}.`);
  return listQuery(fields);
}

function listResponse(query: Pick<ListQuery, 'offset'>, total: number, resources: ScimDocument[]) {
  return {
    schemas: [LIST_SCHEMA],
    totalResults: total,
    startIndex: query.offset + 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

const VIEW = (source: Record<string, unknown>) => ({
  attributes: textOf(source.attributes, 'attributes'),
  excludedAttributes: textOf(source.excludedAttributes, 'excludedAttributes'),
});

export function scimRoutes(scope: App, { clients, users, groups }: ScimDeps): void {
  // RFC 7644 §3.1: requests may be application/scim+json (and plain application/json, which the app parses).
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.addContentTypeParser('application/scim+json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') done(null, undefined);
    else parseJson(request, text, done);
  });

  // Authenticated before anything else is read: a request without a valid token learns nothing, not even a 400.
  scope.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer +(\S+) *$/i.exec(header);
    const client = match?.[1] ? await clients.authenticate(match[1]) : null;
    if (!client) throw new ScimUnauthorized();
    request.scimClient = client;
  });

  scope.addHook('onSend', async (_request, reply, payload) => {
    if (typeof payload === 'string' && payload.length) reply.header('content-type', SCIM_TYPE);
    return payload;
  });

  scope.setErrorHandler(async (error, request, reply: FastifyReply) => {
    const scim = scimErrorOf(error, request);
    return reply.code(scim.statusCode).headers(scim.headers).type(SCIM_TYPE).send(scim.body());
  });

  // ---- discovery (RFC 7644 §4) ----
  scope.get(`${SCIM_PREFIX}/ServiceProviderConfig`, { schema: { hide: true } }, async (request) =>
    serviceProviderConfig(base(request)),
  );
  // A list of every document and each by its id (any case): the resource types and the schemas alike.
  const discovery = (path: string, what: string, all: (base: string) => { id: string }[]) => {
    scope.get(`${SCIM_PREFIX}/${path}`, { schema: { hide: true } }, async (request) => {
      const documents = all(base(request));
      return listResponse({ offset: 0 }, documents.length, documents);
    });
    scope.get(`${SCIM_PREFIX}/${path}/*`, { schema: { hide: true } }, async (request) => {
      const id = (request.params as { '*': string })['*'];
      const found = all(base(request)).find((d) => d.id.toLowerCase() === id.toLowerCase());
      if (!found) throw new ScimNotFound(`${what} ${id} not found.`);
      return found;
    });
  };
  discovery('ResourceTypes', 'Resource type', resourceTypes);
  discovery('Schemas', 'Schema', schemas);

  // ---- Users ----
  const userList = async (request: FastifyRequest, query: ListQuery) => {
    const page = await users.list(caller(request), query.filter, query.offset, query.limit);
    const url = base(request);
    return listResponse(
      query,
      page.total,
      page.rows.map((row) => project(userDocument(row, url), query, 'User')),
    );
  };
  scope.get(`${SCIM_PREFIX}/Users`, { schema: { hide: true } }, async (request) =>
    userList(request, listQuery(queryOf(request))),
  );
  scope.post(`${SCIM_PREFIX}/Users/.search`, { schema: { hide: true } }, async (request) =>
    userList(request, searchBody(request.body)),
  );
  scope.post(`${SCIM_PREFIX}/Users`, { schema: { hide: true } }, async (request, reply) => {
    const row = await users.create(caller(request), request.body);
    const document = userDocument(row, base(request));
    reply.code(201).header('location', `${base(request)}/Users/${row.id}`);
    return project(document, VIEW(queryOf(request)), 'User');
  });
  scope.get(`${SCIM_PREFIX}/Users/*`, { schema: { hide: true } }, async (request) => {
    const row = await users.get(caller(request), idOf(request));
    return project(userDocument(row, base(request)), VIEW(queryOf(request)), 'User');
  });
  scope.put(`${SCIM_PREFIX}/Users/*`, { schema: { hide: true } }, async (request) => {
    const row = await users.replace(caller(request), idOf(request), request.body);
    return project(userDocument(row, base(request)), VIEW(queryOf(request)), 'User');
  });
  scope.patch(`${SCIM_PREFIX}/Users/*`, { schema: { hide: true } }, async (request) => {
    const row = await users.patch(caller(request), idOf(request), request.body);
    return project(userDocument(row, base(request)), VIEW(queryOf(request)), 'User');
  });
  scope.delete(`${SCIM_PREFIX}/Users/*`, { schema: { hide: true } }, async (request, reply) => {
    await users.delete(caller(request), idOf(request));
    return reply.code(204).send();
  });

  // ---- Groups ----
  const groupDocuments = async (
    request: FastifyRequest,
    rows: GroupRow[],
    view: ListQuery | ReturnType<typeof VIEW>,
  ) => {
    // Entra asks every group with excludedAttributes=members: a 10,000-member group is then one row, not 10,001.
    const members = wants(view, 'Group', 'members') ? await groups.members(rows.map((r) => r.id)) : undefined;
    const url = base(request);
    return rows.map((row) =>
      project(groupDocument(row, members ? (members.get(row.id) ?? []) : undefined, url), view, 'Group'),
    );
  };
  const groupList = async (request: FastifyRequest, query: ListQuery) => {
    const page = await groups.list(caller(request), query.filter, query.offset, query.limit);
    return listResponse(query, page.total, await groupDocuments(request, page.rows, query));
  };
  scope.get(`${SCIM_PREFIX}/Groups`, { schema: { hide: true } }, async (request) =>
    groupList(request, listQuery(queryOf(request))),
  );
  scope.post(`${SCIM_PREFIX}/Groups/.search`, { schema: { hide: true } }, async (request) =>
    groupList(request, searchBody(request.body)),
  );
  scope.post(`${SCIM_PREFIX}/Groups`, { schema: { hide: true } }, async (request, reply) => {
    const row = await groups.create(caller(request), request.body);
    reply.code(201).header('location', `${base(request)}/Groups/${row.id}`);
    const [document] = await groupDocuments(request, [row], VIEW(queryOf(request)));
    return document;
  });
  scope.get(`${SCIM_PREFIX}/Groups/*`, { schema: { hide: true } }, async (request) => {
    const row = await groups.get(caller(request), idOf(request));
    const [document] = await groupDocuments(request, [row], VIEW(queryOf(request)));
    return document;
  });
  scope.put(`${SCIM_PREFIX}/Groups/*`, { schema: { hide: true } }, async (request) => {
    const row = await groups.replace(caller(request), idOf(request), request.body);
    const [document] = await groupDocuments(request, [row], VIEW(queryOf(request)));
    return document;
  });
  scope.patch(`${SCIM_PREFIX}/Groups/*`, { schema: { hide: true } }, async (request) => {
    const row = await groups.patch(caller(request), idOf(request), request.body);
    const [document] = await groupDocuments(request, [row], VIEW(queryOf(request)));
    return document;
  });
  scope.delete(`${SCIM_PREFIX}/Groups/*`, { schema: { hide: true } }, async (request, reply) => {
    await groups.delete(caller(request), idOf(request));
    return reply.code(204).send();
  });

  // Anything else under /scim/v2/ answers in SCIM too: 405 for a known path and another method, else 404.
  scope.all(`${SCIM_PREFIX}/*`, { schema: { hide: true } }, async (request) => {
    const path = (request.params as { '*': string })['*'].replace(/\/+$/, '');
    // RFC 7644 §3.7: Bulk is optional; ServiceProviderConfig says it is not offered, and the endpoint says so too.
    if (/^Bulk$/i.test(path))
      throw new ScimError(501, 'Bulk operations are not supported (see ServiceProviderConfig).');
    const allowed = allowedMethods(path);
    if (allowed) throw new ScimMethodNotAllowed(request.method, allowed);
    throw new ScimNotFound(`No SCIM endpoint ${SCIM_PREFIX}/${path}.`);
  });
}

/** The id of /Users/{id} or /Groups/{id}: one path segment; anything deeper is no resource. */
function idOf(request: FastifyRequest): string {
  const rest = (request.params as { '*': string })['*'].replace(/\/+$/, '');
  if (!rest || rest.includes('/')) throw new ScimNotFound(`No SCIM resource ${rest}.`);
  return rest;
}

const METHODS_BY_PATH: [RegExp, string[]][] = [
  // Case as the routes are registered: /serviceproviderconfig is unknown (404), not a known path with a wrong method.
  [/^(ServiceProviderConfig|ResourceTypes|Schemas)(\/[^/]+)?$/, ['GET']],
  [/^(Users|Groups)$/, ['GET', 'POST']],
  [/^(Users|Groups)\/\.search$/, ['POST']],
  [/^(Users|Groups)\/[^/]+$/, ['GET', 'PUT', 'PATCH', 'DELETE']],
];

function allowedMethods(path: string): string[] | undefined {
  return METHODS_BY_PATH.find(([pattern]) => pattern.test(path))?.[1];
}

class ScimMethodNotAllowed extends ScimError {
  constructor(method: string, allowed: string[]) {
    super(405, `Method ${method} is not allowed here.`);
    this.headers.allow = allowed.join(', ');
  }
}

/** Every failure under /scim/v2/ as a SCIM error: Desk's own errors keep their status, a body Fastify refused is 400. */
function scimErrorOf(error: unknown, request: FastifyRequest): ScimError {
  if (error instanceof ScimError) return error;
  // The app-wide refusal of text PostgreSQL cannot store (NUL, unpaired surrogates) is a 400, which RFC 7644 §3.12
  // gives a scimType: invalidFilter for a filter, invalidValue for any other value.
  if (error instanceof ValidationFailed)
    return 'filter' in error.fields ? new InvalidFilter(error.message) : new InvalidValue(error.message);
  if (error instanceof HttpError) {
    const scim = new ScimError(error.statusCode, error.message);
    Object.assign(scim.headers, error.headers);
    return scim;
  }
  const status = (error as { statusCode?: number }).statusCode;
  if (status && status >= 400 && status < 500) {
    // An unparsable JSON body is invalidSyntax; other client errors (415, 413) keep their status.
    return status === 400
      ? new InvalidSyntax(`The request body is not valid JSON: ${(error as Error).message}`)
      : new ScimError(status, (error as Error).message);
  }
  const unavailable = databaseUnavailable(error);
  if (unavailable) {
    request.log.warn({ err: error }, unavailable.message);
    const scim = new ScimError(503, unavailable.message);
    Object.assign(scim.headers, unavailable.headers);
    return scim;
  }
  request.log.error({ err: error }, 'unhandled error');
  return new ScimError(500, 'A server error occurred.');
}
