-- migration: no transaction
-- A claim takes each endpoint's first due deliveries (a LATERAL probe per endpoint, in this
-- index's order) instead of scanning every due delivery and filtering out the endpoints whose
-- attempts are all under way: with one slow endpoint holding a large backlog, that scan read
-- the whole backlog at every turn. Now a claim costs what the endpoints cost, and every
-- endpoint gets its share whatever another's backlog.
CREATE INDEX CONCURRENTLY IF NOT EXISTS webhook_deliveries_due_by_endpoint
    ON webhook_deliveries (endpoint_id, next_attempt_at, id) WHERE status = 'pending';
