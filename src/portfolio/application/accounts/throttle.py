"""Throttling of failures: too many in a window and a key must wait for the window to end."""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.application.ports import FailureCounter
from portfolio.domain import Throttled


@dataclass(frozen=True, slots=True)
class ThrottleRule:
    """At most ``limit`` failures per key in ``window_seconds``."""

    limit: int
    window_seconds: int


class Throttle:
    """Refuse keys over their limit; count failures. Successes are never counted, so nobody
    is slowed by a key they do not share."""

    def __init__(self, counter: FailureCounter, rule: ThrottleRule) -> None:
        self._counter = counter
        self._rule = rule

    async def check(self, *keys: str) -> None:
        """Throttled (with the wait) when any key is over the limit."""
        wait = await self._counter.blocked_for(keys, self._rule.limit)
        if wait > 0:
            raise Throttled(wait)

    async def failed(self, *keys: str) -> None:
        """Count one failure for each key."""
        await self._counter.add(keys, self._rule.window_seconds)
