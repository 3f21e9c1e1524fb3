"""The catalogue's write side in Postgres; constraint violations become domain errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from portfolio.adapters.postgres.pool import BoundedPool, Connection
from portfolio.adapters.postgres.shared_objects import (
    EMPLOYERS,
    LINKS,
    META,
    TAGS,
    PostgresSharedObjects,
)
from portfolio.adapters.postgres.statements import (
    TOUCH,
    assignments,
    document,
    one,
    transaction,
)
from portfolio.application import (
    EmployerFields,
    LinkFields,
    MetaFields,
    NewMedia,
    PortfolioFields,
    TagFields,
)
from portfolio.domain import Employer, Link, Media, Meta, Portfolio, Tag

# PortfolioFields attributes stored in the portfolios row -> their columns.
_PORTFOLIO_COLUMNS = {
    "title": "title",
    "slug": "slug",
    "excerpt": "excerpt",
    "order": "display_order",
    "image_id": "image_id",
    "employer_id": "employer_id",
    "is_active": "is_active",
    "completed_at": "completed_at",
    "description": "description",
}

# PortfolioFields id lists -> (join table, id column).
_ATTACHMENTS = {
    "tag_ids": ("portfolio_tags", "tag_id"),
    "link_ids": ("portfolio_links", "link_id"),
    "image_ids": ("portfolio_images", "media_id"),
    "meta_ids": ("portfolio_meta", "meta_id"),
}


class PostgresCatalogue:
    """Catalogue over Postgres; each call is one transaction."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool
        self._employers = PostgresSharedObjects[EmployerFields, Employer](pool, EMPLOYERS)
        self._tags = PostgresSharedObjects[TagFields, Tag](pool, TAGS)
        self._links = PostgresSharedObjects[LinkFields, Link](pool, LINKS)
        self._meta = PostgresSharedObjects[MetaFields, Meta](pool, META)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Connection]:
        async with transaction(self._pool) as conn:
            yield conn

    async def add_media(self, media: NewMedia) -> Media:
        """Insert a media row and its thumbnails."""
        async with self._transaction() as conn:
            media_id = await one(
                conn,
                "INSERT INTO media (key, type, name, size, width, height, mode)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (
                    media.key,
                    media.type,
                    media.name,
                    media.size,
                    media.width,
                    media.height,
                    media.mode,
                ),
            )
            if media.thumbnails:
                await conn.execute(
                    "INSERT INTO thumbnails (media_id, size, key)"
                    " SELECT %s, s, k FROM unnest(%s::integer[], %s::text[]) AS u(s, k)",
                    (
                        media_id,
                        [thumb.size for thumb in media.thumbnails],
                        [thumb.key for thumb in media.thumbnails],
                    ),
                )
            result: Media = await document(conn, "media_documents", media_id, Media)
            return result

    async def add_employer(self, fields: EmployerFields) -> Employer:
        """Insert an employer."""
        return await self._employers.add(fields)

    async def add_tag(self, fields: TagFields) -> Tag:
        """Insert a tag."""
        return await self._tags.add(fields)

    async def add_link(self, fields: LinkFields) -> Link:
        """Insert a link."""
        return await self._links.add(fields)

    async def add_meta(self, fields: MetaFields) -> Meta:
        """Insert a meta entry."""
        return await self._meta.add(fields)

    async def add_portfolio(self, fields: PortfolioFields) -> Portfolio:
        """Insert a portfolio and its ordered attachments."""
        async with self._transaction() as conn:
            new_id = await one(
                conn,
                "INSERT INTO portfolios (title, slug, excerpt, display_order, image_id,"
                " employer_id, is_active, completed_at, description)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (
                    fields.title,
                    fields.slug,
                    fields.excerpt,
                    fields.order,
                    fields.image_id,
                    fields.employer_id,
                    fields.is_active,
                    fields.completed_at,
                    fields.description,
                ),
            )
            await replace_attachments(
                conn, new_id, {attribute: getattr(fields, attribute) for attribute in _ATTACHMENTS}
            )
            result: Portfolio = await document(conn, "portfolio_documents", new_id, Portfolio)
            return result

    async def update_portfolio(
        self, portfolio_id: int, changes: Mapping[str, Any]
    ) -> Portfolio | None:
        """Update the row's changed columns and replace the changed attachment lists."""
        row = {name: value for name, value in changes.items() if name not in _ATTACHMENTS}
        lists = {name: value for name, value in changes.items() if name in _ATTACHMENTS}
        async with self._transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE portfolios SET {assignments(list(row), _PORTFOLIO_COLUMNS)}{TOUCH}"
                " WHERE id = %s RETURNING id".encode(),
                [*row.values(), portfolio_id],
            )
            if await cursor.fetchone() is None:
                return None
            await replace_attachments(conn, portfolio_id, lists)
            result: Portfolio = await document(conn, "portfolio_documents", portfolio_id, Portfolio)
            return result

    async def delete_portfolio(self, portfolio_id: int) -> bool:
        """Delete the row; its join rows go with it (ON DELETE CASCADE), shared objects stay."""
        async with self._transaction() as conn:
            cursor = await conn.execute("DELETE FROM portfolios WHERE id = %s", (portfolio_id,))
            return cursor.rowcount > 0


async def replace_attachments(
    conn: Connection, portfolio_id: int, lists: Mapping[str, Sequence[int]]
) -> None:
    """Make each given join list (``tag_ids``, ``link_ids``, ...) exactly the ordered ids."""
    for attribute, ids in lists.items():
        table, column = _ATTACHMENTS[attribute]
        await conn.execute(f"DELETE FROM {table} WHERE portfolio_id = %s".encode(), (portfolio_id,))
        if ids:
            await conn.execute(
                f"INSERT INTO {table} (portfolio_id, position, {column})"
                " SELECT %s, u.position, u.id"
                " FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(id, position)".encode(),
                (portfolio_id, list(ids)),
            )
