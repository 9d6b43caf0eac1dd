// The input types every route schema is built from: ids, text and emails, so one rule holds everywhere.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationFailed } from './errors.ts';

/** DRF's message for ProhibitNullCharactersValidator; PostgreSQL refuses U+0000 in text and jsonb. */
export const NUL_MESSAGE = 'Null characters are not allowed.';

/** An id: a UUID as RFC 9562 writes it (z.uuid), the one id check of the app. */
export const uuid = () => z.uuid({ error: 'Must be a valid UUID.' });

/**
 * Path parameters that are all ids. A malformed id answers 404, as Django's get_object_or_404 does (http.ts maps
 * params validation errors to 404).
 */
export function idParams<const K extends string>(...names: K[]) {
  return z.object(Object.fromEntries(names.map((n) => [n, uuid()])) as Record<K, ReturnType<typeof uuid>>);
}

/**
 * Text as DRF's CharField takes it: surrounding whitespace trimmed (unless `trim: false`, for bodies such as Markdown
 * whose blank lines mean something), no NUL, at most `max` characters.
 */
export const text = (max: number, { trim = true }: { trim?: boolean } = {}) =>
  (trim ? z.string().trim() : z.string())
    .max(max, `Ensure this field has no more than ${max} characters.`)
    .refine((v) => !v.includes('\u0000'), NUL_MESSAGE);

/** Text that may not be empty once trimmed. */
export const requiredText = (max: number) => text(max).min(1, 'This field may not be blank.');

/** An email address as typed by a person: trimmed, at most 254 characters (RFC 5321). */
export const email = () =>
  z
    .string()
    .trim()
    .pipe(z.email({ error: 'Enter a valid email address.' }).max(254));

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

/** The first place a NUL character hides in a value (string or key, at any depth), or undefined. */
function nulPath(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (depth > 64 || value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return here.replaceAll('\u0000', '\\u0000');
    const found = nulPath(child, here, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Refuses U+0000 anywhere in the query or body of any route before validation (400 naming the field): no text
 * type a route forgets, and no jsonb key, can carry one to PostgreSQL.
 */
export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  // Path parameters are ids checked by uuid() (a NUL there answers 404, as any malformed id).
  for (const part of [request.query, request.body]) {
    const found = nulPath(part, '');
    if (found !== undefined) throw new ValidationFailed({ [found || 'non_field_errors']: [NUL_MESSAGE] });
  }
}
