"""Failure counters behave the same in memory, in Postgres and in Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from portfolio.adapters.memory.throttling import InMemoryFailureCounter
from portfolio.adapters.postgres.throttling import PostgresFailureCounter
from portfolio.adapters.redis.throttling import RedisFailureCounter
from portfolio.application.ports import FailureCounter


@pytest.fixture(
    params=[
        "memory",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("redis", marks=pytest.mark.redis),
    ]
)
def counter(request: pytest.FixtureRequest) -> FailureCounter:
    """An empty counter of each kind."""
    if request.param == "memory":
        return InMemoryFailureCounter()
    if request.param == "postgres":
        return PostgresFailureCounter(request.getfixturevalue("pool"))
    return RedisFailureCounter(
        request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    )


@pytest.fixture(autouse=True)
async def _closed(counter: FailureCounter) -> AsyncIterator[None]:
    """The Redis client closed in the test's own event loop."""
    yield
    if isinstance(counter, RedisFailureCounter):
        await counter.close()


async def test_a_key_is_blocked_once_it_reaches_the_limit_and_others_are_not(
    counter: FailureCounter,
) -> None:
    for _ in range(2):
        await counter.add(["a"], 60)
    assert await counter.blocked_for(["a"], 3) == 0
    await counter.add(["a", "b"], 60)
    wait = await counter.blocked_for(["a"], 3)
    assert 55 <= wait <= 60
    assert await counter.blocked_for(["b"], 3) == 0
    assert await counter.blocked_for(["b", "a"], 3) == wait
    assert await counter.blocked_for(["c"], 1) == 0


async def test_the_window_starts_at_the_first_failure_and_ends_with_it(
    counter: FailureCounter,
) -> None:
    await counter.add(["k"], 1)
    await counter.add(["k"], 60)  # a later failure does not stretch the window
    assert await counter.blocked_for(["k"], 2) == 1
    await asyncio.sleep(1.2)
    assert await counter.blocked_for(["k"], 2) == 0
    await counter.add(["k"], 60)
    assert await counter.blocked_for(["k"], 2) == 0
    await counter.add(["k"], 60)
    assert await counter.blocked_for(["k"], 2) > 1


async def test_failures_counted_at_once_are_all_counted(counter: FailureCounter) -> None:
    await asyncio.gather(*(counter.add(["busy"], 60) for _ in range(20)))
    assert await counter.blocked_for(["busy"], 20) > 0
    assert await counter.blocked_for(["busy"], 21) == 0


async def test_clearing_a_prefix_forgets_exactly_the_keys_that_start_with_it(
    counter: FailureCounter,
) -> None:
    keys = ["user:a", "user:a:10.0.0.1", "user:a:[::1]", "user:ab", "user:b", "x:user:a", "user_a"]
    await counter.add(keys, 60)
    await counter.clear("user:a")
    await counter.clear("nobody")  # nothing to forget is no error
    assert [key for key in keys if await counter.blocked_for([key], 1)] == [
        "user:b",
        "x:user:a",
        "user_a",
    ]
    await counter.add(["user:a:10.0.0.1"], 60)  # counted afresh after
    assert await counter.blocked_for(["user:a:10.0.0.1"], 2) == 0
    assert await counter.blocked_for(["user:a:10.0.0.1"], 1) > 0


async def test_a_prefix_is_text_never_a_pattern(counter: FailureCounter) -> None:
    keys = ["x*", "x?", "x[1]", "x%", "x_", "x\\", "xy", "x1"]
    await counter.add(keys, 60)
    for prefix in ("x*", "x?", "x[1]", "x%", "x_", "x\\"):
        await counter.clear(prefix)
    assert [key for key in keys if await counter.blocked_for([key], 1)] == ["xy", "x1"]
