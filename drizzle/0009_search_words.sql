-- User search by word prefixes (`jean:* & dup:*`): the name's words, unaccented and in lower case, as a tsvector in a
-- GIN index that leads with the organization (searches stay inside one). It replaces the '% word%' trigram scans,
-- which read the trigram lists of every organization; trigrams now serve look-alikes (typos) only.
CREATE INDEX IF NOT EXISTS users_search_org_name_words_idx ON users USING gin (organization_id, to_tsvector('simple'::regconfig, desk_unaccent(lower(name))));
--> statement-breakpoint
-- Agents without an organization search among themselves (organization_id IS NULL, which a GIN key cannot answer).
CREATE INDEX IF NOT EXISTS users_search_no_org_name_words_idx ON users USING gin (to_tsvector('simple'::regconfig, desk_unaccent(lower(name)))) WHERE organization_id IS NULL;
