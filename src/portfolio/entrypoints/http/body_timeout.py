"""A request body that stops coming, or comes too slowly, is answered 408 and its connection
closed.

The server bounds the time a request head may take (PORTFOLIO_HTTP_HEADER_TIMEOUT); the body
is read by the app, chunk by chunk, so the app bounds it, as web servers do: each wait for a
piece ends after the body timeout (nginx's ``client_body_timeout``), and once that long has
been spent waiting in all, the body must have kept a minimum average rate (Apache's
``mod_reqtimeout``, ``body=20,MinRate=500``: the allowance grows by one second for every
``min_rate`` bytes received). A gap bound alone lets one byte every few seconds hold a
connection forever; a total deadline would cut honest uploads over slow links.
"""

from __future__ import annotations

import asyncio

from portfolio.entrypoints.http.layer import App, HttpScope, Layer, Message, Receive, Send, header
from portfolio.entrypoints.http.request_errors import RequestRefused


class BodyTimeout(Layer):
    """A wait for a piece of the request body ends with a 408 refusal
    after ``seconds``, or sooner when the time spent waiting for the body in all would pass
    ``seconds`` plus one second per ``min_rate`` bytes received. The response then closes the
    connection: the rest of the body, should it come, would be taken for the next request.

    Only time spent waiting counts, never the app's own work between two reads; and once the
    body is complete, waiting (for a disconnect, while a response streams) is not bounded.
    """

    def __init__(self, app: App, seconds: float, min_rate: int) -> None:
        super().__init__(app)
        self.seconds = seconds
        self.min_rate = min_rate

    async def handle(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        length = header(scope, b"content-length")
        if (length is None or length == b"0") and header(scope, b"transfer-encoding") is None:
            # No body comes (RFC 9112, section 6.3): nothing to wait for.
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        timed_out = complete = False
        waited = 0.0
        received = 0

        async def bounded_receive() -> Message:
            nonlocal timed_out, complete, waited, received
            if complete:
                return await receive()
            allowance = self.seconds + received / self.min_rate - waited
            started = loop.time()
            try:
                async with asyncio.timeout(min(self.seconds, allowance)):
                    message = await receive()
            except TimeoutError:
                timed_out = True
                raise RequestRefused(408, "The request body did not arrive in time.") from None
            finally:
                waited += loop.time() - started
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
            else:
                complete = True
            return message

        async def closing_send(message: Message) -> None:
            if timed_out and message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        await self.app(scope, bounded_receive, closing_send)
