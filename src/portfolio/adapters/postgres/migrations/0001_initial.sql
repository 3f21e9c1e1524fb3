-- Users, their permission codes and API tokens (stored as SHA-256 digests only).
CREATE TABLE users (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username    text NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 150),
    is_active   boolean NOT NULL DEFAULT true,
    is_staff    boolean NOT NULL DEFAULT false,
    is_admin    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_permissions (
    user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code     integer NOT NULL CHECK (code BETWEEN 4101 AND 4605),
    PRIMARY KEY (user_id, code)
);

CREATE TABLE api_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest      bytea NOT NULL UNIQUE CHECK (length(digest) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

-- Stored files. Images carry width, height and mode, and own their thumbnails.
CREATE TABLE media (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         text NOT NULL UNIQUE,
    type        text NOT NULL,
    name        text NOT NULL,
    size        bigint NOT NULL CHECK (size >= 0),
    width       integer CHECK (width > 0),
    height      integer CHECK (height > 0),
    mode        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((width IS NULL) = (height IS NULL) AND (width IS NULL) = (mode IS NULL))
);

CREATE TABLE thumbnails (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    media_id  bigint NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    size      integer NOT NULL CHECK (size > 0),
    key       text NOT NULL UNIQUE,
    UNIQUE (media_id, size)
);

-- Shared objects a portfolio refers to. Deleting one still referred to is refused (RESTRICT).
CREATE TABLE employers (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL UNIQUE,
    description  text,
    image_id     bigint REFERENCES media (id) ON DELETE RESTRICT,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tags (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    image_id    bigint REFERENCES media (id) ON DELETE RESTRICT,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE links (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL,
    url          text,
    description  text,
    image_id     bigint REFERENCES media (id) ON DELETE RESTRICT,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE meta (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key            text NOT NULL,
    value_text     text,
    value_file_id  bigint REFERENCES media (id) ON DELETE RESTRICT,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE portfolios (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title          text NOT NULL UNIQUE,
    slug           text NOT NULL UNIQUE,
    excerpt        text NOT NULL DEFAULT '',
    display_order  integer NOT NULL DEFAULT 0,
    image_id       bigint REFERENCES media (id) ON DELETE RESTRICT,
    employer_id    bigint REFERENCES employers (id) ON DELETE RESTRICT,
    is_active      boolean NOT NULL DEFAULT true,
    completed_at   timestamptz,
    description    text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portfolios_listing ON portfolios (display_order, id);
CREATE INDEX portfolios_employer_id ON portfolios (employer_id);

-- A portfolio's own attachments: ordered join rows, removed with the portfolio.
CREATE TABLE portfolio_tags (
    portfolio_id  bigint NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    tag_id        bigint NOT NULL REFERENCES tags (id) ON DELETE RESTRICT,
    PRIMARY KEY (portfolio_id, position),
    UNIQUE (portfolio_id, tag_id)
);
CREATE INDEX portfolio_tags_tag_id ON portfolio_tags (tag_id);

CREATE TABLE portfolio_links (
    portfolio_id  bigint NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    link_id       bigint NOT NULL REFERENCES links (id) ON DELETE RESTRICT,
    PRIMARY KEY (portfolio_id, position),
    UNIQUE (portfolio_id, link_id)
);
CREATE INDEX portfolio_links_link_id ON portfolio_links (link_id);

CREATE TABLE portfolio_images (
    portfolio_id  bigint NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    media_id      bigint NOT NULL REFERENCES media (id) ON DELETE RESTRICT,
    PRIMARY KEY (portfolio_id, position),
    UNIQUE (portfolio_id, media_id)
);
CREATE INDEX portfolio_images_media_id ON portfolio_images (media_id);

CREATE TABLE portfolio_meta (
    portfolio_id  bigint NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    meta_id       bigint NOT NULL REFERENCES meta (id) ON DELETE RESTRICT,
    PRIMARY KEY (portfolio_id, position),
    UNIQUE (portfolio_id, meta_id)
);
CREATE INDEX portfolio_meta_meta_id ON portfolio_meta (meta_id);

CREATE INDEX media_referenced_by_employers ON employers (image_id);
CREATE INDEX media_referenced_by_tags ON tags (image_id);
CREATE INDEX media_referenced_by_links ON links (image_id);
CREATE INDEX media_referenced_by_meta ON meta (value_file_id);
CREATE INDEX media_referenced_by_portfolios ON portfolios (image_id);

-- JSON documents shaped like the domain entities, so a whole portfolio is one statement
-- decoded straight into domain objects. Keys are the entities' field names.
CREATE VIEW media_documents AS
SELECT m.id, json_build_object(
    'id', m.id, 'key', m.key, 'type', m.type, 'name', m.name, 'size', m.size,
    'width', m.width, 'height', m.height, 'mode', m.mode, 'created_at', m.created_at,
    'thumbnails', coalesce(
        (SELECT json_agg(json_build_object('id', t.id, 'key', t.key, 'size', t.size) ORDER BY t.size)
           FROM thumbnails t WHERE t.media_id = m.id),
        '[]'::json)
) AS doc
FROM media m;

CREATE VIEW employer_documents AS
SELECT e.id, json_build_object(
    'id', e.id, 'name', e.name, 'description', e.description, 'image', md.doc
) AS doc
FROM employers e LEFT JOIN media_documents md ON md.id = e.image_id;

CREATE VIEW tag_documents AS
SELECT t.id, json_build_object('id', t.id, 'name', t.name, 'image', md.doc) AS doc
FROM tags t LEFT JOIN media_documents md ON md.id = t.image_id;

CREATE VIEW link_documents AS
SELECT l.id, json_build_object(
    'id', l.id, 'name', l.name, 'url', l.url, 'description', l.description, 'image', md.doc
) AS doc
FROM links l LEFT JOIN media_documents md ON md.id = l.image_id;

CREATE VIEW meta_documents AS
SELECT mt.id, json_build_object(
    'id', mt.id, 'key', mt.key, 'value_text', mt.value_text, 'value_file', md.doc
) AS doc
FROM meta mt LEFT JOIN media_documents md ON md.id = mt.value_file_id;

CREATE VIEW portfolio_documents AS
SELECT p.id, json_build_object(
    'id', p.id, 'title', p.title, 'slug', p.slug, 'excerpt', p.excerpt,
    'order', p.display_order, 'is_active', p.is_active,
    'created_at', p.created_at, 'updated_at', p.updated_at,
    'completed_at', p.completed_at, 'description', p.description,
    'image', cover.doc, 'employer', employer.doc,
    'tags', tags.docs, 'links', links.docs, 'images', images.docs, 'meta', meta.docs
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
