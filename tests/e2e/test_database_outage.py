"""While Postgres is unreachable the API answers 503 quickly, then recovers by itself."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from portfolio.application.fields import PortfolioFields
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.e2e.tcp_proxy import CuttableProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxy(clean_database: str) -> Iterator[CuttableProxy]:
    proxy = CuttableProxy(clean_database)
    proxy.restore()
    yield proxy
    proxy.cut()


async def test_outage_gives_503_with_retry_after_then_recovers(
    proxy: CuttableProxy, settings: Settings
) -> None:
    container = Container(
        settings=replace(settings, db_acquire_timeout=1.0, retry_after_seconds=3, background=False),
        database_url=proxy.url,
    )
    async with SameLoopClient(create_app(container)) as client:
        await container.administer_users().create("admin", is_admin=True)
        headers = {"Authorization": f"Token {(await container.manage_tokens().issue('admin')).key}"}
        added = await container.portfolios().add(PortfolioFields(title="T", slug="t"))
        path = f"/api/portfolios/{added.id}"
        assert (await client.get(path, headers=headers)).status_code == 200

        proxy.cut()
        started = time.monotonic()
        for probe in (path, "/ready"):
            response = await client.get(probe, headers=headers)
            assert response.status_code == 503
            assert response.headers["retry-after"] == "3"
            assert set(response.json()) == {"detail"}
        assert time.monotonic() - started < 10, "503 must come quickly, not after a hang"
        assert (await client.get("/health")).status_code == 200

        proxy.restore()
        deadline = time.monotonic() + 20
        status = 0
        while time.monotonic() < deadline:
            status = (await client.get(path, headers=headers)).status_code
            if status == 200:
                break
            await asyncio.sleep(0.2)
        assert status == 200
        assert (await client.get("/ready")).status_code == 200


async def test_start_up_fails_fast_when_the_database_is_missing(settings: Settings) -> None:
    container = Container(
        settings=settings, database_url="host=127.0.0.1 port=1 dbname=nothing connect_timeout=1"
    )
    from portfolio.domain import ServiceUnavailable

    started = time.monotonic()
    with pytest.RaisesGroup(
        pytest.RaisesExc(ServiceUnavailable, match="cannot connect to the database"),
        allow_unwrapped=True,
        flatten_subgroups=True,
    ):
        async with SameLoopClient(create_app(container)):
            pass
    assert time.monotonic() - started < 5
