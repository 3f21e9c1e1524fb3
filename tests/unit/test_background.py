"""The background runner: the leader runs every work each turn, sleeps no longer than the
soonest work asks, and a work that fails does not stop the others."""

from __future__ import annotations

import asyncio

from portfolio.adapters.memory.leader import SoleLeadership
from portfolio.entrypoints.background import POLL_SECONDS, _turn, running


class Counting:
    """A work that counts its runs and says when it is next due."""

    def __init__(self, name: str, due: float | None = None, fails: bool = False) -> None:
        self.name, self.due, self.fails, self.runs = name, due, fails, 0

    async def run(self) -> float | None:
        self.runs += 1
        if self.fails:
            raise RuntimeError("broken")
        return self.due


async def test_a_turn_runs_every_work_and_waits_for_the_soonest() -> None:
    works = [Counting("a", 0.3), Counting("b"), Counting("c", 5.0)]
    assert await _turn(works) == 0.3
    assert [work.runs for work in works] == [1, 1, 1]
    assert await _turn([Counting("idle")]) == POLL_SECONDS


async def test_a_failing_work_does_not_stop_the_others() -> None:
    broken, healthy = Counting("broken", fails=True), Counting("healthy", 0.01)
    async with running([broken, healthy], SoleLeadership()):
        await asyncio.sleep(0.3)
    assert broken.runs >= 2 and healthy.runs >= 2


class SwallowsOneCancel:
    """A work that turns a cancellation into an answer once (as a timeout or an outage met at
    the same moment can), and then runs on like any other."""

    name = "swallowing"

    def __init__(self) -> None:
        self.running = asyncio.Event()
        self.swallowed = False

    async def run(self) -> float | None:
        self.running.set()
        if self.swallowed:
            return 0.05
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            self.swallowed = True
            task = asyncio.current_task()
            assert task is not None
            task.uncancel()
        return 0.05


async def test_stopping_ends_the_work_even_when_a_cancellation_is_swallowed() -> None:
    work = SwallowsOneCancel()

    async def run_and_stop() -> None:
        async with running([work], SoleLeadership()):
            await work.running.wait()

    stopping = asyncio.create_task(run_and_stop())
    done, _ = await asyncio.wait({stopping}, timeout=5)
    assert done, "stopping hangs on a cancellation the work swallowed"
    stopping.result()
    assert work.swallowed
