-- Change numbers per topic. One number for the catalogue was not enough: users, their codes
-- and their tokens are answers too, and a validator remembered for them must not outlive a
-- change to them. Each topic's number moves, in the same transaction, whenever a table of
-- that topic is written; a route says which topics its answers read, and a remembered
-- validator is trusted only while the numbers of those topics stay put.
--
-- Topics: catalogue (what portfolios show), accounts (users, codes, tokens). Every table is
-- either watched for a topic or named as read by no answer; a test checks that no table is
-- left unclassified.
ALTER SEQUENCE catalogue_change_numbers RENAME TO change_number_sequence;

CREATE TABLE change_numbers (
    topic    text PRIMARY KEY,
    version  bigint NOT NULL
);
INSERT INTO change_numbers (topic, version)
SELECT topic, nextval('change_number_sequence') FROM unnest(ARRAY['catalogue', 'accounts']) AS topic;

-- At commit (a deferred constraint trigger), so that a writer locks the row last and never
-- holds it while it waits for another lock; once per transaction and topic, as the row's
-- xmin shows.
CREATE FUNCTION note_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE change_numbers SET version = nextval('change_number_sequence')
    WHERE topic = TG_ARGV[0] AND xmin <> xid(pg_current_xact_id());
    IF NOT FOUND THEN
        INSERT INTO change_numbers (topic, version)
        VALUES (TG_ARGV[0], nextval('change_number_sequence'))
        ON CONFLICT (topic) DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    watched record;
BEGIN
    FOR watched IN
        SELECT table_name, topic FROM (VALUES
            ('media', 'catalogue'), ('thumbnails', 'catalogue'), ('employers', 'catalogue'),
            ('tags', 'catalogue'), ('links', 'catalogue'), ('meta', 'catalogue'),
            ('portfolios', 'catalogue'), ('portfolio_tags', 'catalogue'),
            ('portfolio_links', 'catalogue'), ('portfolio_images', 'catalogue'),
            ('portfolio_meta', 'catalogue'),
            ('users', 'accounts'), ('user_permissions', 'accounts'), ('api_tokens', 'accounts')
        ) AS t (table_name, topic)
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', watched.table_name || '_changes',
                       watched.table_name);
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION note_change(%L)',
            watched.table_name || '_changes', watched.table_name, watched.topic
        );
    END LOOP;
END $$;

DROP FUNCTION note_catalogue_change();
DROP TABLE catalogue_changes;
