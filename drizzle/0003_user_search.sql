-- User search: unaccent() is only STABLE, so an IMMUTABLE wrapper (fixed dictionary) makes it indexable.
CREATE OR REPLACE FUNCTION desk_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
--> statement-breakpoint
-- Fuzzy and infix matches (pg_trgm) on the unaccented lower-case name and on the email.
CREATE INDEX IF NOT EXISTS users_search_name_trgm_idx ON users USING gin (desk_unaccent(lower(name)) gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_search_email_trgm_idx ON users USING gin (lower(email) gin_trgm_ops);
--> statement-breakpoint
-- Prefix matches of one or two letters, which trigrams cannot serve.
CREATE INDEX IF NOT EXISTS users_search_name_prefix_idx ON users (desk_unaccent(lower(name)) text_pattern_ops);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_search_email_prefix_idx ON users (lower(email) text_pattern_ops);
