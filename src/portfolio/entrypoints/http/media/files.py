"""``/media/{key}``: stored files served by the app itself, for development and small sites."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any, BinaryIO
from urllib.parse import quote

from litestar import Request, get
from litestar.params import FromPath, HeaderParameter
from litestar.response import Stream
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_206_PARTIAL_CONTENT,
    HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE,
)

from portfolio.application.media.file_types import SNIFF_BYTES, sniff_file_type
from portfolio.application.ports import MediaStorage
from portfolio.domain import NotFound
from portfolio.entrypoints.http.head_requests import HEAD_ONLY
from portfolio.entrypoints.http.injection import Injected
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


def _open(storage: MediaStorage, key: str) -> tuple[BinaryIO, int, bytes]:
    # No stored key has a part starting with a dot; such files (unfinished writes of older
    # versions, a web server's or an editor's leftovers) are never served.
    if any(part.startswith(".") for part in key.split("/")):
        raise NotFound
    try:
        handle = storage.open(key)
    except (OSError, ValueError):
        # Missing files, directories and keys that would leave the media root all look alike.
        raise NotFound from None
    size = handle.seek(0, 2)
    handle.seek(0)
    return handle, size, handle.read(SNIFF_BYTES)


@get("/media/{key:path}", exclude_from_auth=True, include_in_schema=False)
async def media_file(
    request: Request[Any, Any, Any],
    key: FromPath[str],
    media_storage: Injected[MediaStorage],
    range_header: Annotated[str | None, HeaderParameter(name="Range")] = None,
    if_range: Annotated[str | None, HeaderParameter(name="If-Range")] = None,
) -> Stream:
    """A stored file with its real Content-Type; anything but an image is a download.

    One byte range (``Range: bytes=a-b``) is answered 206; a range past the end, 416. A HEAD
    reads no more than the file's first bytes, wherever it is stored.
    """
    handle, size, head = await asyncio.to_thread(_open, media_storage, key.lstrip("/"))
    # The type comes from the bytes, as on upload, never from the name: a file that reached
    # the media root some other way (page.html, logo.svg) is served as text, not run as a page.
    file_type = sniff_file_type(head)
    file_name = key.rsplit("/", 1)[-1]
    disposition = "inline" if file_type.is_image else "attachment"
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(file_name)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": CACHE_FOREVER,
    }
    status, start, length = HTTP_200_OK, 0, size
    try:
        # If-Range names a version this service keeps no validator for: send the whole file.
        wanted = None if if_range is not None else requested_range(range_header, size)
    except Unsatisfiable:
        status, length = HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE, 0
        headers["Content-Range"] = f"bytes */{size}"
    else:
        if wanted is not None:
            status, start, length = HTTP_206_PARTIAL_CONTENT, wanted.start, wanted.length
            headers["Content-Range"] = wanted.content_range
    headers["Content-Length"] = str(length)
    sent = 0 if request.scope.get(HEAD_ONLY) else length
    await asyncio.to_thread(handle.seek, start)
    return Stream(
        _chunks(handle, sent), status_code=status, media_type=file_type.mime, headers=headers
    )
