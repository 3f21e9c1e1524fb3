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
