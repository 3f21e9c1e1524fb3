"""Change numbers in memory: one counter per topic, shared by the stores of that topic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import count

from portfolio.application.ports import ChangeState
from portfolio.application.revalidation import ACCOUNTS, AUDIT, CATALOGUE


class InMemoryChangeNumbers:
    """ChangeNumbers in memory: the stores call ``moved`` on every write of a topic; numbers
    come from one counter, so no topic ever gets a number twice."""

    def __init__(self) -> None:
        self._numbers = count(1)
        self._versions = {topic: next(self._numbers) for topic in (CATALOGUE, ACCOUNTS, AUDIT)}
        # The soonest scheduled moment, told by the database that keeps the moments.
        self.next_moment: Callable[[], datetime | None] = lambda: None

    def moved(self, topic: str) -> None:
        """Something of ``topic`` was written."""
        self._versions[topic] = next(self._numbers)

    async def current(self) -> ChangeState:
        """Every topic's number now."""
        return ChangeState(dict(self._versions), self.next_moment())
