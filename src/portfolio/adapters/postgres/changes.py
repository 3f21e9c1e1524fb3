"""The catalogue's change number in Postgres, moved by triggers (migration 0009)."""

from __future__ import annotations

from portfolio.adapters.postgres.pool import BoundedPool, connection

CATALOGUE_VERSION_SQL = "SELECT version FROM catalogue_changes"


class PostgresCatalogueChanges:
    """CatalogueChanges over Postgres: one row, one indexed read."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def version(self) -> int | None:
        """The number the last committed write left; None while the row is missing."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(CATALOGUE_VERSION_SQL, prepare=True)
            row = await cursor.fetchone()
        return None if row is None else int(row[0])
