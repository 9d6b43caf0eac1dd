// GET /api/v1.0/users/?q=&team_id=: find a colleague by a few letters, accents and case ignored, typos forgiven.
// Ranking in one query: exact email, then names/emails starting with the words typed, then the same after undoing one
// swapped pair of letters, then trigram look-alikes. Word prefixes are what a full-text index does best: the name's
// words (unaccented, lower case), each tagged with the organization, in a GIN index asked
// `'<org>/jean':* & '<org>/dup':*` (migration 0017), so a look-up reads the searcher's organization's words only;
// trigrams only serve the look-alikes (typos).
import { and, asc, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import { type Database, type Db, executeNamed, rowsOf, withSessionSettings } from '../platform/database.ts';
import { NotFound } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { text, uuid } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { requireUser } from './request-user.ts';
import { users } from './schema.ts';

// Letters unaccent() folds that NFD decomposition does not.
const FOLDS: Record<string, string> = {
  ß: 'ss',
  œ: 'oe',
  æ: 'ae',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/** The query as the indexes see names: lower case, without accents (as desk_unaccent(lower(…)) in SQL). */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[ßœæøłđðþı]/g, (c) => FOLDS[c] ?? c)
    .trim();
}

/** Adjacent swaps of a word ("jhon" → "john", …): the commonest typo, which trigrams score poorly. */
function transpositions(word: string): string[] {
  // Only plain words of a sensible length: each variant costs index look-ups.
  if (word.length < 4 || word.length > 12 || !/^[a-z']+$/.test(word)) return [];
  const out = new Set<string>();
  for (let i = 0; i < word.length - 1; i++)
    out.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  out.delete(word);
  return [...out];
}

// The fixed parts of the search's SQL are written out once, as text: drizzle renders a column object anew on every
// use (about half of the ~130 µs each search statement took to build). test/users/search-plans.test.ts and the
// SQL snapshots (sql/search.sql) hold them to the schema and to the index expressions.
const nameExpr = sql.raw(`desk_unaccent(lower("users"."name"))`);
const emailExpr = sql.raw(`lower("users"."email")`);
/** The name's words as to_tsvector('simple') splits them: what ranking asks `jean:* & dup:*` of, row by row. */
const nameWords = sql.raw(`to_tsvector('simple'::regconfig, desk_unaccent(lower("users"."name")))`);
/** The same words tagged with the organization, the expression of users_search_words_idx to the letter (0017). */
const taggedWords = sql.raw(`desk_search_words("users"."organization_id", "users"."name")`);

/** The organization's tag on its users' words: its id's 32 hex digits, or `none` (migration 0017). */
function wordTag(organizationId: string | null): string {
  return organizationId ? organizationId.toLowerCase().replaceAll('-', '') : 'none';
}

/**
 * The letters and digits of a typed word, as the text search parser splits names ("o'neil" → o, neil): only these
 * reach a tsquery, so nothing typed can be read as its operators.
 */
function tokensOf(word: string): string[] {
  return word.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * A tsquery where every group has a word starting with one of its prefixes: `('jean':* | 'jaen':*) & 'dup':*`, each
 * prefix quoted (tokens hold letters and digits only) and, for the index, tagged: `'<tag>/jean':*`.
 */
function prefixQuery(groups: string[][], tag = ''): string {
  return groups.map((prefixes) => `(${prefixes.map((p) => `'${tag}${p}':*`).join(' | ')})`).join(' & ');
}

/**
 * The name has, for each group, a word starting with one of its prefixes; nothing to ask: no match. `tag` set: asked of
 * the tagged words (an index look-up inside one organization); unset: of the name's words (ranking a row).
 */
function wordsStart(groups: string[][], tag?: string): SQL {
  const asked = groups.filter((g) => g.length);
  if (!asked.length) return sql`false`;
  return tag === undefined
    ? sql`${nameWords} @@ ${prefixQuery(asked)}::tsquery`
    : sql`${taggedWords} @@ ${prefixQuery(asked, `${tag}/`)}::tsquery`;
}

/** Trigram word similarity at the level pg_trgm.word_similarity_threshold sets (0.6 by default): uses the GIN index. */
const similarWord = (word: string) => sql`${word} <% ${nameExpr}`;

export interface SearchOptions {
  q: string;
  /** DESIGN.md §7: agents find the colleagues of their own organization only (null: those without one). */
  organizationId: string | null;
  teamId?: string;
  limit: number;
  offset: number;
}

export interface SearchRow {
  id: string;
  email: string | null;
  name: string;
  total: number;
}

interface Tier {
  match: SQL;
  cap: number;
}

/** How many candidates each tier may bring: ranking then runs on at most these, whatever the population. */
export const CANDIDATES = { prefix: 1_000, lookAlike: 400 } as const;

export async function searchUsers(
  db: Db,
  { q, organizationId, teamId, limit, offset }: SearchOptions,
): Promise<SearchRow[]> {
  const text = normalize(q);
  const email = q.trim().toLowerCase();
  // An address (with @) is matched as an email: exactly or by prefix. No trigram matching on addresses:
  // they all share their domain's trigrams, so the index would read them all.
  const looksLikeEmail = email.includes('@');
  const words = looksLikeEmail ? [] : tokensOf(text).slice(0, 5);
  // Addresses starting as typed, as a range of users_search_(org_)email_prefix_idx (byte order, text_pattern_ops):
  // every address starting with `email` sorts from `email` to `email` + the last code point, which UTF-8 puts after
  // any other; starts_with keeps it exact. Not LIKE: in the generic plan of a named statement a pattern is unknown,
  // so it becomes no range, and the trigram index of addresses takes it (every address shares its domain's trigrams).
  const emailStarts = sql`starts_with(${emailExpr}, ${email})`;
  const emailPrefix = sql`(${emailExpr} ~>=~ ${email} and ${emailExpr} ~<~ ${`${email}\u{10FFFF}`} and ${emailStarts})`;
  const exactFirst = sql`case when ${emailExpr} = ${email} then 0 else 1 end`;
  const tag = wordTag(organizationId);

  // Two tiers, each one index-served look-up with a cap, so a common prefix ("mar") never makes Desk rank a hundred
  // thousand rows: the words (or the address) as typed, then look-alikes.
  let prefixTier: Tier | undefined;
  let lookAlikeTier: Tier | undefined;
  let rank: SQL = exactFirst;
  if (looksLikeEmail || !words.length) {
    // An address, or signs that start no word ("%", "."), can only start an address.
    if (text.replace(/[\s-]+/g, '')) prefixTier = { match: emailPrefix, cap: CANDIDATES.prefix };
  } else {
    // Looked up on the organization's tagged words; ranked on the row's own words (the same test, cheaper per row).
    const asTyped = words.map((w) => [w]);
    const prefixMatch = sql`(${wordsStart(asTyped)} or ${emailStarts})`;
    prefixTier = { match: sql`(${wordsStart(asTyped, tag)} or ${emailPrefix})`, cap: CANDIDATES.prefix };
    // One- and two-letter queries match prefixes only: fuzziness on so little is noise.
    if (text.length >= 3) {
      // A word found once one swap is undone beats a mere trigram resemblance: both come from one look-up, in
      // which each typed word starts a word of the name as typed or once a swap is undone, or resembles one.
      const swapMatch = wordsStart(words.map((w) => [w, ...transpositions(w)]));
      const lookAlike = (w: string) => {
        const started = wordsStart([[w, ...transpositions(w)]], tag);
        return w.length < 3 ? started : sql`(${started} or ${similarWord(w)})`;
      };
      lookAlikeTier = { match: and(...words.map(lookAlike)) as SQL, cap: CANDIDATES.lookAlike };
      rank = sql`case when ${emailExpr} = ${email} then 0 when ${prefixMatch} then 1 when ${swapMatch} then 2 else 3 end`;
    }
  }

  // Active users outside team_id (its members are being looked for to be added): applied inside every tier.
  const colleagues = organizationId
    ? sql`"users"."is_active" and "users"."organization_id" = ${organizationId}`
    : sql.raw(`"users"."is_active" and "users"."organization_id" is null`);
  const active = teamId
    ? (and(
        colleagues,
        sql`not exists (select 1 from team_accesses ta where ta.team_id = ${teamId}::uuid and ta.user_id = "users"."id")`,
      ) as SQL)
    : colleagues;
  // Within a rank, the closest names and addresses first.
  const byScore = sql`greatest(word_similarity(${text}, ${nameExpr}), similarity(${emailExpr}, ${email}))`;

  // The candidates carry the columns answered, so ranking reads no row again: the union of the tiers stands in for
  // the users table (aliased "users", so the rank expressions name its columns as they name the table's).
  const columns = sql.raw(`"users"."id", "users"."email", "users"."name"`);
  const table = sql.raw(`"users"`);
  // Named (executeNamed) unless the plan must see the words: see the look-alike pass below.
  const run = async (candidates: SQL[], order: SQL, named = true) => {
    const query = sql`select ${columns}, count(*) over ()::int as total
        from (${sql.join(candidates, sql` union `)}) as ${table}
        order by ${order} asc, ${byScore} desc, ${nameExpr} asc, "users"."id" asc
        limit ${limit} offset ${offset}`;
    return named ? executeNamed<SearchRow>(db, query) : rowsOf<SearchRow>(await db.execute(query));
  };
  // The cap is written in, not a parameter: in a generic plan a LIMIT of unknown size is taken for a few rows, and the
  // planner walks the organization's rows through the match, hoping to stop early (all of them when none match).
  const capped = ({ match, cap }: Tier) =>
    sql`(select ${columns} from ${table} where ${active} and ${match} limit ${sql.raw(String(cap))})`;
  const exactEmail = sql`(select ${columns} from ${table} where ${active} and ${emailExpr} = ${email})`;

  // Nothing typed: the page of colleagues by name, read in order from users_search_browse_idx (0017); `total` is
  // what was read (the route shows one page only).
  if (!prefixTier) {
    const page = await db
      .select({ id: users.id, email: users.email, name: users.name })
      .from(users)
      .where(active)
      .orderBy(asc(nameExpr), asc(users.id))
      .limit(limit)
      .offset(offset);
    return page.map((row) => ({ ...row, total: offset + page.length }));
  }
  const first = await run([capped(prefixTier), exactEmail], exactFirst);
  const total = first[0]?.total ?? 0;
  // More matches than were ranked: `count` still says how many users match (exact address, words or address
  // starting as typed), read on the same indexes; the pages reach the best 1,000.
  if (total >= prefixTier.cap) {
    const [counted] = await executeNamed<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${table} where ${active} and (${prefixTier.match} or ${emailExpr} = ${email})`,
    );
    const n = counted?.n ?? total;
    return first.map((row) => ({ ...row, total: n }));
  }
  // The look-alikes cost the most: they are asked only when exact and prefix matches do not fill the page; the
  // matches of the first look-up come along by id instead of being looked up again. `count` is then the exact and
  // prefix matches plus the look-alikes found (up to 400).
  if (!lookAlikeTier || total >= offset + limit) return first;
  const known =
    offset === 0
      ? sql`(select ${columns} from ${table} where ${active} and "users"."id" = any(${sql.param(`{${first.map((row) => row.id).join(',')}}`)}::uuid[]))`
      : capped(prefixTier);
  // With several words, each "starts like it or resembles it" is its own condition, and only a plan made for the words
  // typed starts from the rarest one: a generic plan took the first ("helene", 2,175 of 100,000 agents) and tested
  // the others row by row (40 ms instead of 5). One word: named like the rest.
  return run([known, capped(lookAlikeTier), exactEmail], rank, words.length === 1);
}

/** team_id names a team the searcher is in: another team's members stay unknown to them. */
async function isMember(db: Db, teamId: string, userId: string): Promise<boolean> {
  const found = await db.execute(
    sql`select 1 from team_accesses where team_id = ${teamId}::uuid and user_id = ${userId}::uuid limit 1`,
  );
  return rowsOf(found).length > 0;
}

export const userItem = z.object({ id: z.uuid(), email: z.string().nullable(), name: z.string() });

export function userSearchRoute(
  app: App,
  { config, database }: { config: Config; database: Database },
): void {
  app.get(
    '/api/v1.0/users/',
    {
      schema: {
        tags: ['users'],
        summary: 'Find active users by name or email (accents and case ignored, typos forgiven)',
        description:
          '`count` is the number of colleagues whose address is the query, or whose name has a word starting with each ' +
          'word typed (or whose address starts as typed): all of them, however many; the pages reach the best 1,000. ' +
          'When those do not fill the page, look-alikes (a swapped pair of letters, a resembling word) follow them, and ' +
          '`count` adds the look-alikes found (at most 400).',
        querystring: pageQuery.extend({ q: text(100).default(''), team_id: uuid().optional() }),
        response: { 200: pageOf(userItem) },
      },
    },
    async (request) => {
      const me = requireUser(request);
      const { q, team_id: teamId, ...page } = request.query;
      if (teamId !== undefined && !(await isMember(database.db, teamId, me.id))) throw new NotFound();
      // Without a query, one page of colleagues at most: a script paging through it never gets the directory.
      const browsing = !normalize(q).replace(/[\s-]+/g, '');
      if (browsing && page.page > 1) throw new NotFound('Invalid page.');
      // The trigram threshold is a session setting: behind a transaction pooler, set in the search's transaction.
      const rows = await withSessionSettings(database, (db) =>
        searchUsers(db, {
          q,
          organizationId: me.organizationId,
          ...(teamId ? { teamId } : {}),
          limit: page.page_size,
          offset: offsetOf(page),
        }),
      );
      return paged(
        request,
        config,
        page,
        browsing ? rows.length : (rows[0]?.total ?? 0),
        rows.map(({ total: _, ...user }) => user),
      );
    },
  );
}
