"""Re-creating missing or wrong thumbnails of stored images, in memory."""

from __future__ import annotations

import io

import pytest

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.media import InMemoryMediaRepository
from portfolio.adapters.memory.storage import InMemoryMediaStorage
from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.application.fields import NewThumbnail
from portfolio.application.media.keys import WEB_FORMATS
from portfolio.application.media.thumbnails import (
    RegenerateThumbnails,
    RepairOutcome,
    ThumbnailRepair,
)
from portfolio.application.media.upload import UploadMedia
from portfolio.domain import THUMBNAIL_SIZES, Media, fit_within
from tests import media_samples
from tests.media_fakes import fixed_clock
from tests.media_samples import thumbnail_image


@pytest.fixture
def regenerate(
    repository: InMemoryMediaRepository, storage: InMemoryMediaStorage
) -> RegenerateThumbnails:
    """The use case under test."""
    return RegenerateThumbnails(repository, storage, PillowImageProcessor())


@pytest.fixture
def upload(database: InMemoryDatabase, storage: InMemoryMediaStorage) -> UploadMedia:
    """Uploads into the same database and storage, each with its web variants."""
    return UploadMedia(
        storage, database.media, PillowImageProcessor(), fixed_clock, variants=WEB_FORMATS
    )


@pytest.fixture
async def photo(upload: UploadMedia) -> Media:
    """A camera photo lying on its side (EXIF orientation 6), with thumbnails."""
    return await upload(io.BytesIO(media_samples.jpeg((1600, 1200), orientation=6)), "p.jpg")


def assert_thumbnails_right(media: Media, storage: InMemoryMediaStorage) -> None:
    """All four thumbnails are recorded, stored, JPEG and fitted to the upright size."""
    assert media.width is not None and media.height is not None
    assert [thumb.size for thumb in media.thumbnails] == list(THUMBNAIL_SIZES)
    for thumb in media.thumbnails:
        image = thumbnail_image(storage.files[thumb.key])
        assert image.format == "JPEG"
        assert image.size == fit_within(media.width, media.height, thumb.size)


async def test_right_thumbnails_are_left_alone(
    regenerate: RegenerateThumbnails, photo: Media, storage: InMemoryMediaStorage
) -> None:
    before = dict(storage.files)

    assert await regenerate.repair(photo.id) == ThumbnailRepair(photo.id, RepairOutcome.UNCHANGED)
    assert storage.files == before


async def test_a_missing_thumbnail_file_is_made_again_under_its_own_key(
    regenerate: RegenerateThumbnails,
    repository: InMemoryMediaRepository,
    storage: InMemoryMediaStorage,
    photo: Media,
) -> None:
    storage.delete(photo.thumbnails[0].key)

    report = await regenerate.repair(photo.id)

    assert (report.outcome, report.sizes) == (RepairOutcome.REPAIRED, (64,))
    repaired = await repository.get(photo.id)
    assert repaired is not None
    assert repaired.thumbnails[0].key == photo.thumbnails[0].key
    assert_thumbnails_right(repaired, storage)


async def test_a_wrong_thumbnail_is_replaced_and_its_file_removed(
    regenerate: RegenerateThumbnails,
    repository: InMemoryMediaRepository,
    storage: InMemoryMediaStorage,
    photo: Media,
) -> None:
    wrong_key = photo.thumbnails[2].key
    storage.files[wrong_key] = media_samples.jpeg((10, 10))

    report = await regenerate.repair(photo.id)

    assert (report.outcome, report.sizes) == (RepairOutcome.REPAIRED, (512,))
    repaired = await repository.get(photo.id)
    assert repaired is not None
    assert_thumbnails_right(repaired, storage)
    assert wrong_key not in storage.files
    assert f"{wrong_key}.avif" not in storage.files
    # The original, four thumbnails and their AVIF and WebP variants.
    assert len(storage.files) == 13


async def test_a_thumbnail_in_another_format_counts_as_wrong(
    regenerate: RegenerateThumbnails, storage: InMemoryMediaStorage, photo: Media
) -> None:
    storage.files[photo.thumbnails[1].key] = media_samples.png((96, 128))

    report = await regenerate.repair(photo.id)

    assert report.sizes == (128,)


async def test_missing_thumbnail_records_are_made_again(
    regenerate: RegenerateThumbnails,
    repository: InMemoryMediaRepository,
    storage: InMemoryMediaStorage,
    photo: Media,
) -> None:
    for thumb in photo.thumbnails:
        storage.delete(thumb.key)
    await repository.replace_thumbnails(photo.id, [])

    report = await regenerate.repair(photo.id)

    assert report.sizes == THUMBNAIL_SIZES
    repaired = await repository.get(photo.id)
    assert repaired is not None
    assert_thumbnails_right(repaired, storage)


async def test_thumbnails_of_sizes_no_longer_made_are_removed(
    regenerate: RegenerateThumbnails,
    repository: InMemoryMediaRepository,
    storage: InMemoryMediaStorage,
    photo: Media,
) -> None:
    old_key = "core_media/2026/03/02/thumbnails/p_thumbnail_256x256.jpg"
    storage.files[old_key] = media_samples.jpeg((192, 256))
    current = [NewThumbnail(thumb.key, thumb.size) for thumb in photo.thumbnails]
    await repository.replace_thumbnails(photo.id, [*current, NewThumbnail(old_key, 256)])

    report = await regenerate.repair(photo.id)

    assert (report.outcome, report.sizes) == (RepairOutcome.REPAIRED, ())
    assert report.detail == "removed sizes no longer made: 256"
    repaired = await repository.get(photo.id)
    assert repaired is not None
    assert_thumbnails_right(repaired, storage)
    assert old_key not in storage.files


async def test_force_re_creates_every_thumbnail(
    regenerate: RegenerateThumbnails,
    repository: InMemoryMediaRepository,
    storage: InMemoryMediaStorage,
    photo: Media,
) -> None:
    report = await regenerate.repair(photo.id, force=True)

    assert report.sizes == THUMBNAIL_SIZES
    repaired = await repository.get(photo.id)
    assert repaired is not None
    assert_thumbnails_right(repaired, storage)
    assert len(storage.files) == 13


async def test_a_second_run_finds_nothing_left_to_do(
    regenerate: RegenerateThumbnails, storage: InMemoryMediaStorage, photo: Media
) -> None:
    storage.delete(photo.thumbnails[3].key)
    await regenerate.repair(photo.id)

    assert (await regenerate.repair(photo.id)).outcome is RepairOutcome.UNCHANGED


async def test_a_missing_original_is_reported_as_failed_and_changes_nothing(
    regenerate: RegenerateThumbnails,
    repository: InMemoryMediaRepository,
    storage: InMemoryMediaStorage,
    photo: Media,
) -> None:
    storage.delete(photo.key)

    report = await regenerate.repair(photo.id)

    assert report.outcome is RepairOutcome.FAILED
    assert report.detail == f"the original file {photo.key} is missing"
    assert await repository.get(photo.id) == photo


async def test_a_corrupt_original_is_reported_as_failed_and_leaves_no_new_file(
    regenerate: RegenerateThumbnails, storage: InMemoryMediaStorage, photo: Media
) -> None:
    storage.files[photo.key] = storage.files[photo.key][:1500]
    storage.delete(photo.thumbnails[0].key)

    report = await regenerate.repair(photo.id)

    assert report.outcome is RepairOutcome.FAILED
    assert "The JPEG image cannot be read" in report.detail
    assert len(storage.files) == 12


async def test_documents_and_unknown_ids_are_skipped(
    regenerate: RegenerateThumbnails, upload: UploadMedia
) -> None:
    document = await upload(io.BytesIO(media_samples.pdf()), "a.pdf")

    reports = [report async for report in regenerate.for_ids([document.id, 999])]

    assert [(report.outcome, report.detail) for report in reports] == [
        (RepairOutcome.SKIPPED, "not an image"),
        (RepairOutcome.SKIPPED, "no media has this id"),
    ]


async def test_media_uploaded_before_get_their_variants_and_placeholder(
    database: InMemoryDatabase,
    regenerate: RegenerateThumbnails,
    repository: InMemoryMediaRepository,
    storage: InMemoryMediaStorage,
) -> None:
    old_upload = UploadMedia(storage, database.media, PillowImageProcessor(), fixed_clock)
    photo = await old_upload(io.BytesIO(media_samples.jpeg((1600, 1200))), "p.jpg")
    await repository.update(photo.id, {"placeholder": None})
    assert not any(key.endswith((".avif", ".webp")) for key in storage.files)

    report = await regenerate.repair(photo.id)

    assert (report.outcome, report.sizes) == (RepairOutcome.REPAIRED, ())
    assert report.detail == "made the web variants of 64, 128, 512, 1080; made the placeholder"
    repaired = await repository.get(photo.id)
    assert repaired is not None and repaired.placeholder is not None
    assert len(repaired.placeholder) == 28
    for thumb in repaired.thumbnails:
        jpeg = thumbnail_image(storage.files[thumb.key])
        for suffix, image_format in ((".avif", "AVIF"), (".webp", "WEBP")):
            variant = thumbnail_image(storage.files[thumb.key + suffix])
            assert (variant.format, variant.size) == (image_format, jpeg.size)
    again = await regenerate.repair(photo.id)
    assert again.outcome is RepairOutcome.UNCHANGED
