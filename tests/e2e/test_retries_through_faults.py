"""A create whose commit the client cannot confirm is answered 503; a retry under its
``Idempotency-Key`` then never creates a second object, whether the commit happened or not.

The TCP proxy in front of Postgres either holds the server's answer to ``COMMIT`` (the server
committed; the service's deadline passes first) or drops the connection instead of passing
the ``COMMIT`` on (the server never gets it and rolls back).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from portfolio.application.retries import SafeRetries
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.e2e.tcp_proxy import CuttableProxy

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]
DEADLINE = 1.0
HELD = 2.5  # longer than the deadline and the cancel grace
LEASE = timedelta(seconds=3)


@pytest.fixture
def proxy(clean_database: str) -> Iterator[CuttableProxy]:
    proxy = CuttableProxy(clean_database)
    proxy.restore()
    yield proxy
    proxy.cut()


@pytest.fixture
async def service(
    proxy: CuttableProxy, settings: Settings
) -> AsyncIterator[tuple[Client, dict[str, str]]]:
    container = Container(
        settings=replace(
            settings, db_deadline=DEADLINE, db_acquire_timeout=DEADLINE, background=False
        ),
        database_url=proxy.url,
    )
    # A request cut off with the database may not give its key back at once; the lease frees
    # it. Short here, so the test need not wait the minute it is in service.
    container.safe_retries.override(
        providers.Singleton(
            SafeRetries,
            keys=container.retry_keys,
            transactions=container.transactions,
            clock=container.clock,
            lease=LEASE,
        )
    )
    async with SameLoopClient(create_app(container)) as client:
        await container.administer_users().create("admin", is_admin=True)
        key = (await container.manage_tokens().issue("admin")).key
        yield client, {"Authorization": f"Token {key}", "Idempotency-Key": "create-design-tag"}


async def tags_named(client: Client, headers: dict[str, str], name: str) -> int:
    listed = await client.get(f"/api/tags/?search={name}", headers=headers)
    assert listed.status_code == 200
    return int(listed.json()["count"])


async def retry_until_answered(client: Client, headers: dict[str, str]) -> tuple[int, str]:
    """Send the same create again until it is answered, as a client should: a held key answers
    409 for a while, a database known to be down 503 until it answers again."""
    for _ in range(40):
        response = await client.post("/api/tags/", headers=headers, json={"name": "Design"})
        if response.status_code not in (409, 503):
            return response.status_code, response.headers.get("idempotent-replayed", "")
        await asyncio.sleep(0.5)
    raise AssertionError("the key stayed held")


async def test_a_commit_whose_answer_was_lost_is_replayed_not_made_again(
    service: tuple[Client, dict[str, str]], proxy: CuttableProxy
) -> None:
    client, headers = service
    proxy.stall_after(b"COMMIT", HELD)
    lost = await client.post("/api/tags/", headers=headers, json={"name": "Design"})
    assert lost.status_code == 503
    proxy.stall_after(None)
    await asyncio.sleep(HELD)  # the held acknowledgement goes through; the server committed

    assert await retry_until_answered(client, headers) == (201, "true")
    assert await tags_named(client, headers, "Design") == 1


async def test_a_commit_that_never_arrived_is_made_once_by_the_retry(
    service: tuple[Client, dict[str, str]], proxy: CuttableProxy
) -> None:
    client, headers = service
    proxy.drop_on(b"COMMIT")
    lost = await client.post("/api/tags/", headers=headers, json={"name": "Design"})
    assert lost.status_code == 503
    proxy.drop_on(None)

    assert await retry_until_answered(client, headers) == (201, "")
    assert await tags_named(client, headers, "Design") == 1
