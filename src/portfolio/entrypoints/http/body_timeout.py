"""A request body that stops coming is answered 408 and its connection closed.

The server bounds the time a request head may take (PORTFOLIO_HTTP_HEADER_TIMEOUT); the body
is read by the app, chunk by chunk, so the app bounds the wait for each chunk, as web servers
bound the time between two reads of a body.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from portfolio.entrypoints.http.request_errors import RequestRefused

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

BODY_TIMED_OUT = "The request body did not arrive in time."


class BodyTimeout:
    """Plain ASGI middleware: each wait for a piece of the request body ends after ``seconds``
    with a 408 refusal (the response then closes the connection: the rest of the body, should
    it come, would be taken for the next request)."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a receive that gives up after ``seconds``."""
        if scope["type"] != "http":  # type: ignore[comparison-overlap]
            await self.app(scope, receive, send)
            return
        timed_out = False

        async def bounded_receive() -> ReceiveMessage:
            nonlocal timed_out
            try:
                async with asyncio.timeout(self.seconds):
                    return await receive()
            except TimeoutError:
                timed_out = True
                raise RequestRefused(408, BODY_TIMED_OUT) from None

        async def closing_send(message: Message) -> None:
            if timed_out and message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        await self.app(scope, bounded_receive, closing_send)
