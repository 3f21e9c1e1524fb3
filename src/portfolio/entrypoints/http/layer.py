"""What every layer of the edge (``edge``) is made of: ``Layer``, plain ASGI around the next
application for HTTP requests only (the lifespan passes straight through), and the helpers
that read a request's headers, change or send an answer's and extend its ``Vary``, shared by
every layer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

HttpScope = dict[str, Any]
"""An HTTP request's ASGI scope, as the layers read and mark it."""
Message = dict[str, Any]
"""An ASGI event, received or sent."""
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Any, Any, Any], Awaitable[None]]
"""Any ASGI application, as the layers call the one inside them."""
Headers = list[tuple[bytes, bytes]]


class Layer:
    """One layer of the edge: ``handle`` sees each HTTP request; anything else (the lifespan)
    goes to the next layer untouched."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        """Pass non-HTTP scopes on; handle HTTP requests."""
        if scope["type"] == "http":
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def handle(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request, through ``self.app`` or not."""
        raise NotImplementedError


_READ_HEADERS = "portfolio.headers"
"""Where ``header`` keeps the request's headers once read, for the next layer that asks."""


def header(scope: Any, name: bytes) -> bytes | None:
    """The header ``name`` (lower-case) of the request whose ASGI ``scope`` this is, its
    values joined by commas; None when absent."""
    # Every layer and the Authorization middleware ask for a header or two: the list is
    # read once per request, into a dict, rather than once for each question.
    read: tuple[object, dict[bytes, bytes]] | None = scope.get(_READ_HEADERS)
    headers = scope["headers"]
    if read is None or read[0] is not headers:
        found: dict[bytes, bytes] = {}
        for key, value in headers:
            found[key] = value if key not in found else found[key] + b", " + value
        read = scope[_READ_HEADERS] = (headers, found)
    return read[1].get(name)


def vary(headers: Headers, name: bytes) -> Headers:
    """``headers`` whose ``Vary`` names ``name`` (added once, never beside ``*``)."""
    for index, (key, value) in enumerate(headers):
        if key.lower() == b"vary":
            names = {item.strip().lower() for item in value.split(b",")}
            if name.lower() not in names and b"*" not in names:
                headers[index] = (key, value + b", " + name)
            return headers
    headers.append((b"vary", name))
    return headers


def on_start(send: Send, change: Callable[[int, Headers], Headers]) -> Send:
    """``send`` with the answer's headers replaced by ``change(status, headers)``."""

    async def changed(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = change(message["status"], list(message.get("headers", ())))
            message = {**message, "headers": headers}
        await send(message)

    return changed


async def send_whole(send: Send, status: int, headers: Headers, body: bytes = b"") -> None:
    """An answer with ``body`` sent whole."""
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
