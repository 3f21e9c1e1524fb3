-- The planner's estimate of how many rows a query returns, without running it (EXPLAIN
-- without ANALYZE only plans): a page's count once counting exactly would cost more than
-- the page. Volatile, as only volatile functions may run EXPLAIN.
CREATE FUNCTION planned_rows(query text) RETURNS bigint
LANGUAGE plpgsql STRICT
AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN round((plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric);
END $$;
