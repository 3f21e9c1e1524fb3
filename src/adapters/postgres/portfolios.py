"""Portfolios read from Postgres: one statement per portfolio, decoded into domain entities."""

from __future__ import annotations

import msgspec
from psycopg_pool import AsyncConnectionPool

from adapters.postgres.pool import Connection, connection
from domain import Portfolio

# portfolio_documents (migration 0001) builds the whole nested document in SQL.
GET_PORTFOLIO_SQL = "SELECT doc::text FROM portfolio_documents WHERE id = %s"

_decode_portfolio = msgspec.json.Decoder(Portfolio).decode


class PostgresPortfolioQueries:
    """PortfolioQueries over Postgres."""

    def __init__(self, pool: AsyncConnectionPool[Connection]) -> None:
        self._pool = pool

    async def get(self, portfolio_id: int) -> Portfolio | None:
        """The whole portfolio in one round trip, or None."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(GET_PORTFOLIO_SQL, (portfolio_id,), prepare=True)
            row = await cursor.fetchone()
        return None if row is None else _decode_portfolio(row[0])
