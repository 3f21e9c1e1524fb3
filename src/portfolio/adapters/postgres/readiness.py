"""Readiness of the Postgres-backed service."""

from __future__ import annotations

from portfolio.adapters.postgres.pool import BoundedPool, database_answers


class PostgresReadiness:
    """ReadinessProbe: ready while a trivial query gets through."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def ready(self) -> bool:
        """Whether the database answers now."""
        return await database_answers(self._pool)
