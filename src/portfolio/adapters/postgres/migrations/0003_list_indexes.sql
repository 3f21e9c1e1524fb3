-- migration: no transaction
-- An index for every ordering and filter of the portfolio list (docs/api.md), so a page reads
-- its rows in order instead of sorting the whole table. Each ordering ends with the id, as the
-- list's does; a descending one reads the same index backwards and puts rare ties (equal
-- times, titles differing in case only) in id order with an incremental sort. Already there
-- since 0001: display order (portfolios_listing) and slug (unique). Built CONCURRENTLY, so
-- writes go on while they are built.
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_title
    ON portfolios ((lower(title) COLLATE "C"), id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_created_at ON portfolios (created_at, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_updated_at ON portfolios (updated_at, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_completed_at
    ON portfolios (completed_at, id);
-- Many portfolios share a display order (0, the default) or have no completion date, and a
-- descending list still puts those in ascending id order, which the ascending index read
-- backwards could give only by sorting them all.
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_listing_descending
    ON portfolios (display_order DESC, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_completed_at_descending
    ON portfolios (completed_at DESC, id);
-- The website lists the active portfolios in display order; the admin panel the inactive.
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_active_listing
    ON portfolios (is_active, display_order, id);
-- A tag's or an employer's portfolios, counted and paged from the index alone.
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolio_tags_by_tag ON portfolio_tags (tag_id, portfolio_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_employer
    ON portfolios (employer_id, display_order, id);
