"""Scheduled moments in Postgres (migration 0012): kept by a trigger on portfolios, taken
with SKIP LOCKED as they pass."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from portfolio.adapters.postgres.pool import BoundedPool, connection
from portfolio.application.portfolios.publishing import DueMoment

_TAKE_DUE = """
DELETE FROM scheduled_moments s
USING (
    SELECT portfolio_id, kind FROM scheduled_moments
    WHERE moment <= now() ORDER BY moment LIMIT %s FOR UPDATE SKIP LOCKED
) due
WHERE s.portfolio_id = due.portfolio_id AND s.kind = due.kind
RETURNING s.portfolio_id, s.kind, s.moment
"""


class PostgresSchedule:
    """Schedule over Postgres."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def take_due(self, limit: int) -> Sequence[DueMoment]:
        """Passed moments, soonest first, deleted in the current unit of work."""
        async with connection(self._pool) as conn:
            rows = await (await conn.execute(_TAKE_DUE, (limit,))).fetchall()
        return sorted((DueMoment(*row) for row in rows), key=lambda due: due.moment)

    async def next_moment(self) -> datetime | None:
        """The soonest moment still on the schedule."""
        async with connection(self._pool) as conn:
            row = await (await conn.execute("SELECT min(moment) FROM scheduled_moments")).fetchone()
        return None if row is None else row[0]
