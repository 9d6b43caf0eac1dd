// DESIGN.md §3 paging: ?page= and ?page_size= (default 20, capped at 100) → {count, next, previous, results}.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from './config.ts';
import { NotFound } from './errors.ts';

export const MAX_PAGE_SIZE = 100;

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  page_size: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .transform((n) => Math.min(n, MAX_PAGE_SIZE)),
});

export interface PageRequest {
  page: number;
  page_size: number;
}

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    count: z.number().int(),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(item),
  });
}

export function offsetOf({ page, page_size }: PageRequest): number {
  return (page - 1) * page_size;
}

/** Builds the page envelope with absolute next/previous links, as Django REST Framework clients expect. */
export function paged<T>(
  request: FastifyRequest,
  config: Config,
  { page, page_size }: PageRequest,
  count: number,
  results: T[],
) {
  const link = (target: number): string => {
    const url = new URL(request.url, config.PUBLIC_URL);
    if (target === 1) url.searchParams.delete('page');
    else url.searchParams.set('page', String(target));
    return url.href;
  };
  // As DRF: a page past the last is no page (404), rather than an empty one that would also lose the count.
  if (page > 1 && results.length === 0) throw new NotFound('Invalid page.');
  return {
    count,
    next: page * page_size < count ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    results,
  };
}
