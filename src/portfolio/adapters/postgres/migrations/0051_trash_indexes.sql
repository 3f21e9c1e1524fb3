-- migration: no transaction
-- A trashed portfolio no longer holds its title or slug: uniqueness is kept among the
-- portfolios not in the trash (a restore whose title or slug was taken meanwhile is refused).
-- Each new index is built before the constraint it replaces goes, so uniqueness always holds;
-- every step is safe to run again.
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS portfolios_title_kept
    ON portfolios (title) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS portfolios_slug_kept
    ON portfolios (slug) WHERE deleted_at IS NULL;
ALTER TABLE portfolios DROP CONSTRAINT IF EXISTS portfolios_title_key;
ALTER TABLE portfolios DROP CONSTRAINT IF EXISTS portfolios_slug_key;
-- The trash, newest first, and the purge, oldest first: the trashed rows only.
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_trashed
    ON portfolios (deleted_at DESC, id) WHERE deleted_at IS NOT NULL;
-- The live and public-listing indexes (0019, 0012) hold what the website may show: a
-- trashed portfolio is not in them. Rebuilt under new names before the old ones go.
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_live_kept
    ON portfolios (id) INCLUDE (publish_at, unpublish_at, employer_id)
    WHERE is_active AND deleted_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS portfolios_live;
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_public_listing_kept
    ON portfolios (display_order, id) WHERE is_active AND deleted_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS portfolios_public_listing;
-- Every admin list counts the portfolios not in the trash: from this index alone.
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_kept ON portfolios (id) WHERE deleted_at IS NULL;
-- The admin lists' orderings and filters (0001, 0003, 0006) read the portfolios out of the
-- trash only: their indexes hold those rows alone, so a page (a deep one too) is still read
-- from the index without visiting the trashed rows it would skip.
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_listing_kept
    ON portfolios (display_order, id) WHERE deleted_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS portfolios_listing;
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_listing_descending_kept
    ON portfolios (display_order DESC, id) WHERE deleted_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS portfolios_listing_descending;
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_title_kept
    ON portfolios ((lower(title) COLLATE "C"), id) INCLUDE (title) WHERE deleted_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS portfolios_by_title_with_title;
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_created_at_kept
    ON portfolios (created_at, id) WHERE deleted_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS portfolios_by_created_at;
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_updated_at_kept
    ON portfolios (updated_at, id) WHERE deleted_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS portfolios_by_updated_at;
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_completed_at_kept
    ON portfolios (completed_at, id) WHERE deleted_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS portfolios_by_completed_at;
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_completed_at_descending_kept
    ON portfolios (completed_at DESC, id) WHERE deleted_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS portfolios_by_completed_at_descending;
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_active_listing_kept
    ON portfolios (is_active, display_order, id) WHERE deleted_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS portfolios_active_listing;
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_employer_kept
    ON portfolios (employer_id, display_order, id) WHERE deleted_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS portfolios_by_employer;
