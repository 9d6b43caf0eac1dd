// Walks the OpenAPI document and sends hostile values to every route: DESIGN promises bad input a
// 4xx with a JSON body, never a 5xx. Driven by the document, so new routes are fuzzed without edits.
import { describe, expect, it } from 'vitest';
import type { User } from '../../src/users/index.ts';
import { useDesk } from '../support/desk.ts';

const SERVER_TOKEN = `fuzz-server-token-${crypto.randomUUID()}`;
const t = useDesk({ SERVER_TO_SERVER_API_TOKENS: SERVER_TOKEN });

/** Enough to keep PGlite busy without queueing the whole run behind one slow request. */
const CONCURRENCY = 8;
/** Keeps the file well under the time budget; cases beyond it are sampled evenly. */
const MAX_CASES_PER_ROUTE = 90;
/** Only one field per route gets this, so the run stays small. */
const HUGE_STRING_LENGTH = 600_000;
const WIDE_OBJECT_KEYS = 60_000;
const DEEP_OBJECT_LEVELS = 5_000;

// A lone surrogate (U+D800) as CESU-8, and an overlong NUL: neither is UTF-8.
const NOT_UTF8: [label: string, value: string][] = [
  ['surrogate %ED%A0%80', '%ED%A0%80'],
  ['overlong NUL %C0%80', '%C0%80'],
];

// Dates outside PostgreSQL's years (no year 0), for query values and body fields that take one.
const DATES: [label: string, value: string][] = [
  ['year 0', '0000-01-01'],
  ['year 0 by offset', '0001-01-01T00:30:00+01:00'],
  ['year 10000', '+010000-01-01T00:00:00Z'],
];

// Path values are put in the URL as written: the escapes here are the point.
const PATH_VALUES: [label: string, value: string][] = [
  ['random UUID', '<uuid>'],
  ['dashes (36)', '------------------------------------'],
  ['36-char non-UUID', 'ffffffff-ffff-ffff-ffff-fffffffffff-'],
  ['%00', '%00'],
  ['x', 'x'],
  ['300 chars', 'a'.repeat(300)],
  ['..%2f', '..%2f'],
  ['emoji %F0%9F%98%80', '%F0%9F%98%80'],
  ...NOT_UTF8,
];

// Query values are percent-encoded, except the raw '%' that tests a broken escape.
const QUERY_VALUES: [label: string, value: string][] = [
  ['empty', ''],
  ['space', ' '],
  ['-', '-'],
  ['---', '---'],
  ['.', '.'],
  ['NUL', '\u0000'],
  ['5,000 chars', 'q'.repeat(5000)],
  ['%', '%'],
  ['_', '_'],
  ["'", "'"],
  ['[]', '[]'],
  ['ǅ', 'ǅ'],
  ['İ', 'İ'],
  ['-1', '-1'],
  ['1e9', '1e9'],
  ['36-char non-UUID', 'ffffffff-ffff-ffff-ffff-fffffffffff-'],
  // Numbers past what a double, a safe integer or PostgreSQL's integer holds.
  ['1e400', '1e400'],
  ['99999999999999999999999', '99999999999999999999999'],
  ['2^53+1', '9007199254740993'],
  ['2^31', '2147483648'],
  ['-0', '-0'],
  ['0x10', '0x10'],
  // Dates outside PostgreSQL's years or JavaScript's.
  ...DATES,
  ['year -1', '-000001-01-01T00:00:00Z'],
  ['past JS dates', '+275761-01-01T00:00:00Z'],
];

// Raw query text: a lone surrogate cannot be percent-encoded as UTF-8, so these are its encodings that are not.
const RAW_QUERY_VALUES: [label: string, value: string][] = [...NOT_UTF8, ['%uD800', '%uD800']];

// Header values a client can send at all (fetch refuses control and non-Latin-1 characters).
const HEADER_VALUES: [label: string, value: string][] = [
  ['empty', ''],
  ['space', ' '],
  ['-', '-'],
  ["'", "'"],
  ['[]', '[]'],
  ['300 chars', 'h'.repeat(300)],
  ['5,000 chars', 'h'.repeat(5000)],
];

// Strings the schema leaves unconstrained are often ids checked later, in code or in SQL.
const ID_VALUES: [label: string, value: string][] = [
  ['36-char non-UUID', 'ffffffff-ffff-ffff-ffff-fffffffffff-'],
  ['dashes (36)', '------------------------------------'],
];

const WRONG_TYPES: [label: string, value: unknown][] = [
  ['number', 12345],
  ['array', ['x']],
  ['object', { x: 1 }],
  ['null', null],
];

// Unpaired UTF-16 surrogates, which JSON can carry ("\ud800") and PostgreSQL cannot store.
const SURROGATES: [label: string, value: string][] = [
  ['lone high surrogate', 'a\ud800b'],
  ['lone low surrogate', '\udc00'],
];

// Number tokens written into the JSON text as they are: JSON.stringify cannot write 1e400 (Infinity).
const RAW_NUMBERS: [label: string, token: string][] = [
  ['1e400', '1e400'],
  ['-1e400', '-1e400'],
  ['1e-400', '1e-400'],
  ['99999999999999999999999', '99999999999999999999999'],
  ['-0', '-0'],
  ['2^53+1', '9007199254740993'],
];

/** A marker string to replace by a raw JSON token once the body is written. */
const RAW = (token: string) => `__raw__${token}__`;
function withRawTokens(json: string): string {
  return json.replace(/"__raw__(.+?)__"/g, (_, token: string) => token);
}

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  additionalProperties?: boolean | Schema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
}

interface Parameter {
  in: string;
  name: string;
  schema?: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: Record<string, unknown>[];
}

type Who = 'session' | 'anonymous' | 'bearer garbage' | 'server token';

interface Case {
  method: string;
  route: string;
  /** What kind of bad input this is, e.g. "path id=%00" (the report groups by it). */
  input: string;
  who: Who;
  url: string;
  body?: string;
  headers: Record<string, string>;
  /** Kept even when the route has more cases than the cap. */
  keep?: boolean;
}

interface Failure {
  method: string;
  route: string;
  input: string;
  sent: string;
  status: number;
  body: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function typeOf(schema: Schema): string | undefined {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.find((type) => type !== 'null') ?? (schema.properties ? 'object' : undefined);
}

/** A minimal valid value, so one mutated field is what the server sees as wrong. */
function sample(schema: Schema): unknown {
  if (schema.enum?.length) return schema.enum[0];
  switch (typeOf(schema)) {
    case 'string':
      if (schema.format === 'email') return 'fuzz@example.com';
      if (schema.format === 'uri') return 'https://example.com/';
      if (schema.pattern?.includes('0-9') && !schema.pattern.includes('A-Z')) return '0123';
      return 'f'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        const property = schema.properties?.[name];
        if (property) value[name] = sample(property);
      }
      return value;
    }
    default:
      return 'f';
  }
}

type FieldPath = (string | number)[];

interface Field {
  path: FieldPath;
  schema: Schema;
}

/** Every property, also inside nested objects and array items (at index 0). */
function fieldsOf(schema: Schema, path: FieldPath = []): Field[] {
  const fields: Field[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const here = [...path, name];
    fields.push({ path: here, schema: property });
    if (property.properties) fields.push(...fieldsOf(property, here));
    if (property.items?.properties) fields.push(...fieldsOf(property.items, [...here, 0]));
  }
  return fields;
}

/** The sample body with one field replaced, building valid containers on the way to it. */
function withValue(schema: Schema, base: unknown, path: FieldPath, value: unknown): unknown {
  const [step, ...rest] = path;
  if (step === undefined) return value;
  if (typeof step === 'number') {
    const items = schema.items ?? {};
    return [withValue(items, sample(items), rest, value)];
  }
  const container = isRecord(base) ? { ...base } : {};
  const property = schema.properties?.[step] ?? {};
  container[step] = withValue(property, container[step] ?? sample(property), rest, value);
  return container;
}

function label(path: FieldPath): string {
  return path.map((step) => (typeof step === 'number' ? `[${step}]` : step)).join('.');
}

/** For each path parameter, the key naming its resource: "teams", "teams/accesses", … */
function resourceKeys(route: string): Map<string, string> {
  const keys = new Map<string, string>();
  const chain: string[] = [];
  let last = '';
  for (const segment of route.split('/')) {
    const param = /^\{(.+)\}$/.exec(segment)?.[1];
    if (param) {
      chain.push(last);
      keys.set(param, chain.join('/'));
    } else if (segment) last = segment;
  }
  return keys;
}

function fillPath(route: string, values: Record<string, string>): string {
  return route.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? crypto.randomUUID());
}

function casesFor(
  method: string,
  route: string,
  operation: Operation,
  realIds: Record<string, string>,
): Case[] {
  const upper = method.toUpperCase();
  const params = operation.parameters ?? [];
  const keys = resourceKeys(route);
  const real: Record<string, string> = {};
  for (const [param, key] of keys) real[param] = realIds[key] ?? crypto.randomUUID();

  const schema = operation.requestBody?.content?.['application/json']?.schema;
  const base = schema ? sample(schema) : undefined;
  const json = (value: unknown) => JSON.stringify(value);
  const baseBody = schema ? json(base) : undefined;

  // Resource-server routes are fuzzed with a token the provider would refuse; a route that takes a
  // bearer token elsewhere (create-for-owner) gets the trusted back-end token so its checks run.
  const fuzzer: Who = route.startsWith('/resource-server/')
    ? 'bearer garbage'
    : operation.security?.some((s) => 'bearer' in s)
      ? 'server token'
      : 'session';
  const headerParams = params.filter((p) => p.in === 'header');
  const defaultHeaders = (): Record<string, string> => {
    // A unique Idempotency-Key per case, so one case's document is not replayed for the next.
    const headers: Record<string, string> = {};
    for (const p of headerParams) headers[p.name] = `fuzz-${crypto.randomUUID()}`;
    return headers;
  };

  const cases: Case[] = [];
  const add = (
    input: string,
    options: {
      path?: Record<string, string>;
      query?: string;
      body?: string | null;
      who?: Who;
      keep?: boolean;
    },
  ) => {
    const path = fillPath(route, { ...real, ...options.path });
    const body = options.body === null ? undefined : (options.body ?? baseBody);
    const headers = defaultHeaders();
    if (body !== undefined) headers['content-type'] = 'application/json';
    cases.push({
      method: upper,
      route,
      input,
      who: options.who ?? fuzzer,
      url: options.query ? `${path}?${options.query}` : path,
      ...(body !== undefined ? { body } : {}),
      headers,
      ...(options.keep ? { keep: true } : {}),
    });
  };

  // The plain request once without credentials, and with the wrong kind of credentials.
  add('no credentials', { who: 'anonymous', keep: true });
  if (fuzzer !== 'session') add('session instead of token', { who: 'session', keep: true });
  if (fuzzer === 'server token') add('garbage bearer token', { who: 'bearer garbage', keep: true });

  for (const [param] of keys) {
    add(`path ${param}=real id`, { keep: true });
    for (const [name, value] of PATH_VALUES) {
      add(`path ${param}=${name}`, { path: { [param]: value === '<uuid>' ? crypto.randomUUID() : value } });
    }
  }

  for (const p of params.filter((p) => p.in === 'query')) {
    for (const [name, value] of QUERY_VALUES) {
      const encoded = name === '%' ? '%' : encodeURIComponent(value);
      add(`query ${p.name}=${name}`, { query: `${encodeURIComponent(p.name)}=${encoded}`, body: null });
    }
    for (const [name, value] of RAW_QUERY_VALUES) {
      add(`query ${p.name}=${name}`, { query: `${encodeURIComponent(p.name)}=${value}`, body: null });
    }
  }
  // A query key no route declares, carrying what no database can store.
  if (upper === 'GET') add('query key %ED%A0%80', { query: '%ED%A0%80=1', body: null });

  for (const p of headerParams) {
    for (const [name, value] of HEADER_VALUES) {
      const before = cases.length;
      add(`header ${p.name}=${name}`, {});
      cases[before]!.headers[p.name] = value;
    }
  }

  if (schema) {
    add('no body', { body: null });
    add('empty JSON body', { body: '' });
    add('invalid JSON {', { body: '{' });
    add('JSON array', { body: '[]' });
    add('JSON null', { body: 'null' });
    add('extra unknown keys', {
      body: json({ ...(isRecord(base) ? base : {}), fuzz_unknown: 'x', constructor: 'x', id: 'x' }),
    });
    const fieldsText = (baseBody ?? '{}').slice(1);
    add('__proto__ key', {
      body: `{"__proto__":{"is_staff":true}${fieldsText === '}' ? '' : ','}${fieldsText}`,
    });

    const fields = fieldsOf(schema);
    const strings = fields.filter((f) => typeOf(f.schema) === 'string' && !f.schema.enum);
    const objects = fields.filter((f) => typeOf(f.schema) === 'object');
    const huge = strings[0] ?? fields[0];
    if (huge) {
      add(`${label(huge.path)}=600,000 chars`, {
        body: json(withValue(schema, base, huge.path, 'h'.repeat(HUGE_STRING_LENGTH))),
      });
    }
    // Many keys and deep nesting go where the schema takes an object, else at the top level.
    const target = objects.find((f) => f.schema.additionalProperties) ?? objects[0];
    const where = target ? label(target.path) : 'body';
    /** The body with these keys in the target object, else at the top level. */
    const withKeys = (keys: Record<string, unknown>) =>
      json(
        target ? withValue(schema, base, target.path, keys) : { ...(isRecord(base) ? base : {}), ...keys },
      );
    const wide: Record<string, string> = {};
    for (let i = 0; i < WIDE_OBJECT_KEYS; i++) wide[`k${i}`] = 'v';
    add(`${where}=${WIDE_OBJECT_KEYS} keys`, { body: withKeys(wide) });
    // Object keys PostgreSQL cannot store, where the schema takes free keys and at the top level.
    for (const [name, value] of SURROGATES) {
      add(`${where} key=${name}`, { body: withKeys({ [value]: 'v' }), keep: true });
      if (target)
        add(`${label(target.path)} nested key=${name}`, {
          body: json(withValue(schema, base, target.path, { a: [{ b: { [value]: 1 } }] })),
        });
    }
    if (target) {
      for (const [name, token] of RAW_NUMBERS)
        add(`${label(target.path)} value=${name}`, {
          body: withRawTokens(
            json(withValue(schema, base, target.path, { n: RAW(token), list: [RAW(token)] })),
          ),
        });
      add(`${label(target.path)} value=lone surrogate`, {
        body: json(withValue(schema, base, target.path, { a: 'x\ud800', list: ['\udfff'] })),
        keep: true,
      });
    }
    // Written as text: JSON.stringify would recurse as deep as the object is.
    const deep = `${'{"a":'.repeat(DEEP_OBJECT_LEVELS)}1${'}'.repeat(DEEP_OBJECT_LEVELS)}`;
    const marker = '"__deep__"';
    const holder = json(target ? withValue(schema, base, target.path, '__deep__') : { deep: '__deep__' });
    add(`${where}=${DEEP_OBJECT_LEVELS} levels deep`, {
      body: holder.replace(marker, deep),
    });

    for (const field of fields) {
      const isString = typeOf(field.schema) === 'string';
      const f = field.schema;
      const unconstrained =
        isString &&
        !f.enum &&
        !f.format &&
        !f.pattern &&
        f.minLength === undefined &&
        f.maxLength === undefined;
      // Nested fields get fewer wrong types: one per field is enough to reach their validation.
      const nested = field.path.length > 1;
      const isDate = isString && (f.format === 'date-time' || f.format === 'date');
      const isNumber = typeOf(f) === 'integer' || typeOf(f) === 'number';
      const values: [string, unknown][] = isString
        ? [
            ['NUL', 'a\u0000b'],
            ...SURROGATES,
            ...(isDate ? DATES : []),
            ...(unconstrained ? ID_VALUES : []),
            ...(nested ? WRONG_TYPES.slice(0, 1) : WRONG_TYPES),
            // Numbers where a string is expected, too long for a double or an integer.
            ...RAW_NUMBERS.slice(0, nested ? 1 : 4).map(([name, token]): [string, unknown] => [
              name,
              RAW(token),
            ]),
          ]
        : nested
          ? [['string', 'x']]
          : [['string', 'x'], ...WRONG_TYPES.slice(1)];
      if (isNumber) values.push(...RAW_NUMBERS.map(([name, token]): [string, unknown] => [name, RAW(token)]));
      for (const [name, value] of values) {
        add(`${label(field.path)}=${name}`, {
          body: withRawTokens(json(withValue(schema, base, field.path, value))),
        });
      }
    }
  }

  return capped(cases);
}

/** At most MAX_CASES_PER_ROUTE, keeping the marked ones and an even spread of the rest. */
function capped(cases: Case[]): Case[] {
  if (cases.length <= MAX_CASES_PER_ROUTE) return cases;
  const kept = cases.filter((c) => c.keep);
  const rest = cases.filter((c) => !c.keep);
  const room = Math.max(0, MAX_CASES_PER_ROUTE - kept.length);
  const picked = Array.from({ length: room }, (_, i) => rest[Math.floor((i * rest.length) / room)]!);
  return [...kept, ...picked];
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

function describeSent(c: Case): string {
  const headers = Object.entries(c.headers)
    .filter(([name]) => name !== 'content-type' && !name.startsWith('x-'))
    .map(([name, value]) => ` ${name}: ${value}`)
    .join('');
  return shorten(`[${c.who}] ${c.url}${headers}${c.body !== undefined ? ` ${c.body}` : ''}`, 120);
}

describe('bad input to any route in the OpenAPI document', () => {
  let owner: User;

  /** Every route's real resources, so fuzzing reaches past "not found". */
  async function realIds(): Promise<Record<string, string>> {
    // Staff and superuser: the back office's routes are fuzzed too, not just their 404 to agents.
    owner = await t.createUser({ name: 'Fuzz Owner', isStaff: true, isSuperuser: true });
    const browser = await t.browserFor(owner);
    const id = async (answer: Promise<{ status: number; json: unknown; text: string }>, what: string) => {
      const res = await answer;
      const body = res.json;
      const found = isRecord(body)
        ? (body.id ??
          (Array.isArray(body.results) && isRecord(body.results[0]) ? body.results[0].id : undefined))
        : undefined;
      if (typeof found !== 'string') throw new Error(`setup: no ${what} id (${res.status} ${res.text})`);
      return found;
    };
    const team = await id(browser.post('/api/v1.0/teams/', { name: 'Fuzz team' }), 'team');
    const contact = await id(browser.post('/api/v1.0/contacts/', { full_name: 'Fuzz Contact' }), 'contact');
    const document = await id(
      browser.request('POST', '/api/v1.0/documents/create-for-owner/', {
        json: { title: 'Fuzz', content: '# Fuzz', sub: owner.sub, email: owner.email },
        headers: { authorization: `Bearer ${SERVER_TOKEN}` },
        csrf: false,
      }),
      'document',
    );
    return {
      users: owner.id,
      teams: team,
      'teams/accesses': await id(browser.get(`/api/v1.0/teams/${team}/accesses/`), 'team access'),
      'teams/invitations': await id(
        browser.post(`/api/v1.0/teams/${team}/invitations/`, { email: 'fuzz-invitee@example.com' }),
        'team invitation',
      ),
      contacts: contact,
      documents: document,
      'documents/accesses': await id(
        browser.get(`/api/v1.0/documents/${document}/accesses/`),
        'document access',
      ),
      'documents/invitations': await id(
        browser.post(`/api/v1.0/documents/${document}/invitations/`, { email: 'fuzz-invitee@example.com' }),
        'document invitation',
      ),
    };
  }

  async function send(
    c: Case,
  ): Promise<{ status: number; contentType: string; retryAfter: boolean; text: string }> {
    const headers: Record<string, string> = { ...c.headers };
    if (c.who === 'session') {
      // A session per case: a logout case must not sign the others out.
      const session = await t.desk.sessions.create(owner.id);
      const csrf = `csrf-${crypto.randomUUID()}`;
      headers.cookie = `${t.desk.config.SESSION_COOKIE_NAME}=${session.id}; csrftoken=${csrf}`;
      headers['x-csrftoken'] = csrf;
    }
    if (c.who === 'bearer garbage') headers.authorization = 'Bearer garbage';
    if (c.who === 'server token') headers.authorization = `Bearer ${SERVER_TOKEN}`;
    const res = await fetch(`${t.url}${c.url}`, {
      method: c.method,
      headers,
      ...(c.body !== undefined ? { body: c.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      retryAfter: res.headers.has('retry-after'),
      text: await res.text(),
    };
  }

  it('no route answers a server error, and every refusal is JSON', { timeout: 180_000 }, async () => {
    const ids = await realIds();
    const doc = (await t.browser().get('/api/v1.0/swagger.json')).json;
    if (!isRecord(doc) || !isRecord(doc.paths)) throw new Error('swagger.json has no paths');

    const cases: Case[] = [];
    for (const [route, item] of Object.entries(doc.paths)) {
      // The viewer and the development provider are not Desk's API.
      if (route.includes('/swagger') || route.startsWith('/dev-idp') || !isRecord(item)) continue;
      for (const [method, operation] of Object.entries(item)) {
        if (!isRecord(operation)) continue;
        cases.push(...casesFor(method, route, operation as Operation, ids));
      }
    }
    const routes = new Set(cases.map((c) => `${c.method} ${c.route}`));
    expect(routes.size).toBeGreaterThan(20);

    const failures: Failure[] = [];
    // DESIGN answers a missing dependency (here: no identity provider is configured) with 503 and
    // Retry-After. When a route answers so to its plain request, its 503s say nothing of the input.
    const outages = new Set<string>();
    const outageAnswers: Failure[] = [];
    const run = async (c: Case) => {
      const answer = (status: number, body: string): Failure => ({
        method: c.method,
        route: c.route,
        input: c.input,
        sent: describeSent(c),
        status,
        body,
      });
      const failure = (status: number, body: string) => failures.push(answer(status, body));
      try {
        const res = await send(c);
        if (res.status === 503 && res.retryAfter) {
          if (c.input === 'no credentials') outages.add(`${c.method} ${c.route}`);
          outageAnswers.push(answer(res.status, shorten(res.text, 200)));
        } else if (res.status >= 500) failure(res.status, shorten(res.text, 200));
        else if (res.status >= 400) {
          let parsed = true;
          try {
            JSON.parse(res.text);
          } catch {
            parsed = false;
          }
          if (!/^application\/(?:[\w.+-]+\+)?json/.test(res.contentType) || !parsed) {
            failure(res.status, shorten(`4xx without a JSON body (${res.contentType}): ${res.text}`, 200));
          }
        }
      } catch (error) {
        // No answer at all (reset, timeout) is worse than a 500.
        failure(0, shorten(String(error), 200));
      }
    };
    // Deletions last, so the real resources exist while everything else is fuzzed.
    await inParallel(
      cases.filter((c) => c.method !== 'DELETE'),
      CONCURRENCY,
      run,
    );
    await inParallel(
      cases.filter((c) => c.method === 'DELETE'),
      CONCURRENCY,
      run,
    );

    failures.push(...outageAnswers.filter((f) => !outages.has(`${f.method} ${f.route}`)));
    failures.sort(
      (a, b) =>
        a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || a.input.localeCompare(b.input),
    );
    expect(failures).toEqual([]);
  });
});
