"""The HTTP API called in-process by the operator at the command line (``portfolio api``).

The request goes through the same routes, forms and rules as any other, as the operator: an
active admin with no token, marked in the ASGI scope, which no network request can set. It
gives the command line every write the API has, validated the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from portfolio.entrypoints.http.auth import OPERATOR_SCOPE

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, ReceiveMessage

OPERATOR_HOST = "localhost"


async def call_as_operator(
    app: ASGIApp, method: str, path: str, body: bytes, content_type: str = "application/json"
) -> tuple[int, bytes]:
    """``method`` on ``path`` (with its query) through ``app``; the status and the body."""
    target, _, query = path.partition("?")
    headers: Sequence[tuple[bytes, bytes]] = [
        (b"host", OPERATOR_HOST.encode()),
        (b"accept-encoding", b"identity"),
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": "http",
        "path": target,
        "raw_path": target.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": list(headers),
        "server": (OPERATOR_HOST, 80),
        "client": ("127.0.0.1", 0),
        "state": {},
        OPERATOR_SCOPE: True,
    }
    sent = False

    async def receive() -> ReceiveMessage:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status = 500
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)  # type: ignore[arg-type]
    return status, b"".join(chunks)
