"""The ``Idempotency-Key`` header: a create sent again under its key gets the first answer.

The key is the client's, one per request it means to make once (a UUID does well). The request
it names is told apart by its fingerprint: the route and the body's bytes for JSON, the parts
(names, file names, types and contents) for an upload, whose boundary a client may pick afresh
for each attempt. Without the header a create behaves exactly as before.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.serialization import encode_json
from litestar.status_codes import HTTP_201_CREATED

from portfolio.application.ports import RecordedAnswer
from portfolio.application.retries import SafeRetries
from portfolio.entrypoints.http.layer import header
from portfolio.entrypoints.http.request_errors import bad_request

T = TypeVar("T")

IDEMPOTENCY_KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
"""Set (``true``) on an answer repeated for a retry."""
KEY_MAX_LENGTH = 255
MALFORMED_KEY = (
    f"The {IDEMPOTENCY_KEY} header must be 1 to {KEY_MAX_LENGTH} visible ASCII characters "
    "(no spaces or commas)."
)
ONE_KEY = f"Send at most one {IDEMPOTENCY_KEY} header."
KEY_REUSED = (
    f"This {IDEMPOTENCY_KEY} was already used for a different request (another body or "
    "route); send a new key with a new request."
)
IN_PROGRESS = (
    f"A request with this {IDEMPOTENCY_KEY} is still being served; retry once it has been answered."
)
IN_PROGRESS_RETRY_AFTER = 1
"""Seconds a client is asked to wait before retrying a key whose request is being served."""

KEY_CHARACTERS = r"[\x21-\x2b\x2d-\x7e]"
"""What a key is made of: visible ASCII but the comma, which would split the header."""
_KEY = re.compile(rf"{KEY_CHARACTERS}{{1,{KEY_MAX_LENGTH}}}".encode())
_HEADER_NAME = IDEMPOTENCY_KEY.lower().encode()
_CONTENT_TYPE = "content-type"


def retry_key(request: Request[Any, Any, Any]) -> str | None:
    """The request's ``Idempotency-Key``, or None without one; 400 when malformed or repeated."""
    # Repeated headers are joined by commas, as they may also reach the service already.
    sent = header(request.scope, _HEADER_NAME)
    if sent is None:
        return None
    if b"," in sent:
        raise bad_request(ONE_KEY)
    if _KEY.fullmatch(sent) is None:
        raise bad_request(MALFORMED_KEY)
    return sent.decode("ascii")


def fingerprint(route: str, content: bytes) -> bytes:
    """What tells one request under a key from another: its route and its content."""
    digest = hashlib.sha256(len(route).to_bytes(4, "big"))
    digest.update(route.encode())
    digest.update(content)
    return digest.digest()


async def create_once(
    request: Request[Any, Any, Any],
    retries: SafeRetries,
    content: Callable[[], Awaitable[bytes]],
    create: Callable[[], Awaitable[T]],
) -> T | Response[bytes]:
    """``create``'s answer (201), or, for a retry under the request's key, the first answer.

    ``content`` gives what the fingerprint is taken over; it is only asked for when the
    request carries a key.
    """
    key = retry_key(request)
    if key is None:
        return await create()

    async def serve() -> RecordedAnswer:
        body = encode_json(await create())
        return RecordedAnswer(HTTP_201_CREATED, ((_CONTENT_TYPE, MediaType.JSON.value),), body)

    owner: int = request.scope["user"].id
    answered = await retries.answer(
        owner, key, fingerprint(request.url.path, await content()), serve
    )
    headers = dict(answered.answer.headers)
    media_type = headers.pop(_CONTENT_TYPE, MediaType.JSON.value)
    if answered.replayed:
        headers[REPLAYED] = "true"
    return Response(
        answered.answer.body,
        status_code=answered.answer.status,
        headers=headers,
        media_type=media_type,
    )
