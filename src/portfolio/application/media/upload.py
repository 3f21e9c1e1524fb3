"""Ingesting an upload: one decode, four thumbnails, the files and the record all or nothing."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from portfolio.application.changes import CREATE, MEDIA, OPERATOR, Author, Change, Journal
from portfolio.application.fields import NewImage, NewMedia, NewThumbnail
from portfolio.application.media.file_types import SNIFF_BYTES, FileType, sniff_file_type
from portfolio.application.media.keys import (
    WebFormat,
    formats_for,
    media_key,
    thumbnail_key,
    variant_key,
)
from portfolio.application.media.names import chosen_name, display_name, stored_file_name
from portfolio.application.media.stored_files import FileBatch, failed, finish
from portfolio.application.ports import (
    Clock,
    ImageProcessor,
    MediaRepository,
    MediaStorage,
    RenderedImage,
    Renditions,
    Transactions,
)
from portfolio.domain import THUMBNAIL_SIZES, EmptyFile, FileTooLarge, Media


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """How big an upload may be, and how many images may be decoded at the same time.

    ``max_pixels`` stops decompression bombs from the header; decoding needs up to about
    4 bytes per pixel, so it also bounds the memory one decode takes. Pillow refuses on its
    own anything above twice its ``Image.MAX_IMAGE_PIXELS`` (about 179 million by default).
    """

    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000
    concurrent_decodes: int = 2


DEFAULT_LIMITS = MediaLimits()
_CREATED = ("file", "name")
"""What an upload gives, as the audit log names it."""


class UploadMedia:
    """Store an uploaded file; images are checked, measured and get their four thumbnails
    and a placeholder.

    Animated GIF and WebP files are stored whole, still animated; their thumbnails show the
    first frame only. ``variants`` are the web formats each thumbnail is also stored in at
    once: none when the service serves the files (it makes each variant on its first
    request), all when a bucket or CDN does.
    """

    def __init__(
        self,
        storage: MediaStorage,
        repository: MediaRepository,
        images: ImageProcessor,
        clock: Clock,
        limits: MediaLimits = DEFAULT_LIMITS,
        transactions: Transactions | None = None,
        journal: Journal | None = None,
        variants: Sequence[WebFormat] = (),
    ) -> None:
        if journal is not None and transactions is None:
            raise ValueError("a journal is written in the write's unit of work: give both")
        self._transactions = transactions
        self._journal = journal
        self._variants = tuple(variants)
        self._storage = storage
        self._repository = repository
        self._images = images
        self._clock = clock
        self._limits = limits
        # Bounds the memory all uploads together may take while decoding.
        self._decoding = asyncio.Semaphore(limits.concurrent_decodes)

    async def __call__(
        self,
        source: BinaryIO,
        file_name: str,
        shown_name: str | None = None,
        by: Author = OPERATOR,
    ) -> Media:
        """Ingest ``source`` (a seekable binary file, such as the upload's temporary file).

        ``file_name`` is the client's file name: it names the stored copy (made safe), never
        a path. ``shown_name`` is the media's ``name`` when the client gives one ("Team
        photo"); otherwise the file name is shown. Raises FileTooLarge, EmptyFile,
        ExtensionMismatch, TooManyPixels or CorruptImage before anything is stored.
        On any failure, cancellation included, no file and no record are left behind. The
        record is journalled (``media.created`` by ``by``) in its own unit of work.
        """
        size, head = await asyncio.to_thread(self._examine, source)
        file_type = sniff_file_type(head)
        file_name = display_name(file_name)
        key = media_key(self._clock().date(), stored_file_name(file_name, file_type))
        shown = (chosen_name(shown_name) if shown_name else None) or file_name
        rendered = await self._render(source, file_type)

        batch = FileBatch(self._storage)
        saving, cancelled = await finish(
            asyncio.to_thread(self._save_files, batch, key, source, rendered)
        )
        if cancelled or failed(saving):
            await batch.discard_off_loop()
        if cancelled:
            raise asyncio.CancelledError
        stored_key, thumbnails = saving.result()

        image = None
        if rendered is not None:
            image = NewImage(
                rendered.width, rendered.height, rendered.mode, thumbnails, rendered.placeholder
            )
        record = NewMedia(stored_key, file_type.mime, shown, size, image)
        recording, cancelled = await finish(self._add(record, by))
        # A committed record keeps its files even when the caller has gone away meanwhile.
        if failed(recording):
            await batch.discard_off_loop()
        if cancelled:
            raise asyncio.CancelledError
        if self._transactions is not None:
            # Recorded inside a unit of work that may still fail (keeping a retry's answer):
            # then the files go too.
            self._transactions.on_rollback(batch.discard_off_loop)
        return recording.result()

    async def _add(self, record: NewMedia, by: Author) -> Media:
        if self._journal is None or self._transactions is None:
            return await self._repository.add(record)
        async with self._transactions.transaction():
            media = await self._repository.add(record)
            await self._journal.record(Change(CREATE, MEDIA, media.id, _CREATED), by)
        return media

    def _examine(self, source: BinaryIO) -> tuple[int, bytes]:
        size = source.seek(0, os.SEEK_END)
        if size > self._limits.max_bytes:
            raise FileTooLarge(size, self._limits.max_bytes)
        if size == 0:
            raise EmptyFile
        source.seek(0)
        return size, source.read(SNIFF_BYTES)

    async def _render(self, source: BinaryIO, file_type: FileType) -> RenderedImage | None:
        if file_type.image_format is None:
            return None
        async with self._decoding:
            # Held until the worker thread ends, even on cancellation, so the semaphore really
            # bounds the decodes in progress.
            rendering, cancelled = await finish(
                asyncio.to_thread(
                    self._images.render,
                    source,
                    file_type.image_format,
                    Renditions(
                        THUMBNAIL_SIZES, formats_for(file_type.image_format, self._variants)
                    ),
                    self._limits.max_pixels,
                )
            )
        if cancelled:
            raise asyncio.CancelledError
        return rendering.result()

    @staticmethod
    def _save_files(
        batch: FileBatch, key: str, source: BinaryIO, rendered: RenderedImage | None
    ) -> tuple[str, tuple[NewThumbnail, ...]]:
        source.seek(0)
        stored_key = batch.save(key, source)
        if rendered is None:
            return stored_key, ()
        thumbnails = []
        for thumb in rendered.thumbnails:
            key = batch.save(thumbnail_key(stored_key, thumb.size), io.BytesIO(thumb.data))
            for web_format, data in thumb.variants:
                save_variant(batch, variant_key(key, web_format), data)
            thumbnails.append(NewThumbnail(key=key, size=thumb.size))
        return stored_key, tuple(thumbnails)


def save_variant(batch: FileBatch, key: str, data: bytes) -> None:
    """Store a variant under exactly ``key``, the key of a thumbnail just written.

    A file already there is a leftover of an earlier thumbnail of that key (whose removal
    failed): it is replaced, as the new thumbnail's variant must be found under that key.
    """
    used = batch.save(key, io.BytesIO(data))
    if used != key:
        batch.discard_one(used)
        batch.replace(key, io.BytesIO(data))
