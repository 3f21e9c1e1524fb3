"""The orphan sweep: stored files no record names are listed, and removed only when asked."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.media import InMemoryMediaRepository
from portfolio.adapters.memory.storage import InMemoryMediaStorage
from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.application.media.sweep import SweepOrphans
from portfolio.application.media.upload import UploadMedia
from tests import media_samples
from tests.media_fakes import fixed_clock

ORPHANS = ("core_media/2026/03/02/lost.png", "core_media/2026/03/02/thumbnails/lost_64.png")


def later(minutes: int) -> datetime:
    """The sweep's clock, this many minutes after now."""
    return datetime.now(UTC) + timedelta(minutes=minutes)


async def stored_with_orphans(
    database: InMemoryDatabase, storage: InMemoryMediaStorage
) -> set[str]:
    """An uploaded image (original and four thumbnails) and two files no record names."""
    upload = UploadMedia(storage, database.media, PillowImageProcessor(), fixed_clock)
    image = await upload(io.BytesIO(media_samples.png()), "logo.png")
    for key in ORPHANS:
        storage.save(key, io.BytesIO(b"left by a crash"))
    return {image.key, *(thumbnail.key for thumbnail in image.thumbnails)}


async def test_a_dry_run_lists_only_the_orphans_and_removes_nothing(
    database: InMemoryDatabase,
    storage: InMemoryMediaStorage,
    repository: InMemoryMediaRepository,
) -> None:
    referenced = await stored_with_orphans(database, storage)
    sweep = SweepOrphans(storage, repository, lambda: later(61))
    found: list[str] = []
    progress: list[int] = []

    plan = await sweep.plan(timedelta(minutes=60))
    summary = await sweep(
        plan, apply=False, on_orphan=lambda o: found.append(o.key), on_progress=progress.append
    )

    assert sorted(found) == sorted(ORPHANS)
    assert (summary.examined, summary.orphans, summary.removed) == (7, 2, 0)
    assert summary.orphan_bytes == 2 * len(b"left by a crash")
    assert sum(progress) == 7
    assert set(storage.files) == referenced | set(ORPHANS)


async def test_apply_removes_the_orphans_and_keeps_every_referenced_file(
    database: InMemoryDatabase,
    storage: InMemoryMediaStorage,
    repository: InMemoryMediaRepository,
) -> None:
    referenced = await stored_with_orphans(database, storage)
    sweep = SweepOrphans(storage, repository, lambda: later(61))

    summary = await sweep(await sweep.plan(timedelta(minutes=60)), apply=True)

    assert (summary.orphans, summary.removed, summary.failed) == (2, 2, [])
    assert set(storage.files) == referenced


async def test_files_younger_than_the_margin_are_not_judged(
    database: InMemoryDatabase,
    storage: InMemoryMediaStorage,
    repository: InMemoryMediaRepository,
) -> None:
    # A file written moments ago may belong to an upload whose record is being committed.
    await stored_with_orphans(database, storage)
    sweep = SweepOrphans(storage, repository, lambda: later(30))

    plan = await sweep.plan(timedelta(minutes=60))
    summary = await sweep(plan, apply=True)

    assert (plan.stored, len(plan.candidates), summary.removed) == (7, 0, 0)
    assert set(ORPHANS) <= set(storage.files)


async def test_variants_of_recorded_thumbnails_are_kept_and_those_of_none_are_orphans(
    database: InMemoryDatabase,
    storage: InMemoryMediaStorage,
    repository: InMemoryMediaRepository,
) -> None:
    referenced = await stored_with_orphans(database, storage)
    thumbnail = next(key for key in referenced if "/thumbnails/" in key)
    kept = [f"{thumbnail}.avif", f"{thumbnail}.webp"]
    lost = [f"{ORPHANS[1]}.avif", "core_media/2026/03/02/thumbnails/x_thumbnail_64x64.png.avif"]
    for key in [*kept, *lost]:
        storage.save(key, io.BytesIO(b"a variant"))
    sweep = SweepOrphans(storage, repository, lambda: later(61))

    summary = await sweep(await sweep.plan(timedelta(minutes=60)), apply=True)

    assert summary.removed == len(ORPHANS) + len(lost)
    assert all(storage.exists(key) for key in kept)
    assert not any(storage.exists(key) for key in lost)
