"""The test application and the test itself use the pool on one event loop (see
``tests/app_client.py`` for what sharing a pool between two loops did)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from dependency_injector import providers

from portfolio.entrypoints.container import Container
from tests.app_client import SameLoopClient
from tests.e2e.conftest import Callers

pytestmark = pytest.mark.postgres


class LoopsSeen:
    """Observer noting the event loop of every stage the adapters report, each wait for a
    pooled connection among them."""

    def __init__(self) -> None:
        self.loops: set[asyncio.AbstractEventLoop] = set()

    @contextmanager
    def stage(self, name: str, **attributes: str | int) -> Iterator[None]:
        """Note the running loop."""
        self.loops.add(asyncio.get_running_loop())
        yield


@pytest.fixture
def loops_seen(container: Container) -> LoopsSeen:
    """What the container's adapters report to, set before the ``client`` builds the pool."""
    seen = LoopsSeen()
    container.observer.override(providers.Object(seen))
    return seen


async def test_the_app_and_the_test_take_pooled_connections_on_the_tests_loop(
    loops_seen: LoopsSeen, client: SameLoopClient, callers: Callers
) -> None:
    created = await client.post("/api/tags/", headers=callers.admin, json={"name": "loops"})
    assert created.status_code == 201
    # The callers were made through the container, the tag through the application.
    assert loops_seen.loops == {asyncio.get_running_loop()}
