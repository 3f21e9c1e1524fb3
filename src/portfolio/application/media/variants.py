"""Thumbnails in the web's formats: AVIF and WebP copies stored beside each thumbnail.

A variant's key is its thumbnail's key with the format's suffix (``..._512x512.jpg.avif``),
so it is found without a record, and it lives and dies with its thumbnail. Variants are made
when first asked for (``WebVariants``), by ``portfolio thumbnails regenerate``, and at upload
when the files are served straight from a bucket or CDN, where nothing could make them later.
"""

from __future__ import annotations

import asyncio
import io
from typing import BinaryIO

from portfolio.application.media.file_types import SNIFF_BYTES, sniff_image_format
from portfolio.application.media.keys import WEB_FORMATS, WebFormat, is_safe_key, variant_key
from portfolio.application.media.upload import DEFAULT_LIMITS, MediaLimits
from portfolio.application.ports import ImageProcessor, MediaRepository, MediaStorage, Renditions
from portfolio.domain import InvalidFile, Media, ServiceUnavailable


def variants_at_upload(storage: MediaStorage) -> tuple[WebFormat, ...]:
    """The variants an upload makes at once: every one when clients fetch files from the
    store itself (a CDN or bucket URL), where no request reaches the service to make them;
    none when the service serves ``/media/`` and makes each on its first request."""
    return WEB_FORMATS if storage.url("core_media/probe.jpg") is not None else ()


class WebVariants:
    """Open a thumbnail's variant, making and storing it on its first request.

    Made from the original (decoded at the smallest scale that covers the thumbnail), not
    from the thumbnail, so that a variant does not carry the thumbnail's own compression
    losses. At most ``limits.concurrent_decodes`` are made at the same time, which bounds
    the memory they take; two requests racing for the same variant both make it, and the
    second copy is dropped (keys are never overwritten).
    """

    def __init__(
        self,
        repository: MediaRepository,
        storage: MediaStorage,
        images: ImageProcessor,
        limits: MediaLimits = DEFAULT_LIMITS,
    ) -> None:
        self._repository = repository
        self._storage = storage
        self._images = images
        self._limits = limits
        self._making = asyncio.Semaphore(limits.concurrent_decodes)

    async def open(self, thumbnail_key: str, web_format: WebFormat) -> tuple[str, BinaryIO] | None:
        """The variant's key and an open handle on it, made first if need be; None when it
        cannot be had (no such thumbnail, the original missing or unreadable): the caller
        then serves the thumbnail as stored."""
        if not is_safe_key(thumbnail_key):
            return None
        key = variant_key(thumbnail_key, web_format)
        try:
            return key, await asyncio.to_thread(self._storage.open, key)
        except FileNotFoundError:
            pass
        except (OSError, ValueError):
            return None
        if not await self._make(thumbnail_key, web_format):
            return None
        try:
            return key, await asyncio.to_thread(self._storage.open, key)
        except (OSError, ValueError):
            return None

    async def _make(self, thumbnail_key: str, web_format: WebFormat) -> bool:
        found = await self._repository.owner_of_thumbnail(thumbnail_key)
        if found is None:
            return False
        media, thumbnail = found
        try:
            async with self._making:
                data = await asyncio.to_thread(self._render, media, thumbnail.size, web_format)
            await asyncio.to_thread(self._store, variant_key(thumbnail_key, web_format), data)
        except (OSError, ValueError, InvalidFile, ServiceUnavailable):
            # Whatever keeps the variant from being made, the stored thumbnail is sent.
            return False
        return True

    def _render(self, media: Media, size: int, web_format: WebFormat) -> bytes:
        with self._storage.open(media.key) as original:
            image_format = sniff_image_format(original.read(SNIFF_BYTES))
            if image_format is None:
                raise FileNotFoundError(media.key)
            rendered = self._images.render(
                original, image_format, Renditions((size,), (web_format,)), self._limits.max_pixels
            )
        return dict(rendered.thumbnails[0].variants)[web_format]

    def _store(self, key: str, data: bytes) -> None:
        used = self._storage.save(key, io.BytesIO(data))
        if used != key:
            # Another request made the same variant meanwhile: keep the first.
            self._storage.delete(used)
