"""Cross-origin requests from the browsers of listed origins (PORTFOLIO_CORS_ALLOWED_ORIGINS).

Litestar's own CORS support does not fit: it adds its allow-methods and allow-headers to the
answers of every origin, listed or not, and answers an OPTIONS from an unlisted origin with a
plain-text 400 instead of the API's own 204. Here an unlisted origin gets exactly the answer it
got before, and a listed one the same answer with the CORS headers added; preflights reach the
API's OPTIONS handlers, which need no token.
"""

from __future__ import annotations

from collections.abc import Collection

from portfolio.entrypoints.http.layer import (
    App,
    HttpScope,
    Layer,
    Message,
    Receive,
    Send,
    header,
    vary,
)

ALLOWED_METHODS = b"DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
ALLOWED_HEADERS = b"Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Request-ID"
EXPOSED_HEADERS = b"ETag, Idempotent-Replayed, Retry-After, X-Request-ID"
MAX_AGE_SECONDS = 600


class Cors(Layer):
    """CORS headers on the answers to listed origins."""

    def __init__(self, app: App, origins: Collection[str]) -> None:
        super().__init__(app)
        self.origins = frozenset(origin.lower().encode("latin-1") for origin in origins)

    async def handle(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        """Pass every request on; add the headers to answers when the origin is listed."""
        origin = header(scope, b"origin")
        listed = origin is not None and origin.lower() in self.origins
        preflight = scope.get("method") == "OPTIONS" and (
            header(scope, b"access-control-request-method") is not None
        )

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Answers differ by Origin, so shared caches must keep them apart.
                headers = vary(list(message.get("headers", [])), b"Origin")
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
