"""The service's background work: delivering the change feed and firing scheduled moments.

``portfolio serve`` runs it in every worker, but only one process at a time works, across
every worker and host: the leader (``Leadership``). The others wait to take over should it
stop. The leader does each ``Work``'s due part, then sleeps until an event is queued (the
outbox announces itself at commit), until the soonest moment a work says is coming, or a
second at most. ``portfolio background`` runs the same apart from the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Protocol, runtime_checkable

from portfolio.domain import ServiceUnavailable

logger = logging.getLogger("portfolio.background")

POLL_SECONDS = 1.0
"""The longest the leader sleeps: what no announcement wakes it for (a retry falling due) is
never later than this."""
TAKE_OVER_SECONDS = 1.0
"""How often a process that does not lead asks whether it may."""
STOP_SECONDS = 1.0
"""How long a stop waits for the cancelled work before cancelling it again."""


class Work(Protocol):
    """Something the leader does again and again."""

    name: str

    async def run(self) -> float | None:
        """Do what is due now; the seconds until more falls due, when known."""
        ...


@runtime_checkable
class Stoppable(Protocol):
    """A work with tasks of its own under way, stopped with the background."""

    async def stop(self) -> None:
        """Cancel what is under way."""
        ...


class Leadership(Protocol):
    """Who may work: one process at a time."""

    async def try_lead(self) -> bool:
        """Whether this process leads now."""
        ...

    async def wait(self, seconds: float) -> None:
        """Sleep until work may be due (woken early by a queued event), ``seconds`` at most."""
        ...

    async def step_down(self) -> None:
        """Stop leading."""
        ...


async def work_forever(works: Sequence[Work], leadership: Leadership) -> None:
    """Lead when possible and do the works; follow otherwise. Never returns; a failure of
    one work is logged and that work is tried again at the next turn."""
    while True:
        try:
            if not await leadership.try_lead():
                await asyncio.sleep(TAKE_OVER_SECONDS)
                continue
            await leadership.wait(await _turn(works))
        except ServiceUnavailable as error:
            logger.warning("background work waits for the database: %s", error)
            await leadership.step_down()
            await asyncio.sleep(TAKE_OVER_SECONDS)


async def _turn(works: Sequence[Work]) -> float:
    """Run every work once; the seconds until the soonest more is due."""
    wait = POLL_SECONDS
    for work in works:
        try:
            due = await work.run()
        except ServiceUnavailable:
            raise
        except Exception:
            logger.exception("background work %s failed; it is tried again", work.name)
            continue
        if due is not None:
            wait = min(wait, max(0.0, due))
    return wait


@asynccontextmanager
async def running(works: Sequence[Work], leadership: Leadership) -> AsyncIterator[None]:
    """The works running in a task of their own for as long as this lasts (nothing to run:
    no task)."""
    if not works:
        yield
        return
    task = asyncio.create_task(work_forever(works, leadership), name="portfolio-background")
    try:
        yield
    finally:
        await _stopped(task)
        for work in works:
            if isinstance(work, Stoppable):
                await work.stop()
        await leadership.step_down()


async def _stopped(task: asyncio.Task[None]) -> None:
    """Cancel ``task`` and wait for it to end, cancelling it again each STOP_SECONDS: a
    cancellation that something on the way turned into another error (a timeout, an outage)
    must not keep the process from stopping."""
    task.cancel()
    while not task.done():
        await asyncio.wait({task}, timeout=STOP_SECONDS)
        if not task.done():
            logger.warning("background work still runs after being cancelled; cancelling again")
            task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        task.result()
