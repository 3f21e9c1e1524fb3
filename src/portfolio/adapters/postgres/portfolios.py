"""Portfolios in Postgres: read in one statement per portfolio or per page, decoded into
domain entities; written in one transaction each, constraint violations as domain errors."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec

from portfolio.adapters.postgres.pages import fetch_slice, search_conditions
from portfolio.adapters.postgres.pool import BoundedPool, Connection, connection
from portfolio.adapters.postgres.statements import TOUCH, assignments, document, one, transaction
from portfolio.application.fields import PortfolioFields
from portfolio.application.listing import PortfolioFilter, Slice, SortField, Window
from portfolio.application.portfolios.records import Editor, Position, Trashed
from portfolio.domain import Portfolio, Publication

# portfolio_documents (migration 0001) builds the whole nested document in SQL; a trashed
# portfolio (migration 0050) is read by nothing but the trash.
KEPT = "t.deleted_at IS NULL"
GET_PORTFOLIO_SQL = (
    "SELECT d.doc::text FROM portfolios t JOIN portfolio_documents d ON d.id = t.id"
    f" WHERE t.id = %s AND {KEPT}"
)
_SLUGS_IN_USE = (
    "SELECT slug FROM portfolios t WHERE (slug = %s OR slug LIKE %s)"
    f" AND id IS DISTINCT FROM %s AND {KEPT}"
)
_TRASH = (
    "UPDATE portfolios SET deleted_at = now(), deleted_by_id = %s, deleted_by_username = %s"
    " WHERE id = %s AND deleted_at IS NULL"
)
_RESTORE = (
    "UPDATE portfolios SET deleted_at = NULL, deleted_by_id = NULL, deleted_by_username = NULL,"
    f" {TOUCH} WHERE id = %s AND deleted_at IS NOT NULL RETURNING id"
)
_PURGE = "DELETE FROM portfolios WHERE id = %s AND deleted_at IS NOT NULL"
# Oldest first from the trash's index; rows another purge holds are left to it.
# The batch is chosen once, in a materialized CTE: a subquery under IN may be run again by
# the plan, and each run skips the rows this statement already deleted, so its LIMIT would
# not bound the batch (a fresh-clone run once purged three with a limit of two).
_PURGE_BEFORE = (
    "WITH doomed AS MATERIALIZED (SELECT id FROM portfolios"
    " WHERE deleted_at < %s ORDER BY deleted_at, id LIMIT %s FOR UPDATE SKIP LOCKED)"
    " DELETE FROM portfolios WHERE id IN (SELECT id FROM doomed) RETURNING id"
)
_decode_trashed = msgspec.json.Decoder(list[Trashed])
# The display order's lock: moves take it for their whole transaction (beside the
# migrations' 4_242_001 and the background leader's 4_242_002).
_ORDER_LOCK = 4_242_003
_POSITION = f"SELECT display_order, id FROM portfolios t WHERE id = %s AND {KEPT}"
# The neighbour, read from the display order's index (walked backwards for the one before).
_BEFORE = (
    f"SELECT display_order, id FROM portfolios t WHERE {KEPT} AND id <> %s"
    " AND (display_order, id) < (%s, %s) ORDER BY display_order DESC, id DESC LIMIT 1"
)
_AFTER = (
    f"SELECT display_order, id FROM portfolios t WHERE {KEPT} AND id <> %s"
    " AND (display_order, id) > (%s, %s) ORDER BY display_order, id LIMIT 1"
)
# Spaced as asked, or closer should that many portfolios not fit an integer so spaced.
_RENUMBER = f"""
UPDATE portfolios p SET display_order = r.n * least(%(spacing)s, 2147483647 / (r.total + 1))
FROM (SELECT id, row_number() OVER (ORDER BY display_order, id) AS n, count(*) OVER () AS total
      FROM portfolios t WHERE {KEPT}) r
WHERE p.id = r.id AND p.display_order <> r.n * least(%(spacing)s, 2147483647 / (r.total + 1))
RETURNING p.id
"""

_decode_portfolio = msgspec.json.Decoder(Portfolio).decode
_decode_portfolios = msgspec.json.Decoder(list[Portfolio])

_SORT_COLUMNS = {
    SortField.ORDER: "t.display_order",
    SortField.CREATED_AT: "t.created_at",
    SortField.UPDATED_AT: "t.updated_at",
    SortField.COMPLETED_AT: "t.completed_at",
    # Case-insensitive, and by code point whatever the database's collation, so the
    # order is the same on every server (and in the in-memory adapter).
    SortField.TITLE: 'lower(t.title) COLLATE "C"',
}
# The expression of the portfolios_search index (migration 0004): a search term holds no
# white space, so it is in this text exactly when it is in one of the three fields.
_SEARCHED = "lower(t.title || E'\\n' || t.excerpt || E'\\n' || coalesce(t.description, ''))"


# PortfolioFields id lists -> (join table, id column).
ATTACHMENTS = {
    "tag_ids": ("portfolio_tags", "tag_id"),
    "link_ids": ("portfolio_links", "link_id"),
    "image_ids": ("portfolio_images", "media_id"),
    "meta_ids": ("portfolio_meta", "meta_id"),
}

# PortfolioFields attributes stored in the portfolios row -> their columns: each under its own
# name but ``order``, a reserved word in SQL.
_PORTFOLIO_COLUMNS = {
    field.name: "display_order" if field.name == "order" else field.name
    for field in dataclasses.fields(PortfolioFields)
    if field.name not in ATTACHMENTS
}
_INSERT = "INSERT INTO portfolios ({}) VALUES ({}) RETURNING id".format(
    ", ".join(_PORTFOLIO_COLUMNS.values()), ", ".join(["%s"] * len(_PORTFOLIO_COLUMNS))
)

# Where a portfolio stands now, as conditions on its row (domain: publication()).
_PASSED = "(t.publish_at IS NULL OR t.publish_at <= now())"
PUBLICATION_CONDITIONS = {
    Publication.LIVE: f"t.is_active AND {_PASSED}"
    " AND (t.unpublish_at IS NULL OR t.unpublish_at > now())",
    Publication.SCHEDULED: "t.is_active AND t.publish_at > now()",
    Publication.EXPIRED: f"t.is_active AND {_PASSED} AND t.unpublish_at <= now()",
    Publication.INACTIVE: "NOT t.is_active",
}


class PostgresPortfolios:
    """Portfolios over Postgres; each write is one transaction."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def get(self, portfolio_id: int) -> Portfolio | None:
        """The whole portfolio in one round trip, or None."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(GET_PORTFOLIO_SQL, (portfolio_id,), prepare=True)
            row = await cursor.fetchone()
        return None if row is None else _decode_portfolio(row[0])

    async def find(self, criteria: PortfolioFilter, window: Window) -> Slice[Portfolio]:
        """A page of whole portfolios in one round trip, whatever its size."""
        where, params = search_conditions(criteria.search, _SEARCHED)
        where.append(KEPT)
        filters: list[tuple[str, object]] = [
            ("t.is_active = %s", criteria.is_active),
            ("t.employer_id = %s", criteria.employer_id),
            ("t.slug = %s", criteria.slug),
            (
                "EXISTS (SELECT 1 FROM portfolio_tags j"
                " WHERE j.portfolio_id = t.id AND j.tag_id = %s)",
                criteria.tag_id,
            ),
        ]
        for condition, value in filters:
            if value is not None:
                where.append(condition)
                params.append(value)
        if criteria.publication is not None:
            where.append(PUBLICATION_CONDITIONS[criteria.publication])
        order_by = ", ".join(
            _SORT_COLUMNS[key.field] + (" DESC" if key.descending else "")
            for key in criteria.ordering
        )
        async with connection(self._pool) as conn:
            return await fetch_slice(
                conn,
                table="portfolios",
                where=where,
                params=params,
                order_by=f"{order_by}, t.id",
                document="portfolio_document",
                window=window,
                decoder=_decode_portfolios,
                searched=bool(criteria.search),
            )

    async def slugs_in_use(self, base: str, excluding: int | None) -> set[str]:
        """Slugs equal to ``base`` or ``base-...``, except portfolio ``excluding``'s."""
        # Made slugs hold only [a-z0-9-], so the LIKE pattern has no wildcard to escape.
        async with connection(self._pool) as conn:
            cursor = await conn.execute(_SLUGS_IN_USE, (base, f"{base}-%", excluding))
            return {row[0] for row in await cursor.fetchall()}

    async def add(self, fields: PortfolioFields) -> Portfolio:
        """Insert a portfolio and its ordered attachments."""
        async with transaction(self._pool) as conn:
            new_id = await one(
                conn,
                _INSERT,
                tuple(getattr(fields, attribute) for attribute in _PORTFOLIO_COLUMNS),
            )
            await replace_attachments(
                conn, new_id, {attribute: getattr(fields, attribute) for attribute in ATTACHMENTS}
            )
            result: Portfolio = await document(conn, "portfolio_documents", new_id, Portfolio)
            return result

    async def update(self, portfolio_id: int, changes: Mapping[str, Any]) -> Portfolio | None:
        """Update the row's changed columns and replace the changed attachment lists."""
        row = {name: value for name, value in changes.items() if name not in ATTACHMENTS}
        lists = {name: value for name, value in changes.items() if name in ATTACHMENTS}
        async with transaction(self._pool) as conn:
            cursor = await conn.execute(
                f"UPDATE portfolios SET {assignments(list(row), _PORTFOLIO_COLUMNS)}{TOUCH}"
                " WHERE id = %s AND deleted_at IS NULL RETURNING id".encode(),
                [*row.values(), portfolio_id],
            )
            if await cursor.fetchone() is None:
                return None
            await replace_attachments(conn, portfolio_id, lists)
            result: Portfolio = await document(conn, "portfolio_documents", portfolio_id, Portfolio)
            return result

    async def lock_order(self) -> None:
        """A transaction-level advisory lock: released at commit or rollback."""
        async with connection(self._pool) as conn:
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_ORDER_LOCK,))

    async def position(self, portfolio_id: int) -> Position | None:
        """The row's order and id."""
        return await self._position(_POSITION, (portfolio_id,))

    async def beside(self, position: Position, *, after: bool, excluding: int) -> Position | None:
        """The neighbour, from the index."""
        query = _AFTER if after else _BEFORE
        return await self._position(query, (excluding, position.order, position.id))

    async def renumber(self, spacing: int) -> Sequence[int]:
        """Every row out of the trash whose order changes, in one statement."""
        async with transaction(self._pool) as conn:
            cursor = await conn.execute(_RENUMBER.encode(), {"spacing": spacing})
            return [row[0] for row in await cursor.fetchall()]

    async def _position(self, query: str, params: tuple[int, ...]) -> Position | None:
        async with connection(self._pool) as conn:
            cursor = await conn.execute(query.encode(), params)
            row = await cursor.fetchone()
        return None if row is None else Position(row[0], row[1])

    async def trash(self, portfolio_id: int, by: Editor | None) -> bool:
        """Mark the row trashed; it stays, with its references."""
        editor = (None, None) if by is None else (by.id, by.username)
        async with transaction(self._pool) as conn:
            cursor = await conn.execute(_TRASH, (*editor, portfolio_id))
            return cursor.rowcount > 0

    async def restore(self, portfolio_id: int) -> Portfolio | None:
        """Unmark the row; the partial unique indexes refuse a title or slug taken meanwhile."""
        async with transaction(self._pool) as conn:
            cursor = await conn.execute(_RESTORE, (portfolio_id,))
            if await cursor.fetchone() is None:
                return None
            result: Portfolio = await document(conn, "portfolio_documents", portfolio_id, Portfolio)
            return result

    async def trashed(self, window: Window) -> Slice[Trashed]:
        """A page of the trash, from its own index."""
        async with connection(self._pool) as conn:
            return await fetch_slice(
                conn,
                table="portfolios",
                where=["t.deleted_at IS NOT NULL"],
                params=[],
                order_by="t.deleted_at DESC, t.id",
                document="trashed_portfolio_document",
                window=window,
                decoder=_decode_trashed,
            )

    async def purge(self, portfolio_id: int) -> bool:
        """Delete the trashed row; its join rows go with it (ON DELETE CASCADE)."""
        async with transaction(self._pool) as conn:
            cursor = await conn.execute(_PURGE, (portfolio_id,))
            return cursor.rowcount > 0

    async def purge_trashed_before(self, moment: datetime, limit: int) -> Sequence[int]:
        """Delete the oldest trashed rows in one statement."""
        async with transaction(self._pool) as conn:
            cursor = await conn.execute(_PURGE_BEFORE, (moment, limit))
            return [row[0] for row in await cursor.fetchall()]


async def replace_attachments(
    conn: Connection, portfolio_id: int, lists: Mapping[str, Sequence[int]]
) -> None:
    """Make each given join list (``tag_ids``, ``link_ids``, ...) exactly the ordered ids."""
    for attribute, ids in lists.items():
        table, column = ATTACHMENTS[attribute]
        await conn.execute(f"DELETE FROM {table} WHERE portfolio_id = %s".encode(), (portfolio_id,))
        if ids:
            await conn.execute(
                f"INSERT INTO {table} (portfolio_id, position, {column})"
                " SELECT %s, u.position, u.id"
                " FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(id, position)".encode(),
                (portfolio_id, list(ids)),
            )
