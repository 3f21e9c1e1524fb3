"""A realistic catalogue loaded straight through SQL, fast enough for 100,000 portfolios.

Each portfolio has a cover and four gallery images (each with its four thumbnails), an
employer from a pool of 200 (each with a logo), three of 500 tags (each with an image), two
links and three meta entries, a title of two words and its number, an excerpt of 20 made-up
words and a description of 60, drawn as in real text (a few words are very common, most are
rare). One title in five carries a Persian word. One portfolio in ten is not live: a third of
those inactive, a third scheduled (publishing a month from the load), a third expired. As in
a real catalogue some tags and clients are popular: every portfolio carries one of the first
10 tags, and half of them belong to one of the first 10 employers; nine in ten keep the
default display order 0.

Ids are computed from the portfolio's number, so a catalogue can grow in steps (1,000, then
10,000, ...) and the same number always gives the same portfolio.
"""

from __future__ import annotations

import random
from typing import Any

import psycopg

TAGS = 500
EMPLOYERS = 200
# Tags 1..10 and employers 1..10 are the popular ones.
POPULAR = 10
# Logos and tag images come first; each portfolio then owns five media rows.
_POOL_MEDIA = TAGS + EMPLOYERS

_TITLE_TEXT = """web design shop brand identity mobile app store landing page campaign dashboard
portal platform catalogue booking service travel food fashion health school bank insurance
logistics studio gallery museum festival magazine radio cinema garden coffee bakery hotel
clinic garage airline charity library market bicycle ocean mountain river forest desert city
village island harbour bridge tower castle"""
TITLE_WORDS = tuple(_TITLE_TEXT.split())
PERSIAN_WORDS = ("طراحی", "فروشگاه", "برند", "وبسایت", "کافه", "سفر", "آموزش", "هنر")


def vocabulary(size: int = 2000) -> list[str]:
    """Pronounceable made-up words, the same on every run, most common first."""
    chance = random.Random(13)
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    found: dict[str, None] = {}
    while len(found) < size:
        found["".join(chance.choice(syllables) for _ in range(chance.randint(2, 4)))] = None
    return list(found)


def sentences(count: int = 1000, words: int = 20) -> list[str]:
    """Sentences drawn from ``vocabulary()`` with Zipf's law (the word of rank r is used in
    proportion to 1/r); excerpts are one sentence, descriptions three."""
    chance = random.Random(17)
    ranked = vocabulary()
    weights = [1 / rank for rank in range(1, len(ranked) + 1)]
    return [" ".join(chance.choices(ranked, weights, k=words)) for _ in range(count)]


_POOLS = """
INSERT INTO media (id, key, type, name, size, width, height, mode) OVERRIDING SYSTEM VALUE
SELECT i, format('core_media/2026/12/01/logo_%%s.png', i), 'image/png', format('logo %%s', i),
       20000 + i, 256, 256, 'RGBA'
FROM generate_series(1, %(pool_media)s::integer) i;
INSERT INTO thumbnails (media_id, size, key)
SELECT m, s, format('core_media/2026/12/01/thumbnails/logo_%%s_thumbnail_%%sx%%s.png', m, s, s)
FROM generate_series(1, %(pool_media)s::integer) m, unnest(ARRAY[64, 128, 512, 1080]) s;
INSERT INTO tags (id, name, image_id) OVERRIDING SYSTEM VALUE
SELECT i, format('tag %%s', i), i FROM generate_series(1, %(tags)s::integer) i;
INSERT INTO employers (id, name, description, image_id) OVERRIDING SYSTEM VALUE
SELECT i, format('employer %%s', i), 'A client of ours since 2019', %(tags)s + i
FROM generate_series(1, %(employers)s::integer) i;
"""

# Portfolios numbered lo..hi with everything they hold.
_PORTFOLIOS = """
INSERT INTO media (id, key, type, name, size, width, height, mode) OVERRIDING SYSTEM VALUE
SELECT %(pool_media)s + 5 * (n - 1) + k, format('core_media/2026/12/01/p%%s_%%s.jpg', n, k),
       'image/jpeg', format('photo %%s-%%s', n, k), 100000 + n, 1600, 1200, 'RGB'
FROM generate_series(%(lo)s::integer, %(hi)s::integer) n, generate_series(1, 5) k;
INSERT INTO thumbnails (media_id, size, key)
SELECT %(pool_media)s + 5 * (n - 1) + k, s,
       format('core_media/2026/12/01/thumbnails/p%%s_%%s_thumbnail_%%sx%%s.jpg', n, k, s, s)
FROM generate_series(%(lo)s::integer, %(hi)s::integer) n, generate_series(1, 5) k,
     unnest(ARRAY[64, 128, 512, 1080]) s;
INSERT INTO links (id, name, url, description) OVERRIDING SYSTEM VALUE
SELECT 2 * (n - 1) + k, (ARRAY['github', 'site_url'])[k],
       format('https://example.com/%%s/%%s', n, k), ''
FROM generate_series(%(lo)s::integer, %(hi)s::integer) n, generate_series(1, 2) k;
INSERT INTO meta (id, key, value_text) OVERRIDING SYSTEM VALUE
SELECT 3 * (n - 1) + k, format('key%%s', k), format('value %%s of portfolio %%s', k, n)
FROM generate_series(%(lo)s::integer, %(hi)s::integer) n, generate_series(1, 3) k;
WITH words AS (SELECT %(titles)s::text[] AS titles, %(persian)s::text[] AS persian)
INSERT INTO portfolios (id, title, slug, excerpt, display_order, image_id, employer_id,
                        is_active, completed_at, description, created_at, updated_at,
                        publish_at, unpublish_at)
OVERRIDING SYSTEM VALUE
SELECT n,
       initcap(titles[1 + abs(hashint8(n * 8)) %% cardinality(titles)]) || ' '
           || CASE WHEN n %% 5 = 0
                   THEN persian[1 + abs(hashint8(n * 8 + 1)) %% cardinality(persian)]
                   ELSE titles[1 + abs(hashint8(n * 8 + 1)) %% cardinality(titles)]
              END || ' ' || n,
       format('portfolio-%%s', n),
       (SELECT s FROM bench_sentences WHERE i = abs(hashint8(n * 4)) %% 1000),
       CASE WHEN n %% 10 = 0 THEN 1 + (n * 7919) %% 1000 ELSE 0 END,
       %(pool_media)s + 5 * (n - 1) + 1,
       CASE WHEN n %% 2 = 0 THEN 1 + (n / 20) %% %(popular)s
            ELSE %(popular)s + 1 + (n * 13) %% (%(employers)s - %(popular)s) END,
       n %% 30 <> 3,
       CASE WHEN n %% 7 = 0 THEN NULL
            ELSE timestamptz '2020-01-01' + (n * 37 %% 2000) * interval '1 day' END,
       (SELECT string_agg(s, ' ' ORDER BY k) FROM generate_series(1, 3) k
          JOIN bench_sentences ON i = abs(hashint8(n * 4 + k)) %% 1000),
       timestamptz '2026-12-01' - n * interval '1 minute',
       timestamptz '2026-12-01' - n * interval '1 minute' + (n %% 5) * interval '1 day',
       CASE WHEN n %% 30 = 13 THEN now() + interval '30 days' + n * interval '1 second' END,
       CASE WHEN n %% 30 = 23 THEN timestamptz '2026-01-01' END
FROM words, generate_series(%(lo)s::integer, %(hi)s::integer) n;
INSERT INTO portfolio_tags (portfolio_id, position, tag_id)
SELECT n, k + 1, CASE WHEN k = 0 THEN 1 + (n / 10) %% %(popular)s
                      ELSE %(popular)s + 1 + (n * 31 + k * 97) %% (%(tags)s - %(popular)s) END
FROM generate_series(%(lo)s::integer, %(hi)s::integer) n, generate_series(0, 2) k;
INSERT INTO portfolio_links (portfolio_id, position, link_id)
SELECT n, k, 2 * (n - 1) + k
FROM generate_series(%(lo)s::integer, %(hi)s::integer) n, generate_series(1, 2) k;
INSERT INTO portfolio_images (portfolio_id, position, media_id)
SELECT n, k - 1, %(pool_media)s + 5 * (n - 1) + k
FROM generate_series(%(lo)s::integer, %(hi)s::integer) n, generate_series(2, 5) k;
INSERT INTO portfolio_meta (portfolio_id, position, meta_id)
SELECT n, k, 3 * (n - 1) + k
FROM generate_series(%(lo)s::integer, %(hi)s::integer) n, generate_series(1, 3) k;
"""

# Identity columns were given explicit ids; later inserts must continue after them.
_IDENTITY_TABLES = ("media", "thumbnails", "tags", "employers", "links", "meta", "portfolios")


def _skip_reference_checks(conn: psycopg.Connection[Any]) -> None:
    # The rows are consistent by construction; checking each of millions of foreign keys
    # would triple the load time. Only a superuser may skip them: others load more slowly.
    try:
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
    except psycopg.errors.InsufficientPrivilege:
        pass


def _statements(script: str) -> list[str]:
    return [statement for statement in script.split(";\n") if statement.strip()]


def grow_catalogue(conninfo: str, size: int) -> None:
    """Make the catalogue hold portfolios 1..``size`` (adding only the missing ones), then
    VACUUM ANALYZE, as autovacuum would leave a live database."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SELECT coalesce(max(id), 0) FROM portfolios").fetchone()
        have = row[0] if row else 0
        params = {
            "pool_media": _POOL_MEDIA,
            "tags": TAGS,
            "employers": EMPLOYERS,
            "popular": POPULAR,
            "titles": list(TITLE_WORDS),
            "persian": list(PERSIAN_WORDS),
            "lo": have + 1,
            "hi": size,
        }
        if have >= size:
            return
        with conn.transaction():
            _skip_reference_checks(conn)
            conn.execute("CREATE TEMP TABLE bench_sentences (i integer PRIMARY KEY, s text)")
            conn.execute(
                "INSERT INTO bench_sentences SELECT n - 1, s"
                " FROM unnest(%s::text[]) WITH ORDINALITY AS u(s, n)",
                (sentences(),),
            )
            for statement in _statements(_POOLS if have == 0 else "") + _statements(_PORTFOLIOS):
                conn.execute(statement.encode(), params)
            for table in _IDENTITY_TABLES:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
        conn.execute("VACUUM ANALYZE")
