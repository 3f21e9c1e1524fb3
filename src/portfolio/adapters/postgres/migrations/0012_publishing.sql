-- Scheduled publishing. A portfolio is live when it is active, its publish_at (if any) has
-- passed and its unpublish_at (if any) has not (domain/portfolio.py, publication()).
ALTER TABLE portfolios
    ADD COLUMN publish_at timestamptz,
    ADD COLUMN unpublish_at timestamptz,
    ADD CONSTRAINT portfolios_unpublished_after_published
        CHECK (publish_at IS NULL OR unpublish_at IS NULL OR unpublish_at > publish_at);

-- The public list walks the active portfolios in display order and skips the few not live
-- yet or any more; a partial index holds only what it may show.
CREATE INDEX portfolios_public_listing ON portfolios (display_order, id) WHERE is_active;
-- The admin list's filters by publication: portfolios scheduled or withdrawn are few.
CREATE INDEX portfolios_publish_at ON portfolios (publish_at) WHERE publish_at IS NOT NULL;
CREATE INDEX portfolios_unpublish_at ON portfolios (unpublish_at) WHERE unpublish_at IS NOT NULL;

-- Moments still to come, one row per portfolio and kind, kept by a trigger whatever writes
-- the portfolio: the scheduler takes each once it has passed (FOR UPDATE SKIP LOCKED,
-- deleting it in the transaction that queues its event), and revalidation trusts nothing
-- past the soonest one. Read by no answer.
CREATE TABLE scheduled_moments (
    portfolio_id  bigint NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('publish', 'unpublish')),
    moment        timestamptz NOT NULL,
    PRIMARY KEY (portfolio_id, kind)
);
CREATE INDEX scheduled_moments_due ON scheduled_moments (moment);

CREATE FUNCTION schedule_moments() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM scheduled_moments WHERE portfolio_id = NEW.id;
    INSERT INTO scheduled_moments (portfolio_id, kind, moment)
    SELECT NEW.id, kind, moment
    FROM (VALUES ('publish', NEW.publish_at), ('unpublish', NEW.unpublish_at)) AS m (kind, moment)
    WHERE moment > now();
    RETURN NULL;
END $$;

CREATE TRIGGER portfolios_schedule AFTER INSERT OR UPDATE OF publish_at, unpublish_at
ON portfolios FOR EACH ROW EXECUTE FUNCTION schedule_moments();

-- The documents carry the moments too (keys are the entities' field names).
CREATE OR REPLACE VIEW portfolio_documents AS
SELECT p.id, json_build_object(
    'id', p.id, 'title', p.title, 'slug', p.slug, 'excerpt', p.excerpt,
    'order', p.display_order, 'is_active', p.is_active,
    'created_at', p.created_at, 'updated_at', p.updated_at,
    'completed_at', p.completed_at, 'description', p.description,
    'image', cover.doc, 'employer', employer.doc,
    'tags', tags.docs, 'links', links.docs, 'images', images.docs, 'meta', meta.docs,
    'publish_at', p.publish_at, 'unpublish_at', p.unpublish_at
) AS doc
FROM portfolios p
LEFT JOIN media_documents cover ON cover.id = p.image_id
LEFT JOIN employer_documents employer ON employer.id = p.employer_id
LEFT JOIN LATERAL (
    SELECT coalesce(json_agg(d.doc ORDER BY j.position), '[]'::json) AS docs
    FROM portfolio_tags j JOIN tag_documents d ON d.id = j.tag_id WHERE j.portfolio_id = p.id
) tags ON true
LEFT JOIN LATERAL (
    SELECT coalesce(json_agg(d.doc ORDER BY j.position), '[]'::json) AS docs
    FROM portfolio_links j JOIN link_documents d ON d.id = j.link_id WHERE j.portfolio_id = p.id
) links ON true
LEFT JOIN LATERAL (
    SELECT coalesce(json_agg(d.doc ORDER BY j.position), '[]'::json) AS docs
    FROM portfolio_images j JOIN media_documents d ON d.id = j.media_id WHERE j.portfolio_id = p.id
) images ON true
LEFT JOIN LATERAL (
    SELECT coalesce(json_agg(d.doc ORDER BY j.position), '[]'::json) AS docs
    FROM portfolio_meta j JOIN meta_documents d ON d.id = j.meta_id WHERE j.portfolio_id = p.id
) meta ON true;
