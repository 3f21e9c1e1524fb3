"""Copying every stored file from one media store to another, under the same keys, verified.

Blocking from end to end (two stores, no database): run it in a worker thread or a CLI.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from portfolio.application.ports import MediaStorage, StoredObject
from portfolio.domain import ServiceUnavailable

CHUNK = 1024 * 1024


class CopyOutcome(StrEnum):
    """What happened to one file."""

    COPIED = "copied"
    ALREADY_THERE = "already there"
    CONFLICT = "conflict"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class CopiedFile:
    """The report for one file: its key, size, what happened and, if it went wrong, why."""

    key: str
    size: int
    outcome: CopyOutcome
    detail: str = ""


def _digest(storage: MediaStorage, key: str) -> tuple[int, bytes]:
    """Size and SHA-256 of a stored file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with storage.open(key) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.digest()


class CopyStorage:
    """Copy each file of ``source`` that ``target`` lacks, then read it back to verify it.

    Resumable: a file the target already holds with the same size and checksum is left as it
    is, so a run that stopped halfway is simply started again. A target file under the same
    key with other bytes is a conflict, reported and never overwritten.
    """

    def __init__(self, source: MediaStorage, target: MediaStorage) -> None:
        self._source = source
        self._target = target

    def plan(self) -> list[StoredObject]:
        """Every file of the source, in key order."""
        return sorted(self._source.list_objects(), key=lambda stored: stored.key)

    def run(self, files: list[StoredObject]) -> Iterator[CopiedFile]:
        """Copy ``files`` (from ``plan``) in order, reporting on each as it is done."""
        present = {stored.key: stored.size for stored in self._target.list_objects()}
        for stored in files:
            try:
                yield self._copy(stored, present.get(stored.key))
            except (OSError, ValueError, ServiceUnavailable) as error:
                yield CopiedFile(stored.key, stored.size, CopyOutcome.FAILED, str(error))

    def _copy(self, stored: StoredObject, size_there: int | None) -> CopiedFile:
        size, digest = _digest(self._source, stored.key)
        if size_there is not None:
            if _digest(self._target, stored.key) == (size, digest):
                return CopiedFile(stored.key, size, CopyOutcome.ALREADY_THERE)
            return CopiedFile(
                stored.key, size, CopyOutcome.CONFLICT, "the target holds other bytes here"
            )
        with self._source.open(stored.key) as handle:
            used = self._target.save(stored.key, handle)
        if used != stored.key:
            # Someone wrote the key meanwhile; the variant is nobody's, so it goes.
            self._target.delete(used)
            return CopiedFile(
                stored.key, size, CopyOutcome.CONFLICT, "the key was taken during the copy"
            )
        copied = _digest(self._target, stored.key)
        if copied != (size, digest):
            self._target.delete(stored.key)
            return CopiedFile(
                stored.key, size, CopyOutcome.FAILED, "the copy read back differently"
            )
        return CopiedFile(stored.key, size, CopyOutcome.COPIED)
