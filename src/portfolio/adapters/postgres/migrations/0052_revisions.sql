-- A portfolio's revisions: the whole portfolio as each save left it (the document the
-- application read back after writing, keys as the domain's field names), who saved it (the
-- user's id and username as they were; no foreign key, as the audit log keeps them) and the
-- fields that changed. Written in the save's transaction; removed with the portfolio when it
-- is purged; only the newest PORTFOLIO_REVISIONS_KEPT of each portfolio are kept.
CREATE TABLE portfolio_revisions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    portfolio_id  bigint NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    user_id       bigint,
    username      text,
    changes       text[] NOT NULL DEFAULT '{}',
    document      jsonb NOT NULL
);
-- A portfolio's revisions newest first: its list, its latest, and the pruning.
CREATE INDEX portfolio_revisions_of ON portfolio_revisions (portfolio_id, id DESC);

-- One revision as the application reads it (keys are its field names).
CREATE FUNCTION portfolio_revision_document(wanted bigint) RETURNS json
LANGUAGE plpgsql STABLE STRICT
AS $$ BEGIN RETURN (
    SELECT json_build_object(
        'id', r.id, 'created_at', r.created_at,
        'user', CASE WHEN r.username IS NULL THEN NULL
                ELSE json_build_object('id', r.user_id, 'username', r.username) END,
        'changes', r.changes, 'document', r.document)
    FROM portfolio_revisions r WHERE r.id = wanted
); END $$;
