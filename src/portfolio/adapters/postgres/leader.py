"""Leadership over Postgres: one process at a time, across every worker and host, holds a
session advisory lock on a connection of its own; the same connection hears the outbox's
announcements, so the leader is woken at each commit that queues an event."""

from __future__ import annotations

import contextlib

import psycopg
from psycopg import AsyncConnection

from portfolio.adapters.postgres.pool import connect_failure
from portfolio.domain import ServiceUnavailable

# Any constant works; it only has to be the same for every process of the service.
_BACKGROUND_LOCK = 4_242_002
CHANNEL = "portfolio_outbox"


class PostgresLeadership:
    """Leadership: ``try_lead`` takes the lock when nobody holds it; ``wait`` sleeps until an
    event is queued or ``seconds`` pass; ``step_down`` lets another process lead."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._conn: AsyncConnection | None = None

    async def try_lead(self) -> bool:
        """Whether this process leads now (it keeps leading until it steps down or its
        connection breaks: the lock goes with the connection)."""
        if self._conn is not None and not self._conn.closed:
            return True
        try:
            conn = await AsyncConnection.connect(
                self._conninfo,
                autocommit=True,
                connect_timeout=3,
                application_name="portfolio-background",
            )
        except psycopg.Error as error:
            raise ServiceUnavailable(connect_failure(error)) from error
        try:
            row = await (
                await conn.execute("SELECT pg_try_advisory_lock(%s)", (_BACKGROUND_LOCK,))
            ).fetchone()
            if row is None or not row[0]:
                await conn.close()
                return False
            await conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as error:
            await conn.close()
            raise ServiceUnavailable(connect_failure(error)) from error
        self._conn = conn
        return True

    async def wait(self, seconds: float) -> None:
        """Until an event is queued (or announced meanwhile), or ``seconds`` pass."""
        conn = self._conn
        if conn is None:
            return
        try:
            async for _ in conn.notifies(timeout=seconds, stop_after=1):
                break
        except psycopg.Error as error:
            await self.step_down()
            raise ServiceUnavailable(connect_failure(error)) from error

    async def step_down(self) -> None:
        """Let another process lead: the lock goes with the connection."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                await conn.close()
