"""Scheduled publishing: the moments portfolios go live or are withdrawn, fired as they pass.

A portfolio's moments (``publish_at``, ``unpublish_at``) still to come wait in the schedule,
kept by the store whatever writes the portfolio. Once one has passed, the leader of the
background work takes it (once, across every process) and, when the portfolio's standing on
the website changed with it, publishes ``portfolio.published`` or ``portfolio.unpublished`` to
the change feed, in the same unit of work: an edge cache purges it and webhooks announce it,
with no write at all. Moments that passed while everything was down fire at the next start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from portfolio.application.changes import PORTFOLIO, PUBLISH, UNPUBLISH, Change, Journal
from portfolio.application.ports import Clock, Portfolios, Transactions
from portfolio.domain import Publication

PUBLISH_MOMENT, UNPUBLISH_MOMENT = "publish", "unpublish"
FIRED_AT_ONCE = 100
"""How many passed moments one turn fires; more wait for the next, a moment later."""


@dataclass(frozen=True, slots=True)
class DueMoment:
    """A moment that has passed: a portfolio's publication or withdrawal."""

    portfolio_id: int
    kind: str
    moment: datetime


class Schedule(Protocol):
    """The moments still to come of every portfolio."""

    async def take_due(self, limit: int) -> Sequence[DueMoment]:
        """Up to ``limit`` moments that have passed, soonest first, none another process
        holds, taken off the schedule in the current unit of work."""
        ...

    async def next_moment(self) -> datetime | None:
        """The soonest moment on the schedule (None: none)."""
        ...


class FireScheduledMoments:
    """Background work: fire the moments that have passed."""

    name = "scheduled publishing"

    def __init__(
        self,
        schedule: Schedule,
        portfolios: Portfolios,
        journal: Journal,
        transactions: Transactions,
        clock: Clock,
    ) -> None:
        self._schedule = schedule
        self._portfolios = portfolios
        self._journal = journal
        self._transactions = transactions
        self._clock = clock

    async def run(self) -> float | None:
        """Fire what has passed; the seconds until the next moment."""
        async with self._transactions.transaction():
            for due in await self._schedule.take_due(FIRED_AT_ONCE):
                await self._fire(due)
        following = await self._schedule.next_moment()
        if following is None:
            return None
        return max(0.0, (following - self._clock()).total_seconds())

    async def _fire(self, due: DueMoment) -> None:
        portfolio = await self._portfolios.get(due.portfolio_id)
        if portfolio is None:
            return
        # Only a change in what the website shows is announced: an inactive portfolio whose
        # moment passes stays hidden.
        tick = timedelta(microseconds=1)
        before = portfolio.publication(due.moment - tick)
        after = portfolio.publication(due.moment)
        if before is not Publication.LIVE and after is Publication.LIVE:
            await self._journal.publish(Change(PUBLISH, PORTFOLIO, portfolio.id))
        elif before is Publication.LIVE and after is not Publication.LIVE:
            await self._journal.publish(Change(UNPUBLISH, PORTFOLIO, portfolio.id))
