"""Media work in batches for the CLI: ingesting local files and repairing thumbnails.

Each function appends to a list its caller owns, so what was done before an interruption
(Ctrl-C, a lost database) can still be reported.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from portfolio.application.media.thumbnails import (
    RegenerateThumbnails,
    RepairOutcome,
    ThumbnailRepair,
)
from portfolio.application.media.upload import UploadMedia
from portfolio.application.ports import MediaRepository
from portfolio.domain import FileTooLarge, InvalidFile, Media

Advance = Callable[[], None]
"""Moves a progress bar on by one item."""


@dataclass(frozen=True, slots=True)
class Added:
    """One local file's fate: the media it became, or why it was refused."""

    path: Path
    media: Media | None = None
    error: str = ""


async def add_files(
    upload: UploadMedia, paths: Sequence[Path], added: list[Added], advance: Advance
) -> None:
    """Ingest ``paths`` one after another; a refused or unreadable file does not stop the rest."""
    for path in paths:
        added.append(await _add(upload, path))
        advance()


async def _add(upload: UploadMedia, path: Path) -> Added:
    try:
        source = await asyncio.to_thread(path.open, "rb")
    except OSError as error:
        return Added(path, error=error.strerror or str(error))
    try:
        with source:
            return Added(path, media=await upload(source, path.name))
    except (InvalidFile, FileTooLarge) as error:
        return Added(path, error=str(error))


async def image_ids(
    repository: MediaRepository, after_id: int, batch_size: int = 1000
) -> list[int]:
    """Ids of every image above ``after_id``, ascending (so a progress bar knows its length)."""
    found: list[int] = []
    while batch := await repository.image_ids(after_id, batch_size):
        found.extend(batch)
        after_id = batch[-1]
    return found


async def repair_thumbnails(
    regenerate: RegenerateThumbnails,
    media_ids: Sequence[int],
    reports: list[ThumbnailRepair],
    advance: Advance,
    *,
    force: bool,
) -> None:
    """Check and repair the thumbnails of ``media_ids`` in order, one commit per object."""
    async for report in regenerate.for_ids(media_ids, force=force):
        reports.append(report)
        advance()


def describe_repair(report: ThumbnailRepair) -> str:
    """One line for an object whose thumbnails were not simply fine."""
    if report.outcome is RepairOutcome.REPAIRED and report.sizes:
        sizes = ", ".join(map(str, report.sizes))
        detail = f"re-created {sizes}" + (f"; {report.detail}" if report.detail else "")
    else:
        detail = report.detail
    return f"{report.outcome} {report.media_id}: {detail}"


def summarise_repairs(reports: Sequence[ThumbnailRepair]) -> list[str]:
    """The counts of every outcome, then the ids repaired and the ids that failed."""
    counts = Counter(report.outcome for report in reports)
    lines = [", ".join(f"{outcome} {counts[outcome]}" for outcome in RepairOutcome)]
    for outcome in (RepairOutcome.REPAIRED, RepairOutcome.FAILED):
        ids = [str(report.media_id) for report in reports if report.outcome is outcome]
        if ids:
            lines.append(f"{outcome} ids: {' '.join(ids)}")
    return lines
