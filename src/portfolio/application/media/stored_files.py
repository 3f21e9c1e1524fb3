"""Files written for one change, removed together when the change does not go through."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from contextlib import suppress
from typing import Any, BinaryIO, TypeVar

from portfolio.application.ports import MediaStorage
from portfolio.domain import ServiceUnavailable

T = TypeVar("T")


def discard_files(storage: MediaStorage, keys: Iterable[str]) -> None:
    """Remove the files under ``keys``, best effort.

    A file that cannot be removed is left as an orphan rather than hiding the error that made
    the caller clean up; an orphan is never referred to by any record.
    """
    for key in keys:
        # ServiceUnavailable: an object store that does not answer.
        with suppress(OSError, ServiceUnavailable):
            storage.delete(key)


class FileBatch:
    """Remembers the keys of the files saved for one change so they can all be removed."""

    def __init__(self, storage: MediaStorage) -> None:
        self._storage = storage
        self.keys: list[str] = []

    def save(self, key: str, source: BinaryIO) -> str:
        """Save ``source`` under ``key`` or a free variant, remember and return the key used."""
        used = self._storage.save(key, source)
        self.keys.append(used)
        return used

    def replace(self, key: str, source: BinaryIO) -> str:
        """Save ``source`` under ``key``, removing the file already there first."""
        self._storage.delete(key)
        return self.save(key, source)

    def discard_one(self, key: str) -> None:
        """Remove one file saved so far."""
        discard_files(self._storage, [key])
        self.keys.remove(key)

    def discard(self) -> None:
        """Remove every file saved so far (blocking: from a worker thread or the CLI)."""
        discard_files(self._storage, self.keys)
        self.keys.clear()

    async def discard_off_loop(self) -> None:
        """Remove every file saved so far in a worker thread, the event loop free meanwhile.

        Runs to its end even when the caller is cancelled: a second cancellation cannot
        leave files behind. Such a cancellation is not re-raised; the callers raise their own.
        """
        removal, _ = await finish(asyncio.to_thread(self.discard))
        failed(removal)  # discard_files already keeps going past each file it cannot remove


async def finish(work: Awaitable[T]) -> tuple[asyncio.Future[T], bool]:
    """Run ``work`` to its end even when the caller is cancelled meanwhile.

    Returns the finished future and whether a cancellation arrived. Waiting matters because a
    worker thread cannot be stopped and a commit may be under way: only once it is known what
    happened can the caller tell which files to remove. The caller re-raises CancelledError.
    """
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.wait((task,))
        except asyncio.CancelledError:
            cancelled = True
    return task, cancelled


def failed(future: asyncio.Future[Any]) -> bool:
    """Whether a finished future ended in an error or a cancellation (marking the error seen)."""
    return future.cancelled() or future.exception() is not None
