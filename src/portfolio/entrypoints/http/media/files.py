"""``/media/{key}``: stored files served by the app itself, for development and small sites."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import BinaryIO
from urllib.parse import quote

from litestar import get
from litestar.params import FromPath
from litestar.response import Stream

from portfolio.application import MediaStorage, sniff_file_type
from portfolio.application.media.file_types import SNIFF_BYTES
from portfolio.domain import NotFound
from portfolio.entrypoints.http.injection import Injected

CHUNK = 256 * 1024
# Keys are never reused for other bytes, so clients and CDNs may keep files for a year.
CACHE_FOREVER = "public, max-age=31536000, immutable"


async def _chunks(head: bytes, handle: BinaryIO) -> AsyncIterator[bytes]:
    try:
        if head:
            yield head
        while chunk := await asyncio.to_thread(handle.read, CHUNK):
            yield chunk
    finally:
        handle.close()


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
async def media_file(key: FromPath[str], media_storage: Injected[MediaStorage]) -> Stream:
    """A stored file with its real Content-Type; anything but an image is a download."""
    handle, size, head = await asyncio.to_thread(_open, media_storage, key.lstrip("/"))
    # The type comes from the bytes, as on upload, never from the name: a file that reached
    # the media root some other way (page.html, logo.svg) is served as text, not run as a page.
    file_type = sniff_file_type(head)
    file_name = key.rsplit("/", 1)[-1]
    disposition = "inline" if file_type.is_image else "attachment"
    return Stream(
        _chunks(head, handle),
        media_type=file_type.mime,
        headers={
            "Content-Length": str(size),
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(file_name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": CACHE_FOREVER,
        },
    )
