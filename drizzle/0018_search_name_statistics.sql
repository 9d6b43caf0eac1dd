-- Planning a look-alike search spent 0.6–0.9 ms of its ~1.2 ms on statistics: pg_trgm estimates `'word' <% name` by
-- computing the word similarity of the word typed with every histogram bound and most common value ANALYZE keeps of
-- the unaccented name (up to 201 strings at the default target), once per word typed, and a full name is several.
-- The estimate decides nothing the search does not fix itself (it asks the indexes, within a cap), so the expression's
-- statistics are kept as small as PostgreSQL allows: with target 1 there is no histogram to read, and pg_trgm's
-- estimate is its default. Every index on the expression: the planner reads the statistics of the first it finds.
-- The new targets hold from the next ANALYZE of users (autovacuum's, `desk import people`'s, or one run by hand after
-- the migration: docs/operations.md). Not here: an ANALYZE in the migration's transaction still reads the indexes'
-- old targets (their cached descriptions are not reloaded before the commit) and kept 101-string histograms.
ALTER INDEX users_search_name_trgm_idx ALTER COLUMN 1 SET STATISTICS 1;
--> statement-breakpoint
ALTER INDEX users_search_name_prefix_idx ALTER COLUMN 1 SET STATISTICS 1;
--> statement-breakpoint
ALTER INDEX users_search_org_name_trgm_idx ALTER COLUMN 2 SET STATISTICS 1;
--> statement-breakpoint
ALTER INDEX users_search_org_name_prefix_idx ALTER COLUMN 2 SET STATISTICS 1;
--> statement-breakpoint
ALTER INDEX users_search_browse_idx ALTER COLUMN 2 SET STATISTICS 1;
