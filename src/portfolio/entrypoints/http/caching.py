"""Caching headers on ``/api/`` answers, and conditional GETs: ``ETag``, ``If-None-Match``, 304.

Every ``/api/`` answer is the caller's own (``Cache-Control: private, no-cache``, ``Vary:
Authorization``): a shared cache never stores it, a browser revalidates it each time. A 200 to
a GET carries a strong ``ETag`` over the exact bytes sent, so it changes whenever anything
shown changes, nested objects included; an ``If-None-Match`` that holds it is answered 304.

Revalidating need not build the answer. A route states in its ``opt`` which topics its
answers read (``reads``: the catalogue, the accounts). When a conditional GET's answer is
built, its ETag is remembered with those topics' change numbers, read before building, and
the permission code its route requires. A later conditional GET for the same URL, while the
numbers have not moved, is answered 304 at once, after the same credential and permission
checks the routes make: two small reads instead of the whole answer. Anything else (unknown
URL, moved number, a route that declares no topic, a caller the checks refuse) goes through
the routes as usual, and is still answered 304 when the ETag of what it built matches.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Hashable
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from litestar.status_codes import HTTP_200_OK, HTTP_304_NOT_MODIFIED

from portfolio.domain import AuthenticationFailed, PermissionDenied, ServiceUnavailable
from portfolio.entrypoints.http.auth import require_permission, required_code, token_from_header
from portfolio.entrypoints.http.layer import (
    App,
    Headers,
    HttpScope,
    Layer,
    Message,
    Receive,
    Send,
    header,
    on_start,
    send_whole,
    vary,
)
from portfolio.entrypoints.http.request_errors import NotAuthenticated

if TYPE_CHECKING:
    from portfolio.application.accounts.auth import Authenticate
    from portfolio.application.revalidation import Revalidation

API_PREFIX = "/api/"
PUBLIC_PREFIX = "/api/public/"
"""The public read API's answers are the same for everyone: shared caches keep them."""
LISTS_KEY = b"portfolios"
"""The surrogate key of a public refusal: a portfolio's change may turn it into an answer."""
_NEVER_SHARED = b"no-store"
READS_OPT = "reads"
"""The key in a handler's ``opt`` that names the change topics its answers read; a handler
without it is never answered from remembered validators."""
CACHE_CONTROL = "private, no-cache"
VARY = "Authorization"
# The answer's key and the change numbers read before a conditional GET was routed, for when
# its answer is sent (taken before routing: the router rewrites the path, dropping a trailing
# slash).
_BUILT_AT = "portfolio.built_at"
# Headers about the body a 304 has not got.
_BODY_HEADERS = frozenset({b"content-type", b"content-length"})


def shared_cache_control(
    max_age: int,
    s_maxage: int,
    stale_while_revalidate: int,
    stale_if_error: int,
    url_lifetime: timedelta | None,
) -> str:
    """``Cache-Control`` of the public answers. When their media URLs expire (presigned),
    no copy outlives them: each lifetime is held to half of theirs, so that a copy served
    fresh and then stale for as long as allowed still names URLs that work."""
    values = [max_age, s_maxage, stale_while_revalidate, stale_if_error]
    if url_lifetime is not None:
        cap = int(url_lifetime.total_seconds()) // 2
        values = [min(value, cap) for value in values]
    fresh, shared, revalidating, failing = values
    return (
        f"public, max-age={fresh}, s-maxage={shared}, stale-while-revalidate={revalidating}, "
        f"stale-if-error={failing}"
    )


def public(scope: HttpScope) -> bool:
    """Whether the request is one of the public read API's (``PUBLIC_PREFIX``)."""
    path: str = scope["path"]
    return path.startswith(PUBLIC_PREFIX)


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


def answer_of(scope: HttpScope) -> Hashable:
    """What a GET's answer depends on besides the catalogue: the path, the query and the
    origin its URLs are built from."""
    host = header(scope, b"host") or b""
    return (scope.get("scheme"), host, scope["path"], scope.get("query_string", b""))


def _if_none_match(scope: HttpScope) -> str | None:
    found = header(scope, b"if-none-match")
    return None if found is None else found.decode("latin-1")


class ApiCaching(Layer):
    """The caching headers on every ``/api/`` answer, an ETag on each GET's 200, and 304 when
    the request's ``If-None-Match`` holds it."""

    def __init__(
        self,
        app: App,
        revalidation: Callable[[], Revalidation],
        authenticate: Callable[[], Authenticate],
        public_cache_control: str,
    ) -> None:
        super().__init__(app)
        self._revalidation = revalidation
        self._authenticate = authenticate
        self._public = public_cache_control.encode()

    async def handle(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        """Add the headers; buffer a GET's answer to tag it."""
        if not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        if scope.get("method") != "GET":
            await self.app(scope, receive, on_start(send, partial(self._headers, scope)))
            return

        condition = _if_none_match(scope)
        if condition is not None and await self._not_modified(scope, condition, send):
            return
        start: Message | None = None
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

    async def _not_modified(self, scope: HttpScope, condition: str, send: Send) -> bool:
        """Answer 304 when the answer's ETag is known to hold and the caller may see it."""
        revalidation = self._revalidation()
        try:
            state = await revalidation.state()
        except ServiceUnavailable:
            return False
        answer = answer_of(scope)
        known = revalidation.still_valid(answer, state)
        if known is None or not condition_holds(condition, known.validator):
            scope[_BUILT_AT] = (answer, state)
            return False
        if not public(scope) and not await self._may_see(scope, known.permission):
            return False
        headers = self._headers(scope, HTTP_304_NOT_MODIFIED, [(b"etag", known.validator.encode())])
        await send_whole(send, HTTP_304_NOT_MODIFIED, headers)
        return True

    async def _may_see(self, scope: HttpScope, permission: int | None) -> bool:
        # The guard's own checks; a caller they refuse is left to the routes, which answer
        # 401 or 403 in their words.
        raw = header(scope, b"authorization")
        try:
            key = token_from_header(None if raw is None else raw.decode("latin-1"))
            require_permission(await self._authenticate()(key), permission)
        except (NotAuthenticated, AuthenticationFailed, PermissionDenied, ServiceUnavailable):
            return False
        return True

    async def _finish(self, scope: HttpScope, start: Message, body: bytes, send: Send) -> None:
        status = start["status"]
        headers = self._headers(scope, status, list(start.get("headers", ())))
        if status == HTTP_200_OK:
            tag = entity_tag(body)
            headers.append((b"etag", tag.encode()))
            handler = scope.get("route_handler")
            if _BUILT_AT in scope and handler is not None:
                answer, state = scope[_BUILT_AT]
                self._revalidation().remember(
                    answer,
                    state,
                    tuple(handler.opt.get(READS_OPT, ())),
                    tag,
                    required_code(handler.opt),
                )
            condition = _if_none_match(scope)
            if condition is not None and condition_holds(condition, tag):
                status, body = HTTP_304_NOT_MODIFIED, b""
                headers = [(name, value) for name, value in headers if name not in _BODY_HEADERS]
        await send_whole(send, status, headers, body)

    def _headers(self, scope: HttpScope, status: int, headers: Headers) -> Headers:
        """The caching headers of an answer with ``status``: the caller's own, or, on the
        public routes, shared (a failure of the service never is: it is not the answer)."""
        if not public(scope):
            headers.append((b"cache-control", CACHE_CONTROL.encode()))
            return vary(headers, VARY.encode())
        shared = status < 500 and status != 429
        headers.append((b"cache-control", self._public if shared else _NEVER_SHARED))
        if status != HTTP_200_OK and not any(name == b"surrogate-key" for name, _ in headers):
            headers.append((b"surrogate-key", LISTS_KEY))
        return vary(headers, b"Accept-Encoding")
