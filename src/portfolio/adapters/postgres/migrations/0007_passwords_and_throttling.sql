-- Passwords (Argon2id hashes, never the password), when a token was last used, the permission
-- codes of users (47xx) and tokens (48xx), and the shared counters of failed sign-ins and token
-- authentications. The counters are UNLOGGED: they are rewritten on every failure, and losing
-- them in a crash only forgives the failures of the last minute.
ALTER TABLE users ADD COLUMN password_hash text;
ALTER TABLE api_tokens ADD COLUMN last_used_at timestamptz;

ALTER TABLE user_permissions DROP CONSTRAINT user_permissions_code_check;
ALTER TABLE user_permissions ADD CONSTRAINT user_permissions_code_check
    CHECK (code BETWEEN 4101 AND 4805);

CREATE UNLOGGED TABLE failure_counts (
    key          text PRIMARY KEY CHECK (length(key) <= 300),
    failures     integer NOT NULL CHECK (failures > 0),
    window_ends  timestamptz NOT NULL
);
CREATE INDEX failure_counts_window_ends ON failure_counts (window_ends);
