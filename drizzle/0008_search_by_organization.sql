-- User search runs inside one organization (DESIGN.md §7): indexes that lead with the organization, so a search
-- reads the candidates of that organization only instead of filtering a million-row index scan.
CREATE EXTENSION IF NOT EXISTS btree_gin;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_search_org_name_trgm_idx ON users USING gin (organization_id, desk_unaccent(lower(name)) gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_search_org_name_prefix_idx ON users (organization_id, desk_unaccent(lower(name)) text_pattern_ops);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_search_org_email_prefix_idx ON users (organization_id, lower(email) text_pattern_ops);
