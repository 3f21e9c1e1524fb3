-- migration: no transaction
-- The title ordering's index (0003) holds the title too, so that deep pages by title are
-- read from the index alone: page 5,000 of 20 at 100,000 portfolios took 700 ms reading
-- every row before it, 45 ms from the index. The new index is built before the old one
-- goes, so the ordering always has one; both steps are safe to run again.
CREATE INDEX CONCURRENTLY IF NOT EXISTS portfolios_by_title_with_title
    ON portfolios ((lower(title) COLLATE "C"), id) INCLUDE (title);
DROP INDEX CONCURRENTLY IF EXISTS portfolios_by_title;
