-- The audit log and the change feed's outbox, written in the same transaction as the change
-- they record (application/changes.py).
--
-- audit_log: one row per write, append-only. The database itself refuses to change or delete
-- a row, except inside a transaction that says it is pruning (SET LOCAL portfolio.audit_prune
-- = 'on'), which only `portfolio audit prune` does, and which is itself audited.
CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_id        bigint,
    actor_username  text,
    via             text NOT NULL CHECK (via IN ('api', 'cli', 'scheduler')),
    action          text NOT NULL,
    resource        text NOT NULL,
    object_id       bigint,
    changes         text[] NOT NULL DEFAULT '{}',
    request_id      text,
    client          text
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_object ON audit_log (resource, object_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('portfolio.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

-- The audit log is an answer of its own (GET /api/audit/): its own change topic.
INSERT INTO change_numbers (topic, version) VALUES ('audit', nextval('change_number_sequence'));
CREATE CONSTRAINT TRIGGER audit_log_changes AFTER INSERT OR UPDATE OR DELETE ON audit_log
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION note_change('audit');

-- outbox: an event waits here for each consumer (the edge cache's purger, the webhooks)
-- until that consumer has delivered it. A consumer claims rows with FOR UPDATE SKIP LOCKED
-- and holds them for a lease (available_at moves past now), so a process that dies holding
-- some leaves them due again when the lease ends.
CREATE TABLE outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer      text NOT NULL,
    event         text NOT NULL,
    resource      text NOT NULL,
    object_id     bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    available_at  timestamptz NOT NULL DEFAULT now(),
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text
);
CREATE INDEX outbox_due ON outbox (consumer, available_at, id);

-- Whoever delivers is woken at commit rather than polling for new rows.
CREATE FUNCTION announce_outbox() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('portfolio_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_announced AFTER INSERT ON outbox
FOR EACH STATEMENT EXECUTE FUNCTION announce_outbox();
