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
from typing import NamedTuple

from portfolio.entrypoints.http.caching import public
from portfolio.entrypoints.http.layer import (
    App,
    Headers,
    HttpScope,
    Layer,
    Receive,
    Send,
    header,
    on_start,
    vary,
)


class Allowed(NamedTuple):
    """What a page of another origin may send, and read, on one side of the API."""

    methods: bytes
    headers: bytes
    exposed: bytes

    def headers_for(self, preflight: bool) -> Headers:
        """The CORS headers besides the origin: a preflight's, or an answer's."""
        if not preflight:
            return [(b"access-control-expose-headers", self.exposed)]
        return [
            (b"access-control-allow-methods", self.methods),
            (b"access-control-allow-headers", self.headers),
            (b"access-control-max-age", b"600"),
        ]


LISTED = Allowed(
    methods=b"DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
    headers=b"Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Request-ID",
    exposed=b"ETag, Idempotent-Replayed, Retry-After, X-Request-ID",
)
PUBLIC = Allowed(
    methods=b"GET, HEAD, OPTIONS",
    # Authorization is allowed, and ignored: a site's fetch helper that always sends its token
    # still gets through.
    headers=b"Authorization, If-None-Match, X-Request-ID",
    exposed=b"ETag, X-Request-ID",
)


class Cors(Layer):
    """CORS headers on the answers to listed origins, and to every origin on the public API."""

    def __init__(self, app: App, origins: Collection[str]) -> None:
        super().__init__(app)
        self.origins = frozenset(origin.lower().encode("latin-1") for origin in origins)

    async def handle(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        origin: bytes | None
        if public(scope):
            allowed, origin = PUBLIC, b"*"
        elif self.origins:
            allowed, origin = LISTED, header(scope, b"origin")
            if origin is not None and origin.lower() not in self.origins:
                origin = None
        else:
            await self.app(scope, receive, send)
            return
        preflight = scope.get("method") == "OPTIONS" and (
            header(scope, b"access-control-request-method") is not None
        )

        def with_cors(_: int, headers: Headers) -> Headers:
            if allowed is LISTED:
                # Answers differ by Origin, so shared caches must keep them apart.
                headers = vary(headers, b"Origin")
            if origin is not None:
                headers.append((b"access-control-allow-origin", origin))
                headers += allowed.headers_for(preflight)
            return headers

        await self.app(scope, receive, on_start(send, with_cors))
