"""Each request observed once: its id (``X-Request-ID``), span, metrics and log line."""

from __future__ import annotations

import logging
import os
import re
import time
from typing import TYPE_CHECKING, Any

from portfolio.entrypoints.http.layer import App, HttpScope, Layer, Message, Receive, Send, header
from portfolio.entrypoints.logs import FIELDS, REQUEST_ID
from portfolio.entrypoints.telemetry.metrics import UNMATCHED_ROUTE

if TYPE_CHECKING:
    from portfolio.entrypoints.telemetry import Telemetry

logger = logging.getLogger("portfolio.requests")
_HERE = __file__

# A caller's own request id is kept only if it is short and plain, so logs stay clean.
_SAFE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")


class RequestTelemetry(Layer):
    """Outside Litestar's routing, so that unrouted requests (404, 405) are seen too: a
    request id on every answer, one log line, metrics and a span per request.

    The log line says method, path, status, duration and request id; in JSON it adds the
    route template, the client's address and the user's id. Never a header value or body.
    """

    def __init__(self, app: App, telemetry: Telemetry) -> None:
        super().__init__(app)
        self.telemetry = telemetry

    async def handle(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        """Answer the request inside its record, then count and log it."""
        method: str = scope["method"]
        request_id = _request_id(header(scope, b"x-request-id"))
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id))
                message["headers"] = headers
            await send(message)

        id_token = REQUEST_ID.set(request_id.decode())
        started = time.perf_counter()
        try:
            with self.telemetry.request(method, scope["headers"]) as record:
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    seconds = time.perf_counter() - started
                    # Litestar writes the route's template and the user into this scope.
                    route = scope.get("path_template") or UNMATCHED_ROUTE
                    user_id = getattr(scope.get("user"), "id", None)
                    self.telemetry.answered(record, route, status, seconds, user_id)
                    log_request(scope, method, route, status, seconds, request_id.decode(), user_id)
        finally:
            REQUEST_ID.reset(id_token)


def log_request(
    scope: dict[str, Any],
    method: str,
    route: str,
    status: int,
    seconds: float,
    request_id: str,
    user_id: int | None,
) -> None:
    """The request's line: plain text, or with its fields for the JSON format."""
    if not logger.isEnabledFor(logging.INFO):
        return
    # Escaped so a path with encoded newlines cannot forge log lines.
    path = scope["path"].encode("unicode_escape").decode("ascii")
    duration_ms = round(seconds * 1000, 1)
    client = scope.get("client")
    fields = {
        "method": method,
        "route": route,
        "path": path,
        "status": status,
        "duration_ms": duration_ms,
        "client": client[0] if client else None,
        "user_id": user_id,
    }
    # Made and handled as ``logger.info`` would, less its search of the stack for the caller's
    # file and line, which no format of the service's shows: a line a request, it cost more
    # than formatting it.
    record = logger.makeRecord(
        logger.name,
        logging.INFO,
        _HERE,
        0,
        "%s %s %d %.1fms %s",
        (method, path, status, duration_ms, request_id),
        None,
        extra={FIELDS: fields},
    )
    logger.handle(record)


def _request_id(sent: bytes | None) -> bytes:
    if sent is not None and _SAFE_REQUEST_ID.match(sent):
        return sent
    # 128 random bits in hex, as a UUID4's hex, without building a UUID object.
    return os.urandom(16).hex().encode()
