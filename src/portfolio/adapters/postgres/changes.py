"""The change numbers in Postgres, one per topic, moved by triggers (migration 0010)."""

from __future__ import annotations

from portfolio.adapters.postgres.pool import BoundedPool, connection
from portfolio.application.ports import ChangeState

# With the soonest scheduled moment: an answer may change then with no write at all.
CHANGE_NUMBERS_SQL = (
    "SELECT topic, version, (SELECT min(moment) FROM scheduled_moments) FROM change_numbers"
)


class PostgresChangeNumbers:
    """ChangeNumbers over Postgres: one small table, read whole."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def current(self) -> ChangeState | None:
        """The numbers the last committed writes left; None while the table is empty."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(CHANGE_NUMBERS_SQL, prepare=True)
            rows = await cursor.fetchall()
        if not rows:
            return None
        return ChangeState({topic: int(version) for topic, version, _ in rows}, rows[0][2])
