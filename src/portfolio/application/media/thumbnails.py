"""Re-creating missing or wrong thumbnails of stored images, with their web variants and
placeholder, one media object at a time."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from enum import StrEnum

from portfolio.application.changes import MEDIA, OPERATOR, UPDATE, Author, Change, Journal
from portfolio.application.fields import NewThumbnail
from portfolio.application.ids import is_id
from portfolio.application.media.file_types import SNIFF_BYTES, ImageFormat, sniff_image_format
from portfolio.application.media.keys import (
    WEB_FORMATS,
    formats_for,
    thumbnail_key,
    variant_key,
    variant_keys,
)
from portfolio.application.media.stored_files import FileBatch, discard_files
from portfolio.application.media.upload import DEFAULT_LIMITS, MediaLimits, save_variant
from portfolio.application.ports import (
    ImageProcessor,
    MediaRepository,
    MediaStorage,
    Renditions,
    Transactions,
)
from portfolio.domain import THUMBNAIL_SIZES, InvalidFile, Media, MediaNotFound, fit_within


class RepairOutcome(StrEnum):
    """What happened to one media object's thumbnails."""

    UNCHANGED = "unchanged"
    REPAIRED = "repaired"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ThumbnailRepair:
    """The report for one media object: the sizes re-created and, if needed, what else was
    made or why not."""

    media_id: int
    outcome: RepairOutcome
    sizes: tuple[int, ...] = ()
    detail: str = ""


class _Unrepairable(Exception):
    """The original itself is missing or unreadable; nothing can be re-created from it."""


class RegenerateThumbnails:
    """Check each image's thumbnails and re-create the missing or wrong ones; make the web
    variants (AVIF, WebP) a thumbnail lacks and the placeholder an image lacks.

    A thumbnail is wrong when its record or file is missing, or its file is not an image of
    the original's format with the expected dimensions. Every object is committed on its
    own, so an interrupted run loses nothing and running again only redoes what is left.
    The original is decoded at most once per object.
    """

    def __init__(
        self,
        repository: MediaRepository,
        storage: MediaStorage,
        images: ImageProcessor,
        limits: MediaLimits = DEFAULT_LIMITS,
        transactions: Transactions | None = None,
        journal: Journal | None = None,
    ) -> None:
        if journal is not None and transactions is None:
            raise ValueError("a journal is written in the write's unit of work: give both")
        self._transactions = transactions
        self._journal = journal
        self._repository = repository
        self._storage = storage
        self._images = images
        self._limits = limits

    async def for_ids(
        self, media_ids: Iterable[int], *, force: bool = False, by: Author = OPERATOR
    ) -> AsyncIterator[ThumbnailRepair]:
        """Repair the given objects in order, reporting on each as it is done."""
        for media_id in media_ids:
            yield await self.repair(media_id, force=force, by=by)

    async def repair(
        self, media_id: int, *, force: bool = False, by: Author = OPERATOR
    ) -> ThumbnailRepair:
        """Re-create what is missing or wrong (everything when ``force``) for one object; a
        repair is journalled (``media.updated``, field ``thumbnails``, by ``by``) with it."""
        media = await self._repository.get(media_id) if is_id(media_id) else None
        if media is None:
            return ThumbnailRepair(media_id, RepairOutcome.SKIPPED, detail="no media has this id")
        if media.width is None or media.height is None:
            return ThumbnailRepair(media_id, RepairOutcome.SKIPPED, detail="not an image")
        expected = {size: fit_within(media.width, media.height, size) for size in THUMBNAIL_SIZES}
        try:
            image_format, wrong, lacking = await asyncio.to_thread(
                self._inspect, media, expected, force
            )
        except _Unrepairable as error:
            return ThumbnailRepair(media_id, RepairOutcome.FAILED, detail=str(error))
        stale = {thumb.size for thumb in media.thumbnails} - set(THUMBNAIL_SIZES)
        placeholder_missing = media.placeholder is None or force
        if not wrong and not stale and not lacking and not placeholder_missing:
            return ThumbnailRepair(media_id, RepairOutcome.UNCHANGED)

        kept = [
            NewThumbnail(thumb.key, thumb.size)
            for thumb in media.thumbnails
            if thumb.size in THUMBNAIL_SIZES and thumb.size not in wrong
        ]
        batch = FileBatch(self._storage)
        try:
            created, placeholder = await asyncio.to_thread(
                self._rebuild, media, image_format, wrong, lacking, placeholder_missing, batch
            )
            thumbnails = [*kept, *created] if wrong or stale else None
            await self._record(media, thumbnails, placeholder, by)
        except (_Unrepairable, InvalidFile, MediaNotFound) as error:
            await batch.discard_off_loop()
            return ThumbnailRepair(media_id, RepairOutcome.FAILED, detail=str(error))
        except BaseException:
            await batch.discard_off_loop()
            raise
        kept_keys = {thumb.key for thumb in [*kept, *created]}
        replaced = [thumb for thumb in media.thumbnails if thumb.key not in kept_keys]
        await asyncio.to_thread(
            discard_files,
            self._storage,
            [*(thumb.key for thumb in replaced), *variant_keys(replaced)],
        )
        return ThumbnailRepair(
            media_id,
            RepairOutcome.REPAIRED,
            sizes=tuple(sorted(wrong)),
            detail=_detail(stale, lacking, placeholder_missing),
        )

    async def _record(
        self,
        media: Media,
        thumbnails: list[NewThumbnail] | None,
        placeholder: str | None,
        by: Author,
    ) -> None:
        """Make ``thumbnails`` (when given) the records and set a new placeholder, in one
        unit of work with its journal entry naming what changed. Variants have no record."""
        changes = {}
        if placeholder is not None and placeholder != media.placeholder:
            changes["placeholder"] = placeholder
        fields = (*(("thumbnails",) if thumbnails is not None else ()), *changes)
        if not fields:
            return

        async def write() -> None:
            if thumbnails is not None:
                await self._repository.replace_thumbnails(media.id, thumbnails)
            if changes:
                await self._repository.update(media.id, changes)

        if self._journal is None or self._transactions is None:
            await write()
            return
        async with self._transactions.transaction():
            await write()
            await self._journal.record(Change(UPDATE, MEDIA, media.id, fields), by)

    def _inspect(
        self, media: Media, expected: dict[int, tuple[int, int]], force: bool
    ) -> tuple[ImageFormat, tuple[int, ...], tuple[int, ...]]:
        """The original's format, the sizes to re-create, and the sizes whose thumbnail is
        right but lacks a variant."""
        try:
            with self._storage.open(media.key) as original:
                image_format = sniff_image_format(original.read(SNIFF_BYTES))
        except FileNotFoundError:
            raise _Unrepairable(f"the original file {media.key} is missing") from None
        if image_format is None:
            raise _Unrepairable(f"the original file {media.key} is not an accepted image")
        if force:
            return image_format, THUMBNAIL_SIZES, ()
        by_size = {thumb.size: thumb.key for thumb in media.thumbnails}
        wrong = tuple(
            size
            for size in THUMBNAIL_SIZES
            if size not in by_size
            or not self._is_right(by_size[size], image_format, expected[size])
        )
        lacking = tuple(
            size
            for size in THUMBNAIL_SIZES
            if size not in wrong and self._lacks_variant(by_size[size], image_format)
        )
        return image_format, wrong, lacking

    def _lacks_variant(self, key: str, image_format: ImageFormat) -> bool:
        return not all(
            self._storage.exists(variant_key(key, web_format))
            for web_format in formats_for(image_format, WEB_FORMATS)
        )

    def _is_right(self, key: str, image_format: ImageFormat, expected: tuple[int, int]) -> bool:
        try:
            with self._storage.open(key) as thumbnail:
                if sniff_image_format(thumbnail.read(SNIFF_BYTES)) is not image_format:
                    return False
                return self._images.measure(thumbnail, image_format) == expected
        except (FileNotFoundError, InvalidFile):
            return False

    def _rebuild(
        self,
        media: Media,
        image_format: ImageFormat,
        wrong: tuple[int, ...],
        lacking: tuple[int, ...],
        placeholder_missing: bool,
        batch: FileBatch,
    ) -> tuple[list[NewThumbnail], str | None]:
        sizes = sorted({*wrong, *lacking})
        if not sizes and placeholder_missing:
            # The placeholder is hashed from the smallest thumbnail's pixels.
            sizes = [min(THUMBNAIL_SIZES)]
        if not sizes:
            # Only records of sizes no longer made are to go: nothing to decode.
            return [], None
        formats = formats_for(image_format, WEB_FORMATS)
        with self._storage.open(media.key) as original:
            rendered = self._images.render(
                original, image_format, Renditions(sizes, formats), self._limits.max_pixels
            )
        if (rendered.width, rendered.height) != (media.width, media.height):
            raise _Unrepairable(
                f"the original is {rendered.width}x{rendered.height} but recorded as "
                f"{media.width}x{media.height}"
            )
        by_size = {thumb.size: thumb.key for thumb in media.thumbnails}
        created = []
        for thumb in rendered.thumbnails:
            if thumb.size in wrong:
                key = batch.save(thumbnail_key(media.key, thumb.size), io.BytesIO(thumb.data))
                created.append(NewThumbnail(key, thumb.size))
            elif thumb.size in lacking:
                key = by_size[thumb.size]
            else:
                continue
            for web_format, data in thumb.variants:
                wanted = variant_key(key, web_format)
                if thumb.size in wrong or not self._storage.exists(wanted):
                    save_variant(batch, wanted, data)
        return created, rendered.placeholder


def _detail(stale: set[int], lacking: tuple[int, ...], placeholder_missing: bool) -> str:
    notes = []
    if stale:
        notes.append(f"removed sizes no longer made: {', '.join(map(str, sorted(stale)))}")
    if lacking:
        notes.append(f"made the web variants of {', '.join(map(str, lacking))}")
    if placeholder_missing:
        notes.append("made the placeholder")
    return "; ".join(notes)
