"""``/media/{key}``: stored files served by the app itself, for development and small sites.

A thumbnail's answer is negotiated (``negotiation``): its AVIF or WebP variant, made on the
first request that asks for it, or the stored file; every answer for a thumbnail says
``Vary: Accept``. Originals and variants asked for by their own key are served as stored.
Each answer carries an ETag of the file it sends (keys never name other bytes).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import Annotated, Any, BinaryIO
from urllib.parse import quote

from litestar import Request, get
from litestar.params import FromPath, HeaderParameter
from litestar.response import Stream

from portfolio.application.media.file_types import SNIFF_BYTES, served_type
from portfolio.application.media.keys import is_thumbnail_key, variant_of
from portfolio.application.media.variants import WebVariants
from portfolio.application.ports import MediaStorage
from portfolio.domain import NotFound
from portfolio.entrypoints.http.head_requests import HEAD_ONLY
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.media.negotiation import chosen_variant
from portfolio.entrypoints.http.media.ranges import Unsatisfiable, requested_range

CHUNK = 256 * 1024
# Keys are never reused for other bytes, so clients and CDNs may keep files for a year.
CACHE_FOREVER = "public, max-age=31536000, immutable"


async def _chunks(handle: BinaryIO, length: int) -> AsyncIterator[bytes]:
    try:
        left = length
        while left > 0 and (chunk := await asyncio.to_thread(handle.read, min(CHUNK, left))):
            left -= len(chunk)
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)


def _open(storage: MediaStorage, key: str) -> BinaryIO:
    try:
        return storage.open(key)
    except (OSError, ValueError):
        # Missing files, directories and keys that would leave the media root all look alike.
        raise NotFound from None


def _measure(handle: BinaryIO) -> tuple[int, bytes]:
    size = handle.seek(0, 2)
    handle.seek(0)
    return size, handle.read(SNIFF_BYTES)


def entity_tag(key: str, size: int) -> str:
    """The strong ETag of the file stored under ``key``: a key never names other bytes."""
    return f'"{hashlib.blake2b(f"{key}:{size}".encode(), digest_size=12).hexdigest()}"'


def _matches(if_none_match: str, tag: str) -> bool:
    # A weak comparison, as If-None-Match takes (RFC 9110, 13.1.2).
    sent = {candidate.strip().removeprefix("W/") for candidate in if_none_match.split(",")}
    return "*" in sent or tag in sent


@get("/media/{key:path}", exclude_from_auth=True, include_in_schema=False)
async def media_file(
    request: Request[Any, Any, Any],
    key: FromPath[str],
    media_storage: Injected[MediaStorage],
    web_variants: Injected[WebVariants],
    range_header: Annotated[str | None, HeaderParameter(name="Range")] = None,
    if_range: Annotated[str | None, HeaderParameter(name="If-Range")] = None,
    accept: Annotated[str | None, HeaderParameter(name="Accept")] = None,
    if_none_match: Annotated[str | None, HeaderParameter(name="If-None-Match")] = None,
) -> Stream:
    """A stored file with its real Content-Type; anything but an image is a download.

    A thumbnail is sent as AVIF or WebP when ``Accept`` asks for it. One byte range
    (``Range: bytes=a-b``) is answered 206; a range past the end, 416; a matching
    ``If-None-Match``, 304. A HEAD reads no more than the file's first bytes.
    """
    key = key.lstrip("/")
    # No stored key has a part starting with a dot; such files (unfinished writes of older
    # versions, a web server's or an editor's leftovers) are never served.
    if any(part.startswith(".") for part in key.split("/")):
        raise NotFound
    negotiated = is_thumbnail_key(key)
    wanted_format = chosen_variant(accept) if negotiated else None
    opened = None
    if wanted_format is not None and not key.endswith(wanted_format.suffix):
        opened = await web_variants.open(key, wanted_format)
    elif (variant := variant_of(key)) is not None:
        # A variant asked for by its own key (a <source> of the media API's answer) is made
        # on its first request too.
        opened = await web_variants.open(*variant)
    served_key, handle = opened or (key, await asyncio.to_thread(_open, media_storage, key))
    size, head = await asyncio.to_thread(_measure, handle)
    # The type comes from the bytes, as on upload, never from the name: a file that reached
    # the media root some other way (page.html, logo.svg) is served as text, not run as a page.
    media_type, inline = served_type(head)
    file_name = served_key.rsplit("/", 1)[-1]
    disposition = "inline" if inline else "attachment"
    tag = entity_tag(served_key, size)
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(file_name)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": CACHE_FOREVER,
        "ETag": tag,
    }
    if negotiated:
        headers["Vary"] = "Accept"
    status, start, length = 200, 0, size
    if if_none_match is not None and _matches(if_none_match, tag):
        status, length = 304, 0
    else:
        try:
            # If-Range names a version this service keeps no validator for: the whole file.
            wanted = None if if_range is not None else requested_range(range_header, size)
        except Unsatisfiable:
            status, length = 416, 0
            headers["Content-Range"] = f"bytes */{size}"
        else:
            if wanted is not None:
                status, start, length = 206, wanted.start, wanted.length
                headers["Content-Range"] = wanted.content_range
    if status != 304:
        headers["Content-Length"] = str(length)
    sent = 0 if request.scope.get(HEAD_ONLY) else length
    await asyncio.to_thread(handle.seek, start)
    return Stream(_chunks(handle, sent), status_code=status, media_type=media_type, headers=headers)
