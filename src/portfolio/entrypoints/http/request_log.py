"""One log line per request, and an ``X-Request-ID`` on every response."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send
    from litestar.types.asgi_types import HTTPScope

logger = logging.getLogger("portfolio.requests")

# A caller's own request id is kept only if it is short and plain, so logs stay clean.
_SAFE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    """Plain ASGI middleware: method, path, status, duration and request id; never headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request and log it once the response has started."""
        if scope["type"] != "http":  # type: ignore[comparison-overlap]
            await self.app(scope, receive, send)
            return
        http_scope: HTTPScope = scope  # type: ignore[assignment]
        request_id = _request_id(scope)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logger.info(
                "%s %s %d %.1fms %s",
                http_scope["method"],
                # Escaped so a path with encoded newlines cannot forge log lines.
                http_scope["path"].encode("unicode_escape").decode("ascii"),
                status,
                (time.perf_counter() - started) * 1000,
                request_id.decode(),
            )


def _request_id(scope: Scope) -> bytes:
    for name, value in scope["headers"]:
        if name == b"x-request-id" and _SAFE_REQUEST_ID.match(value):
            return value
    return uuid.uuid4().hex.encode()
