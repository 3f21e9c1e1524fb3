"""Cross-origin requests from the browsers of listed origins (PORTFOLIO_CORS_ALLOWED_ORIGINS).

Litestar's own CORS support does not fit: it adds its allow-methods and allow-headers to the
answers of every origin, listed or not, and answers an OPTIONS from an unlisted origin with a
plain-text 400 instead of the API's own 204. Here an unlisted origin gets exactly the answer it
got before, and a listed one the same answer with the CORS headers added; preflights reach the
API's OPTIONS handlers, which need no token.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED_METHODS = b"DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
ALLOWED_HEADERS = b"Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Request-ID"
EXPOSED_HEADERS = b"ETag, Idempotent-Replayed, Retry-After, X-Request-ID"
MAX_AGE_SECONDS = 600


class Cors:
    """Plain ASGI middleware adding CORS headers to the answers to listed origins."""

    def __init__(self, app: ASGIApp, origins: Collection[str]) -> None:
        self.app = app
        self.origins = frozenset(origin.lower().encode("latin-1") for origin in origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass every request on; add the headers to answers when the origin is listed."""
        if scope["type"] != "http":  # type: ignore[comparison-overlap]
            await self.app(scope, receive, send)
            return
        origin = next((value for name, value in scope["headers"] if name == b"origin"), None)
        listed = origin is not None and origin.lower() in self.origins
        preflight = scope.get("method") == "OPTIONS" and any(
            name == b"access-control-request-method" for name, _ in scope["headers"]
        )

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # Answers differ by Origin, so shared caches must keep them apart.
                headers = _vary_on_origin(headers)
                if listed and origin is not None:
                    headers.append((b"access-control-allow-origin", origin))
                    if preflight:
                        headers += [
                            (b"access-control-allow-methods", ALLOWED_METHODS),
                            (b"access-control-allow-headers", ALLOWED_HEADERS),
                            (b"access-control-max-age", str(MAX_AGE_SECONDS).encode()),
                        ]
                    else:
                        headers.append((b"access-control-expose-headers", EXPOSED_HEADERS))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _vary_on_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            if b"origin" not in value.lower():
                headers[index] = (name, value + b", Origin")
            return headers
    return [*headers, (b"vary", b"Origin")]
