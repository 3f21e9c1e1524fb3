"""Caching headers on ``/api/`` answers, and conditional GETs: ``ETag``, ``If-None-Match``, 304.

Every ``/api/`` answer is the caller's own (``Cache-Control: private, no-cache``, ``Vary:
Authorization``): a shared cache never stores it, a browser revalidates it each time. A 200 to
a GET carries a strong ``ETag`` over the exact bytes sent, so it changes whenever anything
shown changes, nested objects included; an ``If-None-Match`` that holds it is answered 304.

Revalidating need not build the answer. When a conditional GET's answer is built, its ETag is
remembered with the catalogue's change number read before building; a later conditional GET
for the same URL, while the number has not moved, is answered 304 from that memory after the
credentials and the permission are checked, with one small read instead of the whole answer.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from litestar import Request, Response
from litestar.status_codes import HTTP_200_OK, HTTP_304_NOT_MODIFIED

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from portfolio.application import Revalidation

API_PREFIX = "/api/"
CACHE_CONTROL = "private, no-cache"
VARY = "Authorization"
# Where the revalidation hook leaves the change number it read, for the middleware.
_BUILT_AT = "portfolio.built_at"
# Headers about the body a 304 has not got.
_BODY_HEADERS = frozenset({b"content-type", b"content-length"})


def entity_tag(body: bytes) -> str:
    """A strong ETag over ``body``: 144 bits of its SHA-256."""
    digest = hashlib.sha256(body).digest()[:18]
    return f'"{base64.urlsafe_b64encode(digest).decode()}"'


def condition_holds(if_none_match: str, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag`` (weak comparison, as RFC 9110 asks) or is ``*``."""
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == tag:
            return True
    return False


def answer_of(scope: Scope) -> Hashable:
    """What a GET's answer depends on besides the catalogue: the path, the query and the
    origin its URLs are built from."""
    host = next((value for name, value in scope["headers"] if name == b"host"), b"")
    return (scope.get("scheme"), host, scope["path"], scope.get("query_string", b""))


def _if_none_match(scope: Scope) -> str | None:
    found = [value for name, value in scope["headers"] if name == b"if-none-match"]
    return b", ".join(found).decode("latin-1") if found else None


def revalidated(revalidation: Callable[[], Revalidation]) -> Callable[..., Any]:
    """Before-request hook of the ``/api/`` routes: 304 at once for a conditional GET whose
    answer's ETag is known to still hold; otherwise note the change number for the middleware."""

    async def hook(request: Request[Any, Any, Any]) -> Response[None] | None:
        scope = request.scope
        if scope["method"] != "GET":
            return None
        condition = _if_none_match(scope)
        if condition is None:
            return None
        known = revalidation()
        version = await known.version()
        tag = known.still_valid(answer_of(scope), version)
        if tag is not None and condition_holds(condition, tag):
            return Response(None, status_code=HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        scope[_BUILT_AT] = version  # type: ignore[literal-required]
        return None

    return hook


class ApiCaching:
    """Plain ASGI middleware: the caching headers on every ``/api/`` answer, an ETag on each
    GET's 200, and 304 when the request's ``If-None-Match`` holds it."""

    def __init__(self, app: ASGIApp, revalidation: Callable[[], Revalidation]) -> None:
        self.app = app
        self._revalidation = revalidation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers; buffer a GET's answer to tag it."""
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):  # type: ignore[comparison-overlap]
            await self.app(scope, receive, send)
            return
        if scope.get("method") != "GET":

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message.get("headers", ()), *_caching_headers()]
                await send(message)

            await self.app(scope, receive, send_with_headers)
            return

        start: dict[str, Any] | None = None
        chunks: list[bytes] = []

        async def send_tagged(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = dict(message)
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._finish(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, send_tagged)

    async def _finish(self, scope: Scope, start: dict[str, Any], body: bytes, send: Send) -> None:
        headers = [*start.get("headers", ()), *_caching_headers()]
        status = start["status"]
        if status == HTTP_200_OK:
            tag = entity_tag(body)
            headers.append((b"etag", tag.encode()))
            if _BUILT_AT in scope:
                self._revalidation().remember(answer_of(scope), scope[_BUILT_AT], tag)  # type: ignore[literal-required]
            condition = _if_none_match(scope)
            if condition is not None and condition_holds(condition, tag):
                status, body = HTTP_304_NOT_MODIFIED, b""
                headers = [(name, value) for name, value in headers if name not in _BODY_HEADERS]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _caching_headers() -> list[tuple[bytes, bytes]]:
    return [(b"cache-control", CACHE_CONTROL.encode()), (b"vary", VARY.encode())]
