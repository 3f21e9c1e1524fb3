"""The catalogue's write side in Postgres; constraint violations become domain errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import msgspec
import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.pool import Connection, connection
from application import (
    EmployerFields,
    LinkFields,
    MetaFields,
    NewMedia,
    PortfolioFields,
    TagFields,
)
from domain import DuplicateValue, Employer, Link, Media, Meta, MissingReference, Portfolio, Tag

# Unique constraints (named by Postgres' defaults in migration 0001) -> (entity, field).
_UNIQUE_FIELDS = {
    "portfolios_title_key": ("portfolio", "title"),
    "portfolios_slug_key": ("portfolio", "slug"),
    "employers_name_key": ("employer", "name"),
    "tags_name_key": ("tag", "name"),
    "media_key_key": ("media", "key"),
    "thumbnails_key_key": ("thumbnail", "key"),
}

# Foreign keys -> the field a client wrote the id in.
_REFERENCE_FIELDS = {
    "employers_image_id_fkey": "image",
    "tags_image_id_fkey": "image",
    "links_image_id_fkey": "image",
    "meta_value_file_id_fkey": "value_file",
    "portfolios_image_id_fkey": "image",
    "portfolios_employer_id_fkey": "employer",
    "portfolio_tags_tag_id_fkey": "tags",
    "portfolio_links_link_id_fkey": "links",
    "portfolio_images_media_id_fkey": "images",
    "portfolio_meta_meta_id_fkey": "meta",
}


def _referenced_id(error: psycopg.Error) -> int:
    # Postgres spells the missing key as: Key (tag_id)=(999) is not present in table "tags".
    detail = error.diag.message_detail or ""
    digits = detail.split("=(", 1)[-1].split(")", 1)[0]
    return int(digits) if digits.isdigit() else 0


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    """Turn unique and foreign-key violations into DuplicateValue and MissingReference."""
    try:
        yield
    except pg_errors.UniqueViolation as error:
        entity, field = _UNIQUE_FIELDS.get(error.diag.constraint_name or "", ("object", "value"))
        raise DuplicateValue(entity, field) from error
    except pg_errors.ForeignKeyViolation as error:
        field = _REFERENCE_FIELDS.get(error.diag.constraint_name or "", "non_field_errors")
        raise MissingReference(field, _referenced_id(error)) from error


async def _one(conn: Connection, query: str, params: Sequence[Any]) -> Any:
    cursor = await conn.execute(query.encode(), params)
    row = await cursor.fetchone()
    if row is None:
        raise LookupError("the statement returned no row")
    return row[0]


async def _document(conn: Connection, view: str, object_id: int, kind: type[Any]) -> Any:
    raw = await _one(conn, f"SELECT doc::text FROM {view} WHERE id = %s", (object_id,))
    return msgspec.json.decode(raw, type=kind)


class PostgresCatalogue:
    """Catalogue over Postgres; each call is one transaction."""

    def __init__(self, pool: AsyncConnectionPool[Connection]) -> None:
        self._pool = pool

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Connection]:
        async with connection(self._pool) as conn, translated_errors(), conn.transaction():
            yield conn

    async def add_media(self, media: NewMedia) -> Media:
        """Insert a media row and its thumbnails."""
        async with self._transaction() as conn:
            media_id = await _one(
                conn,
                "INSERT INTO media (key, type, name, size, width, height, mode)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (media.key, media.type, media.name, media.size,
                 media.width, media.height, media.mode),
            )
            if media.thumbnails:
                await conn.execute(
                    "INSERT INTO thumbnails (media_id, size, key)"
                    " SELECT %s, s, k FROM unnest(%s::integer[], %s::text[]) AS u(s, k)",
                    (media_id,
                     [thumb.size for thumb in media.thumbnails],
                     [thumb.key for thumb in media.thumbnails]),
                )
            result: Media = await _document(conn, "media_documents", media_id, Media)
            return result

    async def add_employer(self, fields: EmployerFields) -> Employer:
        """Insert an employer."""
        async with self._transaction() as conn:
            new_id = await _one(
                conn,
                "INSERT INTO employers (name, description, image_id) VALUES (%s, %s, %s)"
                " RETURNING id",
                (fields.name, fields.description, fields.image_id),
            )
            result: Employer = await _document(conn, "employer_documents", new_id, Employer)
            return result

    async def add_tag(self, fields: TagFields) -> Tag:
        """Insert a tag."""
        async with self._transaction() as conn:
            new_id = await _one(
                conn,
                "INSERT INTO tags (name, image_id) VALUES (%s, %s) RETURNING id",
                (fields.name, fields.image_id),
            )
            result: Tag = await _document(conn, "tag_documents", new_id, Tag)
            return result

    async def add_link(self, fields: LinkFields) -> Link:
        """Insert a link."""
        async with self._transaction() as conn:
            new_id = await _one(
                conn,
                "INSERT INTO links (name, url, description, image_id) VALUES (%s, %s, %s, %s)"
                " RETURNING id",
                (fields.name, fields.url, fields.description, fields.image_id),
            )
            result: Link = await _document(conn, "link_documents", new_id, Link)
            return result

    async def add_meta(self, fields: MetaFields) -> Meta:
        """Insert a meta entry."""
        async with self._transaction() as conn:
            new_id = await _one(
                conn,
                "INSERT INTO meta (key, value_text, value_file_id) VALUES (%s, %s, %s)"
                " RETURNING id",
                (fields.key, fields.value_text, fields.value_file_id),
            )
            result: Meta = await _document(conn, "meta_documents", new_id, Meta)
            return result

    async def add_portfolio(self, fields: PortfolioFields) -> Portfolio:
        """Insert a portfolio and its ordered attachments."""
        async with self._transaction() as conn:
            new_id = await _one(
                conn,
                "INSERT INTO portfolios (title, slug, excerpt, display_order, image_id,"
                " employer_id, is_active, completed_at, description)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (fields.title, fields.slug, fields.excerpt, fields.order, fields.image_id,
                 fields.employer_id, fields.is_active, fields.completed_at, fields.description),
            )
            await replace_attachments(conn, new_id, fields)
            result: Portfolio = await _document(conn, "portfolio_documents", new_id, Portfolio)
            return result


_ATTACHMENTS = (
    ("portfolio_tags", "tag_id", "tag_ids"),
    ("portfolio_links", "link_id", "link_ids"),
    ("portfolio_images", "media_id", "image_ids"),
    ("portfolio_meta", "meta_id", "meta_ids"),
)


async def replace_attachments(conn: Connection, portfolio_id: int, fields: PortfolioFields) -> None:
    """Make the portfolio's join rows exactly the given ordered id lists."""
    for table, column, attribute in _ATTACHMENTS:
        await conn.execute(f"DELETE FROM {table} WHERE portfolio_id = %s".encode(), (portfolio_id,))
        ids = list(getattr(fields, attribute))
        if ids:
            await conn.execute(
                f"INSERT INTO {table} (portfolio_id, position, {column})"
                " SELECT %s, u.position, u.id"
                " FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(id, position)".encode(),
                (portfolio_id, ids),
            )
