-- Planning a look-alike search spent 0.6–0.9 ms of its ~1.2 ms on statistics: pg_trgm estimates `'word' <% name` by
-- computing the word similarity of the word typed with every histogram bound and most common value ANALYZE keeps of
-- the unaccented name (up to 201 strings at the default target), once per word typed, and a full name is several.
-- The estimate decides nothing the search does not fix itself (it asks the indexes, within a cap), so the expression's
-- statistics are kept as small as PostgreSQL allows: with target 1 there is no histogram to read, and pg_trgm's
-- estimate is its default. Every index on the expression: the planner reads the statistics of the first it finds.
-- ANALYZE at once, or a database whose users rarely change would keep its old statistics for months.
ALTER INDEX users_search_name_trgm_idx ALTER COLUMN 1 SET STATISTICS 1;
--> statement-breakpoint
ALTER INDEX users_search_name_prefix_idx ALTER COLUMN 1 SET STATISTICS 1;
--> statement-breakpoint
ALTER INDEX users_search_org_name_trgm_idx ALTER COLUMN 2 SET STATISTICS 1;
--> statement-breakpoint
ALTER INDEX users_search_org_name_prefix_idx ALTER COLUMN 2 SET STATISTICS 1;
--> statement-breakpoint
ALTER INDEX users_search_browse_idx ALTER COLUMN 2 SET STATISTICS 1;
--> statement-breakpoint
ANALYZE users;
