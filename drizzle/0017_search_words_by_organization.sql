-- User search by word prefixes, inside one organization, at the cost of that organization's matches only. The index of
-- 0009 leads with the organization, but a GIN index answers `organization_id = X AND words @@ 'mar:*'` by reading the
-- lists of both keys in full: every user of every organization whose name has a word starting with "mar" (tens of
-- thousands at a million users), then intersecting. Here each word is tagged with its organization
-- ('<organization id, 32 hex digits>/martin', 'none/martin' for agents without one), so a prefix `'<id>/mar':*` walks
-- that organization's words only; one index answers both cases. The two word indexes of 0009 stay for now: the
-- previous release searches with them during a rollout and after a rollback, and dropping them here would hold an
-- ACCESS EXCLUSIVE lock on users (reads included) until this transaction commits; a later release drops them.
-- fastupdate is off: a search never scans a pending list (up to 4 MB after a bulk load or an import), writes pay a
-- little instead.
-- PL/pgSQL and string functions: a SQL function with a subquery is never inlined and costs ~9 µs a row when a plan
-- rechecks it on the rows it fetches, this ~3 µs (unaccent called as desk_unaccent calls it). COST 1000 tells the
-- planner so: at the default (100) it filtered a 2,000-agent organization's rows through the function (12 ms)
-- instead of asking the index (6 ms). PARALLEL UNSAFE keeps a search from ever starting parallel workers: costed
-- higher, the look-alike pass was planned in parallel, and starting the workers took 20 ms for 0.3 ms of work.
CREATE OR REPLACE FUNCTION desk_search_words(organization uuid, name text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE COST 1000 AS $$
DECLARE
  tag text := coalesce(replace(organization::text, '-', ''), 'none') || '/';
BEGIN
  -- Lexemes never hold a space (the parser splits on them), so joining and splitting on spaces tags each one; the
  -- bare tag an empty name would leave is removed.
  RETURN array_to_tsvector(array_remove(string_to_array(
    tag || array_to_string(
      tsvector_to_array(to_tsvector('simple'::regconfig, public.unaccent('public.unaccent'::regdictionary, lower(name)))),
      ' ' || tag),
    ' '), tag));
END
$$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_search_words_idx ON users USING gin (desk_search_words(organization_id, name)) WITH (fastupdate = off);
--> statement-breakpoint
-- A search with nothing typed lists the organization's agents by name: read in order, a page at a time, instead of
-- sorting the whole organization's unaccented names.
CREATE INDEX IF NOT EXISTS users_search_browse_idx ON users (organization_id, desk_unaccent(lower(name)), id);
