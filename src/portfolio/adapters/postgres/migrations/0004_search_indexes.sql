-- migration: no transaction
-- migration: needs extension pg_trgm
-- Trigram indexes for ?search=. A term matches where it is a substring, ignoring case:
-- lower(text) LIKE '%term%', which a GIN trigram index answers without reading every row.
-- Portfolios search title, excerpt and description as one text joined by line feeds: a term
-- never holds white space, so it is in the joined text exactly when it is in one of the three.
-- pg_trgm is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_search ON portfolios
    USING gin ((lower(title || E'\n' || excerpt || E'\n' || coalesce(description, ''))) gin_trgm_ops);
CREATE INDEX CONCURRENTLY IF NOT EXISTS employers_search ON employers
    USING gin (lower(name) gin_trgm_ops);
CREATE INDEX CONCURRENTLY IF NOT EXISTS tags_search ON tags USING gin (lower(name) gin_trgm_ops);
CREATE INDEX CONCURRENTLY IF NOT EXISTS links_search ON links USING gin (lower(name) gin_trgm_ops);
CREATE INDEX CONCURRENTLY IF NOT EXISTS meta_search ON meta USING gin (lower(key) gin_trgm_ops);
