-- Webhooks (application/webhooks/): the endpoints admins register, each event's message
-- (its body made once, the exact bytes signed), and one delivery per endpoint and message.
--
-- The secret is stored sealed (AES-GCM under PORTFOLIO_WEBHOOKS_KEY), never in the clear.
CREATE TABLE webhook_endpoints (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url          text NOT NULL,
    events       text[] NOT NULL,
    description  text,
    is_active    boolean NOT NULL DEFAULT true,
    secret       bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_messages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  text NOT NULL UNIQUE,
    type        text NOT NULL,
    body        bytea NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX webhook_messages_created ON webhook_messages (created_at);

-- A delivery is claimed with FOR UPDATE SKIP LOCKED and held for a lease (next_attempt_at
-- moves past now, attempts counts the attempt), so that a process that dies while sending
-- leaves it due again when the lease ends.
CREATE TABLE webhook_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id      bigint NOT NULL REFERENCES webhook_endpoints ON DELETE CASCADE,
    message_id       bigint NOT NULL REFERENCES webhook_messages ON DELETE CASCADE,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    response_status  integer,
    last_error       text,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_of_endpoint ON webhook_deliveries (endpoint_id, id DESC);
CREATE INDEX webhook_deliveries_of_message ON webhook_deliveries (message_id);

-- A delivery made due by hand (a ping, a retry) wakes the leader as an event would.
CREATE TRIGGER webhook_deliveries_announced AFTER INSERT OR UPDATE OF next_attempt_at
ON webhook_deliveries FOR EACH STATEMENT EXECUTE FUNCTION announce_outbox();
