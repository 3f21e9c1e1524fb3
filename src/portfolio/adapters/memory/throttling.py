"""Failure counters in one process's memory: for tests and single-process embedding."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence


class InMemoryFailureCounter:
    """FailureCounter in memory, on a monotonic clock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[int, float]] = {}

    async def add(self, keys: Sequence[str], window_seconds: int) -> None:
        """Count one failure for each key; a window starts at its key's first failure."""
        now = self._clock()
        for key in keys:
            failures, ends = self._windows.get(key, (0, now))
            if ends <= now:
                failures, ends = 0, now + window_seconds
            self._windows[key] = (failures + 1, ends)
        self._windows = {key: value for key, value in self._windows.items() if value[1] > now}

    async def blocked_for(self, keys: Sequence[str], limit: int) -> int:
        """Seconds until the last blocked key's window ends; 0 when none is blocked."""
        now = self._clock()
        waits = [
            ends - now
            for key in keys
            if (window := self._windows.get(key)) is not None
            for failures, ends in (window,)
            if failures >= limit and ends > now
        ]
        return math.ceil(max(waits)) if waits else 0

    async def clear(self, prefix: str) -> None:
        """Forget every key that starts with ``prefix``."""
        self._windows = {
            key: value for key, value in self._windows.items() if not key.startswith(prefix)
        }
