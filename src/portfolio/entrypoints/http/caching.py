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

Answering need not build the answer either. The layer keeps the bytes of the answers it
tagged (up to ``answer_memory_bytes`` in all, none past ``ANSWER_MAX_BYTES``), each with the
token it was built for. A GET for a URL seen before reads the change numbers first; while
the validator it was remembered with still holds, the same token is sent the same bytes
without routing, after the same checks as a 304. A URL's first GET reads no numbers, so a
route that declares no topic never pays for the read: its second does, and its third may be
answered from memory.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from litestar.status_codes import HTTP_200_OK, HTTP_304_NOT_MODIFIED

from portfolio.domain import AuthenticationFailed, PermissionDenied, ServiceUnavailable
from portfolio.entrypoints.http.auth import (
    TOKEN_SCOPE,
    require_permission,
    required_code,
    token_from_header,
)
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
    from portfolio.application.ports import StoredToken
    from portfolio.application.revalidation import KnownValidator, Revalidation

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
# A GET's answer key, and the change numbers read before it was routed, for when its answer
# is sent (taken before routing: the router rewrites the path, dropping a trailing slash).
_ANSWER = "portfolio.answer"
_BUILT_AT = "portfolio.built_at"
# Headers about the body a 304 has not got.
_BODY_HEADERS = frozenset({b"content-type", b"content-length"})
ANSWER_MAX_BYTES = 256 * 1024
"""The largest answer whose bytes are kept to be sent again (a retrieve is a few KiB)."""
ANSWERS_KEPT = 10_000
"""How many answers a process keeps at most, as ``Revalidation`` keeps validators."""
PUBLIC_READER = 0
"""Whose answer a public route's is: everyone's (token ids start at 1)."""
_ENTRY_BYTES = 200
"""About what an entry costs besides its body and headers: its key, its record."""


@dataclass(frozen=True, slots=True)
class Built:
    """What the layer keeps of a URL's answer: the route's template (to count and log answers
    given without routing under it) and, when kept whole, the answer's ETag, headers and
    bytes with the token (``PUBLIC_READER`` on the public routes) they were built for."""

    route: str
    tag: str | None = None
    reader: int | None = None
    headers: Headers | None = None
    body: bytes = b""

    @property
    def size(self) -> int:
        """About the bytes it holds."""
        held = sum(len(name) + len(value) for name, value in self.headers or ())
        return _ENTRY_BYTES + held + len(self.body)


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


def answer_of(scope: HttpScope) -> bytes:
    """What a GET's answer depends on besides the catalogue, as a digest of fixed size: the
    path as sent (page links repeat its spelling), the query, the origin its URLs are built
    from (the server's address when there is no ``Host``) and, but on the public routes, whose
    answers are everyone's, the credentials presented: each token has answers of its own."""
    host = header(scope, b"host")
    origin = host if host is not None else repr(scope.get("server")).encode()
    path = scope.get("raw_path") or scope["path"].encode()
    scheme = str(scope.get("scheme")).encode()
    credentials = b"" if public(scope) else header(scope, b"authorization") or b""
    parts = (scheme, origin, path, scope.get("query_string", b""), credentials)
    return hashlib.sha256(b"\0".join(parts)).digest()


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
        answer_memory_bytes: int = 0,
    ) -> None:
        super().__init__(app)
        self._revalidation = revalidation
        self._authenticate = authenticate
        self._public = public_cache_control.encode()
        self._built: OrderedDict[bytes, Built] = OrderedDict()
        self._bytes = 0
        self._bytes_kept = answer_memory_bytes

    async def handle(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        """Add the headers; buffer a GET's answer to tag it."""
        if not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        if scope.get("method") != "GET":
            await self.app(scope, receive, on_start(send, partial(self._headers, scope)))
            return

        condition = _if_none_match(scope)
        answer = scope[_ANSWER] = answer_of(scope)
        built = self._built.get(answer)
        if (condition is not None or built is not None) and await self._known(
            scope, answer, built, condition, send
        ):
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

    async def _known(
        self,
        scope: HttpScope,
        answer: bytes,
        built: Built | None,
        condition: str | None,
        send: Send,
    ) -> bool:
        """Answer 304 when the answer's ETag is known to hold, or 200 with the bytes built for
        this token when they are, and the caller may see them."""
        revalidation = self._revalidation()
        try:
            state = await revalidation.state()
        except ServiceUnavailable:
            return False
        # Read before building, so that what is built can be kept at these numbers.
        scope[_BUILT_AT] = state
        known = revalidation.still_valid(answer, state)
        if known is None:
            return False
        holds = condition is not None and condition_holds(condition, known.validator)
        if not holds and (built is None or built.tag != known.validator):
            return False
        token = None if public(scope) else await self._token(scope, known)
        if token is None and not public(scope):
            return False
        reader, user = (PUBLIC_READER, None) if token is None else (token.id, token.owner)
        # Looked up again: another request may have replaced or dropped it meanwhile.
        if built is not None and self._built.get(answer) is built:
            self._built.move_to_end(answer)
            scope["path_template"] = built.route
        else:
            built = None
        if holds:
            scope["user"] = user
            headers = self._headers(
                scope, HTTP_304_NOT_MODIFIED, [(b"etag", known.validator.encode())]
            )
            await send_whole(send, HTTP_304_NOT_MODIFIED, headers)
            return True
        if built is None or built.reader != reader or built.headers is None:
            return False
        scope["user"] = user
        await send_whole(send, HTTP_200_OK, list(built.headers), built.body)
        return True

    async def _token(self, scope: HttpScope, known: KnownValidator) -> StoredToken | None:
        """The request's token when it may see the answer; None otherwise."""
        # The guard's own checks; a caller they refuse is left to the routes, which answer
        # 401 or 403 in their words.
        raw = header(scope, b"authorization")
        try:
            key = token_from_header(None if raw is None else raw.decode("latin-1"))
            token = await self._authenticate().token(key)
            require_permission(token.owner, known.permission)
        except (NotAuthenticated, AuthenticationFailed, PermissionDenied, ServiceUnavailable):
            return None
        return token

    async def _finish(self, scope: HttpScope, start: Message, body: bytes, send: Send) -> None:
        status = start["status"]
        routed = list(start.get("headers", ()))
        # An answer that varies with a header its key does not hold is never sent again.
        varies = any(name.lower() == b"vary" for name, _ in routed)
        headers = self._headers(scope, status, routed)
        if status == HTTP_200_OK:
            tag = entity_tag(body)
            headers.append((b"etag", tag.encode()))
            self._keep(scope, tag, None if varies else headers, body)
            condition = _if_none_match(scope)
            if condition is not None and condition_holds(condition, tag):
                status, body = HTTP_304_NOT_MODIFIED, b""
                headers = [(name, value) for name, value in headers if name not in _BODY_HEADERS]
        await send_whole(send, status, headers, body)

    def _keep(self, scope: HttpScope, tag: str, headers: Headers | None, body: bytes) -> None:
        """Remember what a 200 was built from: its validator, and, with its ``headers`` (None:
        not to be sent again), its bytes when they can be sent again as they are."""
        handler = scope.get("route_handler")
        topics = tuple(handler.opt.get(READS_OPT, ())) if handler is not None else ()
        if handler is None or not topics:
            return
        route: str = scope.get("path_template") or scope["path"]
        answer = scope[_ANSWER]
        if _BUILT_AT not in scope:
            # The URL's first answer, built without reading the numbers: its next GET will.
            if self._bytes_kept:
                self._store(answer, Built(route))
            return
        state = scope[_BUILT_AT]
        revalidation = self._revalidation()
        permission = required_code(handler.opt)
        revalidation.remember(answer, state, topics, tag, permission)
        if not self._bytes_kept:
            return
        known = revalidation.still_valid(answer, state)
        reader = self._built_for(scope)
        # Kept whole only if built at the numbers the validator now holds at (a slower
        # request built before a change must not replace what was built after it), and
        # for a route whose checks the memory can make again.
        whole = (
            headers is not None
            and known is not None
            and known.validator == tag
            and reader is not None
            and (permission is not None or reader == PUBLIC_READER)
            and len(body) <= min(ANSWER_MAX_BYTES, self._bytes_kept)
        )
        whole_answer = Built(route, tag, reader, list(headers or ()), body)
        self._store(answer, whole_answer if whole else Built(route))

    def _built_for(self, scope: HttpScope) -> int | None:
        """The token the answer was built for (``PUBLIC_READER`` on the public routes); None
        for the operator's in-process requests, which present none."""
        if public(scope):
            return PUBLIC_READER
        token: StoredToken | None = scope.get(TOKEN_SCOPE)
        return None if token is None else token.id

    def _store(self, answer: bytes, built: Built) -> None:
        old = self._built.pop(answer, None)
        if old is not None:
            self._bytes -= old.size
        self._built[answer] = built
        self._bytes += built.size
        while self._built and (self._bytes > self._bytes_kept or len(self._built) > ANSWERS_KEPT):
            _, dropped = self._built.popitem(last=False)
            self._bytes -= dropped.size

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
