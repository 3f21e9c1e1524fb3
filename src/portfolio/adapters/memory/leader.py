"""Leadership in memory: one process, always the leader."""

from __future__ import annotations

import asyncio

# Nothing announces a queued event in memory: the leader looks this often.
_LOOK_EVERY = 0.05


class SoleLeadership:
    """Leadership of a process that is the only one: it always leads."""

    async def try_lead(self) -> bool:
        """Always."""
        return True

    async def wait(self, seconds: float) -> None:
        """A short while: nothing wakes it sooner."""
        await asyncio.sleep(min(seconds, _LOOK_EVERY))

    async def step_down(self) -> None:
        """Nothing to give up."""
