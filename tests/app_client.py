"""A test client that serves the application on the test's own event loop.

Litestar's ``AsyncTestClient`` runs the application, lifespan included, in a portal: a thread
with an event loop of its own. The pool the lifespan opens then lives on that loop while the
test, on pytest's loop, uses the same pool through the container (making users, tokens,
objects), and the background work of the portal's loop uses it at the same moment. The pool's
asyncio locks, conditions and queues are bound to whichever loop first waits on them and are
not thread-safe: under load a request failed with a lock "bound to a different event loop", or
waited for a wake-up sent from the wrong thread until its deadline and answered 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Self, cast

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.testing.client.base import BaseTestClient

# What Litestar's own test transport puts in the scope: the address a test client calls from.
CLIENT_ADDRESS = ("testclient", 50000)

# An ASGI app as httpx's transport types it: scope and messages as plain mappings, where
# Litestar types them as TypedDicts. The same callable, which mypy cannot see.
HttpxApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]


class SameLoopClient(AsyncTestClient[Litestar]):
    """``AsyncTestClient`` with the application served, and its lifespan run, on the loop of
    the task that enters it: the test's, so that the test and the application share one pool
    on one loop."""

    def __init__(self, app: Litestar, base_url: str = "http://testserver.local") -> None:
        BaseTestClient.__init__(self, app=app, base_url=base_url)
        httpx.AsyncClient.__init__(
            self,
            base_url=base_url,
            headers={"user-agent": "testclient"},
            follow_redirects=True,
            transport=httpx.ASGITransport(app=cast(HttpxApp, app), client=CLIENT_ADDRESS),
        )

    async def __aenter__(self) -> Self:
        """Start the application's lifespan (opening its pool) on this loop."""
        self._stopping = asyncio.Event()
        started = asyncio.Event()
        self._serving = asyncio.create_task(self._serve(started), name="test-app-lifespan")
        waiting = asyncio.create_task(started.wait())
        try:
            await asyncio.wait({waiting, self._serving}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            # Interrupted while starting: no lifespan may outlive the test with its pool open.
            self._serving.cancel()
            raise
        finally:
            waiting.cancel()
        if self._serving.done():
            self._serving.result()  # the lifespan failed to start: its error
        return self

    async def __aexit__(self, *_: Any) -> None:
        """End the lifespan (closing the pool), then the client, even if the end fails."""
        self._stopping.set()
        try:
            await self._serving
        finally:
            await self.aclose()

    async def _serve(self, started: asyncio.Event) -> None:
        # One task enters and leaves the lifespan: its task groups must be left by the task
        # that entered them, which a fixture's setup and teardown are not.
        async with self.app.lifespan():
            started.set()
            await self._stopping.wait()
