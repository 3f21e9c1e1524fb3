"""``/media/{key}``: stored files served by the app itself, for development and small sites."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, BinaryIO
from urllib.parse import quote

from litestar import Response, get
from litestar.params import FromPath, HeaderParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_206_PARTIAL_CONTENT, HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE

from portfolio.application import MediaStorage, sniff_file_type
from portfolio.application.media.file_types import SNIFF_BYTES
from portfolio.domain import NotFound
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.media.ranges import Unsatisfiable, requested_range

CHUNK = 256 * 1024
# Keys are never reused for other bytes, so clients and CDNs may keep files for a year.
CACHE_FOREVER = "public, max-age=31536000, immutable"


async def _chunks(head: bytes, handle: BinaryIO, length: int) -> AsyncIterator[bytes]:
    try:
        if head:
            yield head
        left = length - len(head)
        while left > 0 and (chunk := await asyncio.to_thread(handle.read, min(CHUNK, left))):
            left -= len(chunk)
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)


def _open(storage: MediaStorage, key: str) -> tuple[BinaryIO, int, bytes]:
    try:
        handle = storage.open(key)
    except (OSError, ValueError):
        # Missing files, directories and keys that would leave the media root all look alike.
        raise NotFound from None
    size = handle.seek(0, 2)
    handle.seek(0)
    return handle, size, handle.read(SNIFF_BYTES)


def _move_to(handle: BinaryIO, offset: int) -> None:
    handle.seek(offset)


@get("/media/{key:path}", exclude_from_auth=True, include_in_schema=False)
async def media_file(
    key: FromPath[str],
    media_storage: Injected[MediaStorage],
    range_header: Annotated[str | None, HeaderParameter(name="Range")] = None,
    if_range: Annotated[str | None, HeaderParameter(name="If-Range")] = None,
) -> Stream | Response[bytes]:
    """A stored file with its real Content-Type; anything but an image is a download.

    One byte range (``Range: bytes=a-b``) is answered 206; a range past the end, 416.
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
    try:
        # If-Range names a version this service keeps no validator for: send the whole file.
        wanted = None if if_range is not None else requested_range(range_header, size)
    except Unsatisfiable:
        await asyncio.to_thread(handle.close)
        return Response(
            b"",
            status_code=HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE,
            headers={**headers, "Content-Range": f"bytes */{size}"},
        )
    if wanted is None:
        return Stream(
            _chunks(head, handle, size),
            media_type=file_type.mime,
            headers={**headers, "Content-Length": str(size)},
        )
    await asyncio.to_thread(_move_to, handle, wanted.start)
    return Stream(
        _chunks(b"", handle, wanted.length),
        status_code=HTTP_206_PARTIAL_CONTENT,
        media_type=file_type.mime,
        headers={
            **headers,
            "Content-Length": str(wanted.length),
            "Content-Range": wanted.content_range,
        },
    )
