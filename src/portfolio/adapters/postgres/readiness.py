"""Readiness of the Postgres-backed service."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.postgres.pool import Connection, database_answers


class PostgresReadiness:
    """ReadinessProbe: ready while a trivial query gets through."""

    def __init__(self, pool: AsyncConnectionPool[Connection]) -> None:
        self._pool = pool

    async def ready(self) -> bool:
        """Whether the database answers now."""
        return await database_answers(self._pool)
