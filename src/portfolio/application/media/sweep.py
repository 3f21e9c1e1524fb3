"""Finding, and on request removing, stored files that no media or thumbnail record names.

Such orphans are what a crash between writing an upload's files and committing its record
leaves behind. A thumbnail's web variant (``..._512x512.jpg.avif``) has no record of its own:
it is kept exactly as long as its thumbnail's record exists. Only files older than a margin
are judged: a file written moments ago may belong to an upload whose record is being
committed right now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from portfolio.application.media.keys import thumbnail_of_variant
from portfolio.application.ports import Clock, MediaRepository, MediaStorage, StoredObject

# Keys asked about in one round trip.
BATCH = 500
DEFAULT_MARGIN = timedelta(minutes=60)


@dataclass(frozen=True, slots=True)
class SweepPlan:
    """The stored files old enough to be judged, and how many files there are in all."""

    candidates: tuple[StoredObject, ...]
    stored: int


@dataclass(slots=True)
class SweepSummary:
    """What a sweep found and did."""

    examined: int = 0
    orphans: int = 0
    orphan_bytes: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def _ignore(_: object) -> None:
    """A callback that does nothing."""


class SweepOrphans:
    """List (and with ``apply``, remove) stored files that no record refers to."""

    def __init__(self, storage: MediaStorage, repository: MediaRepository, clock: Clock) -> None:
        self._storage = storage
        self._repository = repository
        self._clock = clock

    async def plan(self, older_than: timedelta = DEFAULT_MARGIN) -> SweepPlan:
        """Every stored file last written more than ``older_than`` ago."""
        cutoff = self._clock() - older_than

        def listed() -> SweepPlan:
            stored = list(self._storage.list_objects())
            old = tuple(item for item in stored if item.modified_at <= cutoff)
            return SweepPlan(candidates=old, stored=len(stored))

        return await asyncio.to_thread(listed)

    async def __call__(
        self,
        plan: SweepPlan,
        *,
        apply: bool,
        on_orphan: Callable[[StoredObject], None] = _ignore,
        on_progress: Callable[[int], None] = _ignore,
    ) -> SweepSummary:
        """Judge the plan's files a batch at a time; report each orphan (removing it when
        ``apply``) and the number of files judged after each batch."""
        summary = SweepSummary()
        for start in range(0, len(plan.candidates), BATCH):
            batch = plan.candidates[start : start + BATCH]
            for orphan in await self._orphans(batch):
                summary.orphans += 1
                summary.orphan_bytes += orphan.size
                on_orphan(orphan)
                if apply:
                    await self._remove(orphan, summary)
            summary.examined += len(batch)
            on_progress(len(batch))
        return summary

    async def _orphans(self, batch: Sequence[StoredObject]) -> list[StoredObject]:
        # A variant is judged by its thumbnail's key.
        judged = [thumbnail_of_variant(item.key) or item.key for item in batch]
        referenced = await self._repository.referenced_keys(judged)
        return [item for item, key in zip(batch, judged, strict=True) if key not in referenced]

    async def _remove(self, orphan: StoredObject, summary: SweepSummary) -> None:
        try:
            await asyncio.to_thread(self._storage.delete, orphan.key)
        except OSError as error:
            summary.failed.append((orphan.key, error.strerror or type(error).__name__))
        else:
            summary.removed += 1
