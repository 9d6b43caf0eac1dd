// GET /api/v1.0/users/?q=&team_id=: find a colleague by a few letters, accents and case ignored, typos forgiven.
// Ranking in one query: exact email, then names/emails starting with the words typed, then the same after undoing one
// swapped pair of letters, then trigram look-alikes. Word prefixes are what a full-text index does best: the name's
// words (unaccented, lower case), each tagged with the organization, in a GIN index asked
// `'<org>/jean':* & '<org>/dup':*` (migration 0017), so a look-up reads the searcher's organization's words only;
// trigrams only serve the look-alikes (typos).
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../platform/config.ts';
import { type Database, type Db, rowsOf, withSessionSettings } from '../platform/database.ts';
import { NotFound } from '../platform/errors.ts';
import type { App } from '../platform/http.ts';
import { text, uuid } from '../platform/input.ts';
import { offsetOf, paged, pageOf, pageQuery } from '../platform/paging.ts';
import { namedStatements } from '../platform/prepared-queries.ts';
import { requireUser } from './request-user.ts';

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

/** How many candidates each tier may bring: ranking then runs on at most these, whatever the population. */
export const CANDIDATES = { prefix: 1_000, lookAlike: 400 } as const;

/**
 * What the search's SQL depends on besides the values typed. Each statement is built with placeholders for the values,
 * once per database and the part of the shape it depends on (keysOf): a search only binds values.
 */
interface Shape {
  /** No word typed (an address, or signs that start no word): matched by address only. */
  address: boolean;
  /**
   * The look-alike pass, one entry per word typed, longest first: whether the word may also resemble one (3 letters or
   * more) rather than only start one. Empty: no look-alike pass (an address, or fewer than 3 letters typed).
   */
  lookAlikes: boolean[];
  organization: boolean;
  team: boolean;
  /** The first page: the look-alike pass takes the first look-up's matches by id instead of looking them up again. */
  firstPage: boolean;
}

/** Which of the shape each statement depends on, named: the key it is built under (namedStatements). */
function keysOf(shape: Shape) {
  const whose = `${shape.organization ? 'org' : 'none'}:${shape.team ? 'team' : 'all'}`;
  const first = `${shape.address ? 'address' : 'words'}:${whose}`;
  return {
    browse: `users_search_browse:${whose}`,
    first: `users_search:${first}`,
    count: `users_search_count:${first}`,
    lookAlikes: `users_search_look_alikes:${first}:${shape.lookAlikes.map((long) => (long ? 'w' : 's')).join('')}:${shape.firstPage ? 'first' : 'next'}`,
  };
}

/** The values of a search, by placeholder name (`lookAlike<i>` and `word<i>` for each word of the look-alike pass). */
type Values = Record<string, string | number>;

const at = (name: string) => sql.placeholder(name);
// Addresses starting as typed, as a range of users_search_(org_)email_prefix_idx (byte order, text_pattern_ops):
// every address starting with `email` sorts from `email` to `email` + the last code point, which UTF-8 puts after
// any other; starts_with keeps it exact. Not LIKE: in the generic plan of a named statement a pattern is unknown,
// so it becomes no range, and the trigram index of addresses takes it (every address shares its domain's trigrams).
const emailStarts = sql`starts_with(${emailExpr}, ${at('email')})`;
const emailPrefix = sql`(${emailExpr} ~>=~ ${at('email')} and ${emailExpr} ~<~ ${at('emailEnd')} and ${emailStarts})`;
const exactFirst = sql`case when ${emailExpr} = ${at('email')} then 0 else 1 end`;
// Within a rank, the closest names and addresses first.
const byScore = sql`greatest(word_similarity(${at('text')}, ${nameExpr}), similarity(${emailExpr}, ${at('email')}))`;
// The candidates carry the columns answered, so ranking reads no row again: the union of the tiers stands in for
// the users table (aliased "users", so the rank expressions name its columns as they name the table's).
const columns = sql.raw(`"users"."id", "users"."email", "users"."name"`);
const table = sql.raw(`"users"`);

/** The name has a word starting with a prefix of each group of the tsquery in `name` (prefixQuery), tagged or not. */
const wordsStart = (name: string, tagged: boolean) =>
  sql`${tagged ? taggedWords : nameWords} @@ ${at(name)}::tsquery`;

/** The statements of a search of this shape. */
function statementsOf(shape: Shape) {
  // Active users outside team_id (its members are being looked for to be added): applied inside every tier.
  const colleagues = shape.organization
    ? sql`"users"."is_active" and "users"."organization_id" = ${at('organization')}`
    : sql.raw(`"users"."is_active" and "users"."organization_id" is null`);
  const active = shape.team
    ? sql`${colleagues} and not exists (select 1 from team_accesses ta where ta.team_id = ${at('team')}::uuid and ta.user_id = "users"."id")`
    : colleagues;
  // Two tiers, each one index-served look-up with a cap, so a common prefix ("mar") never makes Desk rank a hundred
  // thousand rows: the words (or the address) as typed, then look-alikes. Words are looked up on the organization's
  // tagged words and ranked on the row's own words (the same test, cheaper per row).
  const prefixMatch = shape.address
    ? emailPrefix
    : sql`(${wordsStart('typedTagged', true)} or ${emailPrefix})`;
  // The cap is written in, not a parameter: in a generic plan a LIMIT of unknown size is taken for a few rows, and the
  // planner walks the organization's rows through the match, hoping to stop early (all of them when none match).
  const capped = (match: SQL, cap: number) =>
    sql`(select ${columns} from ${table} where ${active} and ${match} limit ${sql.raw(String(cap))})`;
  const prefixTier = capped(prefixMatch, CANDIDATES.prefix);
  const exactEmail = sql`(select ${columns} from ${table} where ${active} and ${emailExpr} = ${at('email')})`;
  const ranked = (candidates: SQL[], order: SQL) =>
    sql`select ${columns}, count(*) over ()::int as total
        from (${sql.join(candidates, sql` union `)}) as ${table}
        order by ${order} asc, ${byScore} desc, ${nameExpr} asc, "users"."id" asc
        limit ${at('limit')} offset ${at('offset')}`;
  return {
    browse: () =>
      sql`select ${columns} from ${table} where ${active}
        order by ${nameExpr} asc, "users"."id" asc limit ${at('limit')} offset ${at('offset')}`,
    first: () => ranked([prefixTier, exactEmail], exactFirst),
    count: () =>
      sql`select count(*)::int as n from ${table} where ${active} and (${prefixMatch} or ${emailExpr} = ${at('email')})`,
    // Each typed word starts a word of the name as typed or once a swap is undone, or resembles one. A word found once
    // one swap is undone beats a mere trigram resemblance. With several words, each "starts like it or resembles it"
    // is its own condition; the plan PostgreSQL keeps for the named statement reads the first word's candidates and
    // tests the others on each: the longest word comes first, as the likeliest to be rare. Measured in an
    // organization of 100,000 agents on nine names (bench/floors' data): slowest median 49 ms, where plans made for
    // the words typed (unnamed statements) took up to 140 ("marie helene"), and the words in the order typed 129.
    lookAlikes: () => {
      const lookAlike = shape.lookAlikes.map((long, i) => {
        const started = wordsStart(`lookAlike${i}`, true);
        return long ? sql`(${started} or ${at(`word${i}`)} <% ${nameExpr})` : started;
      });
      const rank = sql`case when ${emailExpr} = ${at('email')} then 0
        when (${wordsStart('typed', false)} or ${emailStarts}) then 1 when ${wordsStart('swaps', false)} then 2 else 3 end`;
      const known = shape.firstPage
        ? sql`(select ${columns} from ${table} where ${active} and "users"."id" = any(${at('ids')}::uuid[]))`
        : prefixTier;
      return ranked([known, capped(sql.join(lookAlike, sql` and `), CANDIDATES.lookAlike), exactEmail], rank);
    },
  };
}

const named = namedStatements();

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
  // An address, or signs that start no word ("%", "."), can only start an address; nothing at all: the browse page.
  const address = looksLikeEmail || !words.length;
  const values: Values = { email, emailEnd: `${email}\u{10FFFF}`, text, limit, offset };
  if (organizationId) values.organization = organizationId;
  if (teamId) values.team = teamId;
  // One- and two-letter queries match prefixes only: fuzziness on so little is noise.
  const longestFirst = address || text.length < 3 ? [] : [...words].sort((a, b) => b.length - a.length);
  const shape: Shape = {
    address,
    lookAlikes: longestFirst.map((w) => w.length >= 3),
    organization: Boolean(organizationId),
    team: Boolean(teamId),
    firstPage: offset === 0,
  };
  const keys = keysOf(shape);
  const statements = () => statementsOf(shape);

  // Nothing typed: the page of colleagues by name, read in order from users_search_browse_idx (0017); `total` is
  // what was read (the route shows one page only).
  if (address && !text.replace(/[\s-]+/g, '')) {
    const page = await named<Omit<SearchRow, 'total'>>(db, keys.browse, () => statements().browse(), values);
    return page.map((row) => ({ ...row, total: offset + page.length }));
  }

  const tag = `${wordTag(organizationId)}/`;
  if (!address) {
    const asTyped = words.map((w) => [w]);
    // Each word with its swaps undone (transpositions), once: for ranking and for the look-alike pass.
    const swapped = new Map(words.map((w) => [w, [w, ...transpositions(w)]]));
    values.typedTagged = prefixQuery(asTyped, tag);
    values.typed = prefixQuery(asTyped);
    values.swaps = prefixQuery(words.map((w) => swapped.get(w) ?? [w]));
    for (const [i, w] of longestFirst.entries()) {
      values[`lookAlike${i}`] = prefixQuery([swapped.get(w) ?? [w]], tag);
      values[`word${i}`] = w;
    }
  }
  const first = await named<SearchRow>(db, keys.first, () => statements().first(), values);
  const total = first[0]?.total ?? 0;
  // More matches than were ranked: `count` still says how many users match (exact address, words or address
  // starting as typed), read on the same indexes; the pages reach the best 1,000.
  if (total >= CANDIDATES.prefix) {
    const [counted] = await named<{ n: number }>(db, keys.count, () => statements().count(), values);
    const n = counted?.n ?? total;
    return first.map((row) => ({ ...row, total: n }));
  }
  // The look-alikes cost the most: they are asked only when exact and prefix matches do not fill the page; the
  // matches of the first look-up come along by id instead of being looked up again. `count` is then the exact and
  // prefix matches plus the look-alikes found (up to 400).
  if (!shape.lookAlikes.length || total >= offset + limit) return first;
  if (shape.firstPage) values.ids = `{${first.map((row) => row.id).join(',')}}`;
  return named<SearchRow>(db, keys.lookAlikes, () => statements().lookAlikes(), values);
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
