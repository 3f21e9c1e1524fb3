"""One process leads the background work at a time, across connections (workers, hosts); it
is woken when an event is queued; another takes over when it stops."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.postgres.journal import PostgresJournal
from portfolio.adapters.postgres.leader import PostgresLeadership
from portfolio.application.changes import UPDATE, Change

pytestmark = pytest.mark.postgres


async def test_one_leads_at_a_time_and_another_takes_over(clean_database: str) -> None:
    first, second = PostgresLeadership(clean_database), PostgresLeadership(clean_database)
    try:
        assert await first.try_lead()
        assert not await second.try_lead()
        assert await first.try_lead()  # still leading
        await first.step_down()
        assert await second.try_lead()
        assert not await first.try_lead()
    finally:
        await first.step_down()
        await second.step_down()


async def test_the_leader_is_woken_when_an_event_is_queued(
    clean_database: str, pool: AsyncConnectionPool[Any]
) -> None:
    leader = PostgresLeadership(clean_database)
    try:
        assert await leader.try_lead()
        waiting = asyncio.create_task(leader.wait(10))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await PostgresJournal(pool, ("edge",)).publish(Change(UPDATE, "portfolio", 1))
        await asyncio.wait_for(waiting, 5)
        assert time.monotonic() - started < 1
    finally:
        await leader.step_down()
