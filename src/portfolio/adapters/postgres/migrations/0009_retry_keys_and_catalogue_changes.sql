-- Retry keys (the Idempotency-Key header): a request kept under its client's key, per user,
-- with its answer once it succeeded, so that a retry is answered instead of done twice.
-- A row without a status is a request still being served, held until lease_until.
CREATE TABLE retry_keys (
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint  bytea NOT NULL,
    expires_at   timestamptz NOT NULL,
    lease_until  timestamptz NOT NULL,
    status       smallint,
    headers      jsonb,
    body         bytea,
    PRIMARY KEY (user_id, key),
    CHECK ((status IS NULL) = (body IS NULL) AND (status IS NULL) = (headers IS NULL))
);
-- The periodic purge of expired keys reads this index, not the table.
CREATE INDEX retry_keys_expires_at ON retry_keys (expires_at);

-- The catalogue's change number: it moves, in the same transaction, whenever a row the API
-- shows is written, so that a process that knows the ETag of an answer built at number N
-- knows it still holds while the number is N. One row; its value comes from a sequence, so
-- a number is never given twice even if the row is lost.
CREATE SEQUENCE catalogue_change_numbers;

CREATE TABLE catalogue_changes (
    one      boolean PRIMARY KEY DEFAULT true CHECK (one),
    version  bigint NOT NULL
);
INSERT INTO catalogue_changes (version) VALUES (nextval('catalogue_change_numbers'));

-- At commit (a deferred constraint trigger), so that a writer locks the row last and never
-- holds it while it waits for another lock; once per transaction, as the row's xmin shows.
CREATE FUNCTION note_catalogue_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE catalogue_changes SET version = nextval('catalogue_change_numbers')
    WHERE xmin <> xid(pg_current_xact_id());
    IF NOT FOUND THEN
        INSERT INTO catalogue_changes (version) VALUES (nextval('catalogue_change_numbers'))
        ON CONFLICT (one) DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    watched text;
BEGIN
    FOREACH watched IN ARRAY ARRAY[
        'media', 'thumbnails', 'employers', 'tags', 'links', 'meta', 'portfolios',
        'portfolio_tags', 'portfolio_links', 'portfolio_images', 'portfolio_meta'
    ] LOOP
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION note_catalogue_change()',
            watched || '_changes', watched
        );
    END LOOP;
END $$;
