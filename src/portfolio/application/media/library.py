"""Use cases over stored media: read one, list a page, change its alternative text, delete
one with its files."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from portfolio.application.changes import DELETE, MEDIA, OPERATOR, UPDATE, Author, Change, Journal
from portfolio.application.ids import require_id
from portfolio.application.listing import Page, fetch_page
from portfolio.application.media.keys import variant_keys
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


class ChangeMedia:
    """Change what a client may change of a media object: its alternative text (``alt``),
    journalled (``media.updated``, field ``alt``, by ``by``) in the same unit of work."""

    def __init__(
        self, repository: MediaRepository, transactions: Transactions, journal: Journal
    ) -> None:
        self._repository = repository
        self._transactions = transactions
        self._journal = journal

    async def __call__(self, media_id: int, changes: Mapping[str, Any], by: Author) -> Media:
        """The changed object; MediaNotFound for any id that names none."""
        require_id(media_id, MediaNotFound)
        wanted = {name: value for name, value in changes.items() if name == "alt"}
        async with self._transactions.transaction():
            changed = await self._repository.update(media_id, wanted)
            if changed is None:
                raise MediaNotFound
            if wanted:
                await self._journal.record(Change(UPDATE, MEDIA, media_id, tuple(wanted)), by)
        return changed


class DeleteMedia:
    """Delete a media object that nothing refers to: its record, its thumbnails, their web
    variants, its files."""

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
        keys = [
            media.key,
            *(thumbnail.key for thumbnail in media.thumbnails),
            *variant_keys(media.thumbnails),
        ]
        await asyncio.to_thread(discard_files, self._storage, keys)
        return media

    async def _delete(self, media_id: int, by: Author) -> Media:
        if self._journal is None or self._transactions is None:
            return await self._repository.delete(media_id)
        async with self._transactions.transaction():
            media = await self._repository.delete(media_id)
            await self._journal.record(Change(DELETE, MEDIA, media.id), by)
        return media
