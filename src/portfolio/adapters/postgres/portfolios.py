"""Portfolios read from Postgres: one statement per portfolio or per page, decoded into
domain entities."""

from __future__ import annotations

import msgspec

from portfolio.adapters.postgres.pages import fetch_slice, search_conditions
from portfolio.adapters.postgres.pool import BoundedPool, connection
from portfolio.application import PortfolioFilter, Slice, SortField, Window
from portfolio.domain import Portfolio

# portfolio_documents (migration 0001) builds the whole nested document in SQL.
GET_PORTFOLIO_SQL = "SELECT doc::text FROM portfolio_documents WHERE id = %s"
_SLUGS_IN_USE = (
    "SELECT slug FROM portfolios WHERE (slug = %s OR slug LIKE %s) AND id IS DISTINCT FROM %s"
)

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


class PostgresPortfolioQueries:
    """PortfolioQueries over Postgres."""

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
