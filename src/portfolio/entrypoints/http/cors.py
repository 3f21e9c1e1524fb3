"""Cross-origin requests from the browsers of listed origins (PORTFOLIO_CORS_ALLOWED_ORIGINS).

Litestar's own CORS support does not fit: it adds its allow-methods and allow-headers to the
answers of every origin, listed or not, and answers an OPTIONS from an unlisted origin with a
plain-text 400 instead of the API's own 204. Here an unlisted origin gets exactly the answer it
got before, and a listed one the same answer with the CORS headers added; preflights reach the
API's OPTIONS handlers, which need no token.

The public read API (``/api/public/``) is open to every origin instead, without credentials:
``Access-Control-Allow-Origin: *`` on every answer, whatever the ``Origin``, so that one cached
copy serves every site and no ``Vary: Origin`` splits it.
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
PUBLIC_PREFIX = "/api/public/"
PUBLIC_METHODS = b"GET, HEAD, OPTIONS"
# Authorization is allowed, and ignored: a site's fetch helper that always sends its token
# still gets through.
PUBLIC_HEADERS = b"Authorization, If-None-Match, X-Request-ID"
PUBLIC_EXPOSED = b"ETag, X-Request-ID"


class Cors(Layer):
    """CORS headers on the answers to listed origins."""

    def __init__(self, app: App, origins: Collection[str]) -> None:
        super().__init__(app)
        self.origins = frozenset(origin.lower().encode("latin-1") for origin in origins)

    async def handle(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        """Pass every request on; add the headers to answers when the origin is listed."""
        if scope["path"].startswith(PUBLIC_PREFIX):
            await self.app(scope, receive, _PublicCorsSend(send, _preflight(scope)))
            return
        if not self.origins:
            await self.app(scope, receive, send)
            return
        origin = header(scope, b"origin")
        listed = origin is not None and origin.lower() in self.origins
        preflight = _preflight(scope)

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


def _preflight(scope: HttpScope) -> bool:
    return scope.get("method") == "OPTIONS" and (
        header(scope, b"access-control-request-method") is not None
    )


class _PublicCorsSend:
    """The ``send`` of a public answer: open to any origin."""

    def __init__(self, send: Send, preflight: bool) -> None:
        self._send = send
        self._preflight = preflight

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", ()), (b"access-control-allow-origin", b"*")]
            if self._preflight:
                headers += [
                    (b"access-control-allow-methods", PUBLIC_METHODS),
                    (b"access-control-allow-headers", PUBLIC_HEADERS),
                    (b"access-control-max-age", str(MAX_AGE_SECONDS).encode()),
                ]
            else:
                headers.append((b"access-control-expose-headers", PUBLIC_EXPOSED))
            message = {**message, "headers": headers}
        await self._send(message)
