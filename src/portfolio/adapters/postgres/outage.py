"""Knowing that the database is down, so requests fail at once while one probe waits for it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any, TypeVar

import psycopg
from psycopg import AsyncConnection

from portfolio.domain import ServiceUnavailable

logger = logging.getLogger("portfolio.database")
T = TypeVar("T")
UNAVAILABLE = "The database is not answering."


class OutageWatch:
    """Whether the database is known to be down, and the one probe that watches for its return.

    A use of the database that fails for want of the server (no connection in time, a broken
    connection, a deadline passed) reports it; from then on every use fails at once instead of
    queueing for the pool, while a single background task tries a fresh connection every
    ``interval`` seconds (each try cut off after ``timeout``). The first that answers ends the
    outage, after ``on_recovery`` (the pool's own check of its idle connections) has run.
    """

    def __init__(
        self,
        conninfo: str,
        connect_kwargs: dict[str, Any],
        interval: float,
        timeout: float,
        on_recovery: Callable[[], Awaitable[None]],
    ) -> None:
        self._conninfo = conninfo
        self._connect_kwargs = connect_kwargs
        self._interval = interval
        self._timeout = timeout
        self._on_recovery = on_recovery
        self._down_since: float | None = None
        self._probe: asyncio.Task[None] | None = None
        # Tasks waiting for a connection, and those of them woken by an outage.
        self._waiting: set[asyncio.Task[Any]] = set()
        self._woken: set[asyncio.Task[Any]] = set()

    @property
    def down(self) -> bool:
        """Whether the database is known to be unreachable right now."""
        return self._down_since is not None

    async def unless_down(self, wait: Callable[[], Awaitable[T]]) -> T:
        """``await wait()``, given up with ServiceUnavailable as soon as an outage is known.

        The waiting task is cancelled when the outage is reported, and the cancellation is
        taken back here: a timeout around the caller never sees it.
        """
        if self.down:
            raise ServiceUnavailable(UNAVAILABLE)
        task = asyncio.current_task()
        if task is None:  # not inside a task: nothing to wake
            return await wait()
        self._waiting.add(task)
        try:
            return await wait()
        except asyncio.CancelledError:
            if task not in self._woken:
                raise
            task.uncancel()
            raise ServiceUnavailable(UNAVAILABLE) from None
        finally:
            self._waiting.discard(task)
            self._woken.discard(task)

    def report_failure(self, reason: str) -> None:
        """The database failed a use: from now on it is down until the probe says otherwise."""
        if self._down_since is not None:
            return
        logger.warning("database unreachable (%s); failing fast until it answers", reason)
        self._down_since = time.monotonic()
        for waiting in self._waiting:
            self._woken.add(waiting)
            waiting.cancel()
        self._probe = asyncio.get_running_loop().create_task(self._watch(), name="database-probe")

    async def _watch(self) -> None:
        while True:
            if await self._answers():
                break
            await asyncio.sleep(self._interval)
        with suppress(Exception):  # the pool check failing does not undo the probe's answer
            async with asyncio.timeout(self._timeout * 2):
                await self._on_recovery()
        started = self._down_since or time.monotonic()
        logger.warning("database answers again after %.1fs", time.monotonic() - started)
        self._down_since = None

    async def _answers(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                probe = await AsyncConnection.connect(self._conninfo, **self._connect_kwargs)
                try:
                    await probe.execute("SELECT 1")
                finally:
                    await probe.close()
        except (psycopg.Error, OSError, TimeoutError):
            return False
        return True

    async def close(self) -> None:
        """Stop the probe, if one runs."""
        if self._probe is not None:
            self._probe.cancel()
            with suppress(asyncio.CancelledError):
                await self._probe
