// The input types every route schema is built from: ids, text and emails, so one rule holds everywhere.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFound, ValidationFailed } from './errors.ts';

/** DRF's message for ProhibitNullCharactersValidator; PostgreSQL refuses U+0000 in text and jsonb. */
export const NUL_MESSAGE = 'Null characters are not allowed.';

/** PostgreSQL stores only well-formed Unicode: a UTF-16 surrogate without its pair cannot become UTF-8. */
export const SURROGATE_MESSAGE = 'Unpaired surrogate characters are not allowed.';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why PostgreSQL would refuse this text (in text or jsonb), or undefined when it can be stored. */
export function unstorable(value: string): string | undefined {
  if (value.includes('\u0000')) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(value)) return SURROGATE_MESSAGE;
  return undefined;
}

/**
 * An id: a UUID as RFC 9562 writes it (z.uuid), the one id check of the app. Upper case is accepted and lower-cased
 * here, so a service compares ids as PostgreSQL does (`id === me.id`), and ids reach audit rows and the session
 * index in the one form the database returns.
 */
export const uuid = () => z.uuid({ error: 'Must be a valid UUID.' }).toLowerCase();

/**
 * Path parameters that are all ids. A malformed id answers 404, as Django's get_object_or_404 does (http.ts maps
 * params validation errors to 404).
 */
export function idParams<const K extends string>(...names: K[]) {
  return z.object(Object.fromEntries(names.map((n) => [n, uuid()])) as Record<K, ReturnType<typeof uuid>>);
}

const SLUG_PARAMS = new WeakSet<z.ZodType>();
const SLUG_NOT_FOUND = new WeakMap<z.ZodType, string>();

/**
 * A slug in a path (people's `[\w-]+`, e.g. a mail domain's), at most `max` characters of ASCII letters, digits,
 * `_` and `-`: like ids, a malformed one answers 404 and never reaches SQL. `notFound` is the 404 detail of the
 * resource it names, so a malformed slug gets the same answer as an unknown one (DESIGN.md §5).
 */
export function slugParam(max = 80, notFound?: string) {
  const schema = z.string().regex(new RegExp(`^[A-Za-z0-9_-]{1,${max}}$`), 'Not a slug.');
  SLUG_PARAMS.add(schema);
  if (notFound) SLUG_NOT_FOUND.set(schema, notFound);
  return schema;
}

/** The 404 detail for malformed path parameters: a malformed slug's own `notFound`, else the generic one. */
export function malformedParamsDetail(schema: unknown, params: unknown): string | undefined {
  if (!(schema instanceof z.ZodObject) || typeof params !== 'object' || params === null) return undefined;
  for (const [name, param] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const detail = SLUG_NOT_FOUND.get(param);
    if (detail && !param.safeParse((params as Record<string, unknown>)[name]).success) return detail;
  }
  return undefined;
}

/** Whether a path parameter's schema is one that only lets ids or slugs through. */
export function isSafeParam(schema: unknown): boolean {
  return schema instanceof z.ZodUUID || (schema instanceof z.ZodType && SLUG_PARAMS.has(schema));
}

/**
 * Text as DRF's CharField takes it: surrounding whitespace trimmed (unless `trim: false`, for bodies such as Markdown
 * whose blank lines mean something), storable (no NUL, no unpaired surrogate), at most `max` characters.
 */
export const text = (max: number, { trim = true }: { trim?: boolean } = {}) =>
  (trim ? z.string().trim() : z.string())
    .max(max, `Ensure this field has no more than ${max} characters.`)
    .superRefine((v, ctx) => {
      const message = unstorable(v);
      if (message) ctx.addIssue({ code: 'custom', message });
    });

/** Text that may not be empty once trimmed. */
export const requiredText = (max: number) => text(max).min(1, 'This field may not be blank.');

/** An email address as typed by a person: trimmed, at most 254 characters (RFC 5321). */
export const email = () =>
  z
    .string()
    .trim()
    .pipe(z.email({ error: 'Enter a valid email address.' }).max(254));

const INSTANT_MESSAGE = 'Enter an ISO 8601 date-time with its offset, e.g. 2025-01-31T08:00:00Z.';
const INSTANT_RANGE_MESSAGE = 'Enter an instant between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.';
/** The instants every part stores and writes back alike: PostgreSQL has no year 0, ISO 8601 four-digit years. */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * An instant as ISO 8601 (a bare date is its midnight UTC), between the years 1 and 9999 in UTC: a clear 400
 * otherwise, never an invalid Date nor one PostgreSQL refuses (year 0, which an offset can also reach).
 */
export const instant = () =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: INSTANT_MESSAGE })
    .transform((v) => new Date(v))
    .refine((d) => d.getTime() >= EARLIEST && d.getTime() <= LATEST, INSTANT_RANGE_MESSAGE);

function depthOf(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || value === null || typeof value !== 'object') return depth;
  let deepest = depth;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child, limit, depth + 1));
  return deepest;
}

/**
 * A free JSON object (metadata a deployment describes itself): bounded in nesting and size, so it can neither
 * exhaust PostgreSQL's stack nor bloat a row.
 */
export const freeJsonObject = ({
  maxDepth = 8,
  maxChars = 32_000,
}: {
  maxDepth?: number;
  maxChars?: number;
} = {}) =>
  z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    // Depth first: measuring the size of a deeply nested value would itself overflow the stack.
    if (depthOf(value, maxDepth) > maxDepth)
      ctx.addIssue({ code: 'custom', message: `At most ${maxDepth} levels of nesting.` });
    else if (JSON.stringify(value).length > maxChars)
      ctx.addIssue({ code: 'custom', message: `At most ${maxChars} characters of JSON.` });
  });

/** A field name fit for an answer and a log: NUL and surrogates written as JSON escapes. */
function shown(name: string): string {
  let out = '';
  for (const c of name) {
    const code = c.charCodeAt(0);
    out +=
      code === 0 || (c.length === 1 && code >= 0xd800 && code <= 0xdfff)
        ? `\\u${code.toString(16).padStart(4, '0')}`
        : c;
  }
  return out;
}

/**
 * The first string or key PostgreSQL could not store, with its path and why, or undefined. Walked with a list, not
 * recursion: a body nested as deep as the size limit allows must not overflow the stack.
 */
function unstorablePath(root: unknown): [path: string, message: string] | undefined {
  const pending: [value: unknown, path: string][] = [[root, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      const message = unstorable(value);
      if (message) return [path, message];
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const here = path ? `${path}.${key}` : key;
        const message = unstorable(key);
        if (message) return [shown(here), message];
        pending.push([child, here]);
      }
    }
  }
  return undefined;
}

/**
 * Refuses, before validation and for every route, text PostgreSQL cannot store: U+0000 and unpaired UTF-16
 * surrogates ("\ud800" in JSON), in any string or object key of the query or the body, at any depth (400 naming the
 * field). No text type a route forgets, and no jsonb key or value, can carry one to the database. Path parameters
 * are checked too; a malformed one names no resource and answers 404, as any malformed id. A callback hook: it runs on
 * every request, and an async one would cost each a promise and a turn.
 */
export function refuseUnstorableText(
  request: FastifyRequest,
  _reply: unknown,
  done: (err?: Error) => void,
): void {
  done(refusal(request));
}

function refusal(request: FastifyRequest): Error | undefined {
  if (unstorablePath(request.params)) return new NotFound();
  for (const part of [request.query, request.body]) {
    const found = unstorablePath(part);
    if (found) return new ValidationFailed({ [found[0] || 'non_field_errors']: [found[1]] });
  }
  return undefined;
}
