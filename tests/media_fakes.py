"""Fakes that fail on purpose, wrapped around the real in-memory and filesystem adapters."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from portfolio.application.fields import NewMedia
from portfolio.application.ports import MediaRepository, MediaStorage, StoredObject
from portfolio.domain import Media

UPLOAD_DAY = datetime(2026, 3, 2, 17, 26, tzinfo=UTC)


def fixed_clock() -> datetime:
    """Always the same moment, so keys are predictable: ``core_media/2026/03/02/...``."""
    return UPLOAD_DAY


class DiskFillsUp:
    """MediaStorage whose ``fail_at``-th save (counting from 1) fails as a full disk would."""

    def __init__(self, storage: MediaStorage, fail_at: int) -> None:
        self._storage = storage
        self._fail_at = fail_at
        self.saves = 0

    def save(self, key: str, source: BinaryIO) -> str:
        """Save, unless this is the save that finds the disk full."""
        self.saves += 1
        if self.saves == self._fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._storage.save(key, source)

    def open(self, key: str) -> BinaryIO:
        """Open through the wrapped storage."""
        return self._storage.open(key)

    def delete(self, key: str) -> None:
        """Delete through the wrapped storage."""
        self._storage.delete(key)

    def exists(self, key: str) -> bool:
        """Ask the wrapped storage."""
        return self._storage.exists(key)

    def url(self, key: str) -> str | None:
        """Ask the wrapped storage."""
        return self._storage.url(key)

    def list_objects(self) -> Iterator[StoredObject]:
        """List through the wrapped storage."""
        return self._storage.list_objects()


class HeldMediaRepository:
    """The part of a MediaRepository uploads use: add waits for ``release``, then fails or
    records.

    It fails with ``error`` when one is given. ``entered`` is set once add has been called,
    so a test can act while it waits.
    """

    def __init__(self, repository: MediaRepository, error: BaseException | None = None) -> None:
        self._repository = repository
        self._error = error
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.release.set()

    async def add(self, media: NewMedia) -> Media:
        """Wait to be released, then fail or record the media."""
        self.entered.set()
        await self.release.wait()
        if self._error is not None:
            raise self._error
        return await self._repository.add(media)


class OffLoopOnly:
    """MediaStorage that notes every call made on an event loop's thread, then passes it on."""

    def __init__(self, storage: MediaStorage) -> None:
        self._storage = storage
        self.on_loop: list[str] = []

    def _note(self, call: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self.on_loop.append(call)

    def save(self, key: str, source: BinaryIO) -> str:
        """Save through the wrapped storage."""
        self._note("save")
        return self._storage.save(key, source)

    def open(self, key: str) -> BinaryIO:
        """Open through the wrapped storage."""
        self._note("open")
        return self._storage.open(key)

    def delete(self, key: str) -> None:
        """Delete through the wrapped storage."""
        self._note("delete")
        self._storage.delete(key)

    def exists(self, key: str) -> bool:
        """Ask the wrapped storage."""
        self._note("exists")
        return self._storage.exists(key)

    def url(self, key: str) -> str | None:
        """Ask the wrapped storage (signing is local, so allowed on the loop)."""
        return self._storage.url(key)

    def list_objects(self) -> Iterator[StoredObject]:
        """List through the wrapped storage."""
        self._note("list_objects")
        return self._storage.list_objects()
