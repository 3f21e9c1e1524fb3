"""The change numbers in Postgres, one per topic, moved by triggers (migration 0010)."""

from __future__ import annotations

from portfolio.adapters.postgres.pool import BoundedPool, connection
from portfolio.application.ports import ChangeState

CHANGE_NUMBERS_SQL = "SELECT topic, version FROM change_numbers"


class PostgresChangeNumbers:
    """ChangeNumbers over Postgres: one small table, read whole."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def current(self) -> ChangeState | None:
        """The numbers the last committed writes left; None while the table is empty."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(CHANGE_NUMBERS_SQL, prepare=True)
            rows = await cursor.fetchall()
        return ChangeState({topic: int(version) for topic, version in rows}) if rows else None
