"""The media library in Postgres: media documents (migrations 0001, 0002) decoded into domain
entities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from psycopg.sql import SQL, Identifier

from portfolio.adapters.postgres.pages import fetch_slice
from portfolio.adapters.postgres.pool import BoundedPool, Connection, connection
from portfolio.adapters.postgres.statements import one, transaction, translated_errors
from portfolio.application.fields import NewMedia, NewThumbnail
from portfolio.application.listing import Slice, Window
from portfolio.domain import InUse, Media, MediaNotFound, Referrer, Thumbnail

_INSERT = (
    "INSERT INTO media (key, type, name, size, width, height, mode, placeholder)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)
_OWNER_OF_THUMBNAIL = (
    "SELECT doc::text FROM media_documents"
    " WHERE id = (SELECT media_id FROM thumbnails WHERE key = %s)"
)
# The fields ``update`` may set; names are never taken from the caller into the SQL.
_UPDATABLE = ("alt", "placeholder")
_GET = "SELECT doc::text FROM media_documents WHERE id = %s"

_IMAGE_IDS = """
SELECT id FROM media WHERE width IS NOT NULL AND id > %s ORDER BY id LIMIT %s
"""

# Row lock first: a writer adding a reference takes a key-share lock on the same row, so no
# reference can appear between the check below and the delete.
_LOCK = "SELECT id FROM media WHERE id = %s FOR UPDATE"

# The first few referrers, each row also carrying how many there are in all.
_REFERENCES = """
SELECT entity, referrer_id, field, count(*) OVER () FROM (
SELECT 'portfolio' AS entity, id AS referrer_id, 'image' AS field
FROM portfolios WHERE image_id = %(id)s
UNION ALL SELECT 'portfolio', portfolio_id, 'images' FROM portfolio_images WHERE media_id = %(id)s
UNION ALL SELECT 'employer', id, 'image' FROM employers WHERE image_id = %(id)s
UNION ALL SELECT 'tag', id, 'image' FROM tags WHERE image_id = %(id)s
UNION ALL SELECT 'link', id, 'image' FROM links WHERE image_id = %(id)s
UNION ALL SELECT 'meta', id, 'value_file' FROM meta WHERE value_file_id = %(id)s
) AS referrers
ORDER BY 1, 2, 3
LIMIT %(shown)s
"""

# Both columns are UNIQUE, so each probe of the list is one index lookup.
_REFERENCED = """
SELECT k FROM unnest(%(keys)s::text[]) AS u(k)
WHERE EXISTS (SELECT 1 FROM media WHERE key = k) OR EXISTS (SELECT 1 FROM thumbnails WHERE key = k)
"""

_decode_media = msgspec.json.Decoder(Media).decode
_decode_media_list = msgspec.json.Decoder(list[Media])


class PostgresMediaRepository:
    """MediaRepository over Postgres; every call is one transaction."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def add(self, media: NewMedia) -> Media:
        """Insert a media row and its thumbnails."""
        row = (media.key, media.type, media.name, media.size)
        image = media.image
        image_row = (
            (None,) * 4
            if image is None
            else (image.width, image.height, image.mode, image.placeholder)
        )
        async with transaction(self._pool) as conn:
            media_id = await one(conn, _INSERT, (*row, *image_row))
            if image is not None:
                await _insert_thumbnails(conn, media_id, image.thumbnails)
            return await _require(conn, media_id)

    async def get(self, media_id: int) -> Media | None:
        """The media object and its thumbnails in one round trip, or None."""
        async with connection(self._pool) as conn:
            return await _get(conn, media_id)

    async def find(self, window: Window) -> Slice[Media]:
        """A page, newest first, with the total, in one statement."""
        async with connection(self._pool) as conn:
            return await fetch_slice(
                conn,
                table="media",
                where=(),
                params=(),
                order_by="t.id DESC",
                document="media_document",
                window=window,
                decoder=_decode_media_list,
            )

    async def image_ids(self, after_id: int, limit: int) -> tuple[int, ...]:
        """Ids of images above ``after_id``, ascending."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(_IMAGE_IDS, (after_id, limit))
            return tuple(row[0] for row in await cursor.fetchall())

    async def delete(self, media_id: int) -> Media:
        """Delete the row (thumbnails follow by cascade) unless something refers to it."""
        async with connection(self._pool) as conn, conn.transaction():
            media = await _locked(conn, media_id)
            cursor = await conn.execute(_REFERENCES, {"id": media_id, "shown": InUse.SHOWN})
            rows = await cursor.fetchall()
            if rows:
                referrers = [Referrer(kind, id_, field=field) for kind, id_, field, _ in rows]
                raise InUse("media", media_id, referrers, rows[0][3])
            await conn.execute("DELETE FROM media WHERE id = %s", (media_id,))
            return media

    async def replace_thumbnails(self, media_id: int, thumbnails: Sequence[NewThumbnail]) -> Media:
        """Swap the object's thumbnail rows for these in one transaction."""
        async with connection(self._pool) as conn, translated_errors(), conn.transaction():
            await _locked(conn, media_id)
            await conn.execute("DELETE FROM thumbnails WHERE media_id = %s", (media_id,))
            await _insert_thumbnails(conn, media_id, thumbnails)
            return await _require(conn, media_id)

    async def referenced_keys(self, keys: Sequence[str]) -> frozenset[str]:
        """Those of ``keys`` a media or thumbnail row names, in one statement."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(_REFERENCED, {"keys": list(keys)})
            return frozenset(row[0] for row in await cursor.fetchall())

    async def owner_of_thumbnail(self, key: str) -> tuple[Media, Thumbnail] | None:
        """The object with a thumbnail stored under ``key`` (one index lookup), and that one."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(_OWNER_OF_THUMBNAIL, (key,), prepare=True)
            row = await cursor.fetchone()
        if row is None:
            return None
        media = _decode_media(row[0])
        return media, next(thumbnail for thumbnail in media.thumbnails if thumbnail.key == key)

    async def update(self, media_id: int, changes: Mapping[str, Any]) -> Media | None:
        """Set ``alt`` or ``placeholder`` in one transaction."""
        names = [name for name in _UPDATABLE if name in changes]
        async with transaction(self._pool) as conn:
            if names:
                assignments = SQL(", ").join(
                    SQL("{} = %s").format(Identifier(name)) for name in names
                )
                await conn.execute(
                    SQL("UPDATE media SET {} WHERE id = %s").format(assignments),
                    [*(changes[name] for name in names), media_id],
                )
            return await _get(conn, media_id)


async def _insert_thumbnails(
    conn: Connection, media_id: int, thumbnails: Sequence[NewThumbnail]
) -> None:
    if thumbnails:
        await conn.execute(
            "INSERT INTO thumbnails (media_id, size, key)"
            " SELECT %s, s, k FROM unnest(%s::integer[], %s::text[]) AS u(s, k)",
            (
                media_id,
                [thumbnail.size for thumbnail in thumbnails],
                [thumbnail.key for thumbnail in thumbnails],
            ),
        )


async def _get(conn: Connection, media_id: int) -> Media | None:
    cursor = await conn.execute(_GET, (media_id,), prepare=True)
    row = await cursor.fetchone()
    return None if row is None else _decode_media(row[0])


async def _require(conn: Connection, media_id: int) -> Media:
    media = await _get(conn, media_id)
    if media is None:
        raise MediaNotFound
    return media


async def _locked(conn: Connection, media_id: int) -> Media:
    await conn.execute(_LOCK, (media_id,))
    return await _require(conn, media_id)
