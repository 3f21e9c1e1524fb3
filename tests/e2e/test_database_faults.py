"""Faults between the service and Postgres, injected with the TCP proxy: a partition (bytes
stop flowing, connections stay open), a dead server and a slow network. Every request is
answered within the bound, 503s come without asking the pool once the outage is known, and the
service recovers within a few probe tries of the database coming back."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from portfolio.adapters.postgres.pool import BoundedPool, PoolSettings, connection
from portfolio.application.fields import PortfolioFields
from portfolio.domain import ServiceUnavailable
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.e2e.tcp_proxy import CuttableProxy

pytestmark = pytest.mark.postgres

DEADLINE = 1.0
# What the bound may exceed the deadline by: the cancel grace and a loaded, shared machine.
SLACK = 0.6
# Once the database answers, the probe sees it within an interval and a try, and the pool's
# check of its idle connections takes two tries at most: 1.7 s. Doubled for a loaded machine;
# a probe that never ends the outage, or ends it seconds late, still fails this.
PROBING = PoolSettings()
RECOVERY = 2 * (PROBING.probe_interval + 3 * PROBING.probe_timeout)
# A 503 once the outage is known takes a few milliseconds; a fifth of the deadline leaves a
# loaded machine room and still catches a wait on the way.
FAIL_FAST = DEADLINE / 5


@dataclass
class Service:
    """The app through the proxy, an admin's headers and a portfolio's path."""

    client: SameLoopClient
    container: Container
    proxy: CuttableProxy
    headers: dict[str, str]
    path: str

    async def timed(self, path: str | None = None) -> tuple[int, float, Any]:
        """Status, seconds taken and the answer of one GET."""
        started = time.monotonic()
        response = await self.client.get(path or self.path, headers=self.headers)
        return response.status_code, time.monotonic() - started, response


@pytest.fixture
def proxy(clean_database: str) -> Iterator[CuttableProxy]:
    proxy = CuttableProxy(clean_database)
    proxy.restore()
    yield proxy
    proxy.cut()


@pytest.fixture
async def service(proxy: CuttableProxy, settings: Settings) -> AsyncIterator[Service]:
    container = Container(
        # The requests' own deadlines are under test: no background work shares the pool.
        settings=replace(
            settings,
            db_deadline=DEADLINE,
            db_acquire_timeout=DEADLINE,
            retry_after_seconds=3,
            background=False,
        ),
        database_url=proxy.url,
    )
    async with SameLoopClient(create_app(container)) as client:
        await container.administer_users().create("admin", is_admin=True)
        key = (await container.manage_tokens().issue("admin")).key
        added = await container.portfolios().add(PortfolioFields(title="T", slug="t"))
        service = Service(
            client,
            container,
            proxy,
            {"Authorization": f"Token {key}"},
            f"/api/portfolios/{added.id}",
        )
        assert (await service.timed())[0] == 200
        yield service


async def recovered_within(service: Service, restore: Callable[[], None]) -> float:
    """Seconds from ``restore()`` to the first 200, polling every 20 ms (for twice RECOVERY
    at most, so that a slow recovery is reported with its figure)."""
    restore()
    started = time.monotonic()
    while time.monotonic() - started < 2 * RECOVERY:
        if (await service.timed())[0] == 200:
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    return float("inf")


def assert_unavailable(status: int, response: Any) -> None:
    assert status == 503
    assert response.headers["retry-after"] == "3"
    assert set(response.json()) == {"detail"}


def connections_asked(service: Service) -> int:
    """How many times anything has asked the pool for a connection."""
    pool: BoundedPool = service.container.pool()
    return int(pool.get_stats().get("requests_num", 0))


async def fail_fast_then_recover(service: Service, restore: Callable[[], None]) -> None:
    """Once the outage is known: API requests and /ready answer 503 without asking the pool
    for a connection (so without waiting for one), /health 200; then recovery within RECOVERY
    of ``restore``.

    Failing fast is counted: a request that asks the pool waits up to its acquire timeout for
    a dead server. It is also timed, loosely (a loaded machine is slow, but a wait of its own on
    the way to the 503, a sleep or a retry, is slower still): none near the deadline, and the
    median well under it.
    """
    assert service.container.pool().outage.down
    asked = connections_asked(service)
    taken = []
    for _ in range(20):
        status, seconds, response = await service.timed()
        assert_unavailable(status, response)
        taken.append(seconds)
    assert max(taken) < DEADLINE
    assert statistics.median(taken) < FAIL_FAST
    status, _, response = await service.timed("/ready")
    assert_unavailable(status, response)
    assert connections_asked(service) == asked
    assert (await service.client.get("/health")).status_code == 200

    assert await recovered_within(service, restore) < RECOVERY
    assert (await service.timed("/ready"))[0] == 200


async def in_flight(service: Service, count: int) -> list[tuple[int, float, Any]]:
    return await asyncio.gather(*(service.timed() for _ in range(count)))


async def test_partition_answers_every_request_within_the_deadline(service: Service) -> None:
    service.proxy.partition()
    answers = await in_flight(service, 16)  # more than the pool holds: some wait for one
    for status, taken, response in answers:
        assert_unavailable(status, response)
        assert taken < DEADLINE + SLACK
    await fail_fast_then_recover(service, service.proxy.heal)


async def test_ready_answers_within_a_second_before_the_outage_is_known(
    service: Service,
) -> None:
    service.proxy.partition()
    status, taken, response = await service.timed("/ready")
    assert_unavailable(status, response)
    assert taken < 1.0
    # The probe's failure made the outage known: the API fails fast too, never asking the pool.
    assert service.container.pool().outage.down
    asked = connections_asked(service)
    status, _, response = await service.timed()
    assert_unavailable(status, response)
    assert connections_asked(service) == asked
    service.proxy.heal()


async def test_dead_server_fails_fast_and_recovers(service: Service) -> None:
    service.proxy.cut()
    status, taken, response = await service.timed()
    assert_unavailable(status, response)
    assert taken < DEADLINE + SLACK
    await fail_fast_then_recover(service, service.proxy.restore)


async def test_slow_network_within_the_deadline_is_served(service: Service) -> None:
    service.proxy.delay(0.05)
    answers = await in_flight(service, 4)
    assert [status for status, _, _ in answers] == [200] * 4
    assert all(response.json()["title"] == "T" for _, _, response in answers)


async def test_connections_cut_off_by_the_deadline_are_discarded(service: Service) -> None:
    pool: BoundedPool = service.container.pool()
    before = pool.get_stats().get("returns_bad", 0)
    service.proxy.delay(DEADLINE * 2)
    answers = await in_flight(service, 3)
    for status, taken, response in answers:
        assert_unavailable(status, response)
        assert taken < DEADLINE + SLACK
    assert pool.get_stats().get("returns_bad", 0) > before

    # Nothing cut off mid-statement is handed out again: every later answer is whole and right.
    assert await recovered_within(service, lambda: service.proxy.delay(0)) < RECOVERY
    for status, _, response in await in_flight(service, 10):
        assert status == 200
        assert response.json()["title"] == "T"


async def test_a_statement_the_server_cancels_is_a_503_without_an_outage(
    service: Service,
) -> None:
    # The server is up and answering: its own statement timeout is no reason to fail fast.
    pool: BoundedPool = service.container.pool()
    with pytest.raises(ServiceUnavailable):
        async with connection(pool) as conn, conn.transaction():
            await conn.execute("SET LOCAL statement_timeout = 50")
            await conn.execute("SELECT pg_sleep(1)")
    assert not pool.outage.down
    assert (await service.timed())[0] == 200
