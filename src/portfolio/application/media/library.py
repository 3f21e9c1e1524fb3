"""Use cases over stored media: read one, list a page, delete one with its files."""

from __future__ import annotations

import asyncio

from portfolio.application.changes import DELETE, MEDIA, OPERATOR, Author, Change, Journal
from portfolio.application.ids import require_id
from portfolio.application.listing import Page, fetch_page
from portfolio.application.media.stored_files import discard_files
from portfolio.application.ports import MediaRepository, MediaStorage, Transactions
from portfolio.domain import Media, MediaNotFound


class GetMedia:
    """Fetch one media object with its thumbnails."""

    def __init__(self, repository: MediaRepository) -> None:
        self._repository = repository

    async def __call__(self, media_id: int) -> Media:
        """The media object, or MediaNotFound for any id that names none (malformed ones too)."""
        media = await self._repository.get(require_id(media_id, MediaNotFound))
        if media is None:
            raise MediaNotFound
        return media


class ListMedia:
    """The media library in numbered pages, newest first, by the rules every list follows."""

    def __init__(self, repository: MediaRepository) -> None:
        self._repository = repository

    async def __call__(self, number: int, size: int) -> Page[Media]:
        """Page ``number`` of ``size`` objects and the total; PageNotFound past the last page."""
        return await fetch_page(self._repository.find, number, size)


class DeleteMedia:
    """Delete a media object that nothing refers to: its record, its thumbnails, its files."""

    def __init__(
        self,
        repository: MediaRepository,
        storage: MediaStorage,
        transactions: Transactions | None = None,
        journal: Journal | None = None,
    ) -> None:
        if journal is not None and transactions is None:
            raise ValueError("a journal is written in the write's unit of work: give both")
        self._repository = repository
        self._storage = storage
        self._transactions = transactions
        self._journal = journal

    async def __call__(self, media_id: int, by: Author = OPERATOR) -> Media:
        """Delete and return the object; MediaNotFound, or InUse naming what refers to it.

        The record goes first, journalled (``media.deleted`` by ``by``) in the same unit of
        work: should removing a file fail, an unreferenced file is left behind, never a record
        pointing at a missing file.
        """
        media = await self._delete(require_id(media_id, MediaNotFound), by)
        keys = [media.key, *(thumbnail.key for thumbnail in media.thumbnails)]
        await asyncio.to_thread(discard_files, self._storage, keys)
        return media

    async def _delete(self, media_id: int, by: Author) -> Media:
        if self._journal is None or self._transactions is None:
            return await self._repository.delete(media_id)
        async with self._transactions.transaction():
            media = await self._repository.delete(media_id)
            await self._journal.record(Change(DELETE, MEDIA, media.id), by)
        return media
