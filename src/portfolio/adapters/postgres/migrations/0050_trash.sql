-- The trash: a deleted portfolio keeps its row (and so still protects the shared objects
-- and media it refers to, whose foreign keys RESTRICT) with the moment it was deleted and
-- by whom (the user's id and username as they were; no foreign key, as the audit log keeps
-- them). Every read but the trash's own leaves trashed rows out; they are removed for good
-- (DELETE, which cascades to their attachment rows) by the purge.
ALTER TABLE portfolios
    ADD COLUMN deleted_at timestamptz,
    ADD COLUMN deleted_by_id bigint,
    ADD COLUMN deleted_by_username text,
    ADD CONSTRAINT portfolios_deleted_by_only_when_deleted
        CHECK (deleted_at IS NOT NULL OR (deleted_by_id IS NULL AND deleted_by_username IS NULL));

-- One trashed portfolio as the trash lists it (keys are the application's field names).
CREATE FUNCTION trashed_portfolio_document(wanted bigint) RETURNS json
LANGUAGE plpgsql STABLE STRICT
AS $$ BEGIN RETURN (
    SELECT json_build_object(
        'id', p.id, 'title', p.title, 'slug', p.slug, 'deleted_at', p.deleted_at,
        'deleted_by', CASE WHEN p.deleted_by_username IS NULL THEN NULL
                      ELSE json_build_object('id', p.deleted_by_id,
                                             'username', p.deleted_by_username) END)
    FROM portfolios p WHERE p.id = wanted
); END $$;
