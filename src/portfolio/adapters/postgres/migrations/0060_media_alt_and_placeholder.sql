-- Images for the web (issue 21): alternative text and a BlurHash placeholder on every media
-- row. Adding columns with a constant default rewrites nothing; the media document gains both
-- keys (the view keeps its columns, so the views and functions built on it stay as they are).
ALTER TABLE media
    ADD COLUMN alt text NOT NULL DEFAULT '' CHECK (char_length(alt) <= 1000),
    ADD COLUMN placeholder text;

CREATE OR REPLACE VIEW media_documents AS
SELECT m.id, json_build_object(
    'id', m.id, 'key', m.key, 'type', m.type, 'name', m.name, 'size', m.size,
    'width', m.width, 'height', m.height, 'mode', m.mode, 'created_at', m.created_at,
    'thumbnails', coalesce(
        (SELECT json_agg(json_build_object('id', t.id, 'key', t.key, 'size', t.size) ORDER BY t.size)
           FROM thumbnails t WHERE t.media_id = m.id),
        '[]'::json),
    'alt', m.alt, 'placeholder', m.placeholder
) AS doc
FROM media m;
