"""Reading, listing and deleting media through the use cases, in memory."""

from __future__ import annotations

import io

import pytest

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.media import InMemoryMediaRepository
from portfolio.adapters.memory.storage import InMemoryMediaStorage
from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.application.fields import NewMedia, TagFields
from portfolio.application.media.library import DeleteMedia, GetMedia, ListMedia
from portfolio.application.media.upload import UploadMedia
from portfolio.domain import InUse, Media, MediaNotFound, PageNotFound, Referrer
from tests import media_samples
from tests.media_fakes import fixed_clock


def text_record(index: int) -> NewMedia:
    """A plain-file record, its file not needed for listing."""
    return NewMedia(key=f"core_media/f{index}.txt", type="text/plain", name="f.txt", size=1)


@pytest.fixture
async def image(database: InMemoryDatabase, storage: InMemoryMediaStorage) -> Media:
    """A PNG uploaded with its four thumbnails."""
    upload = UploadMedia(storage, database.media, PillowImageProcessor(), fixed_clock)
    return await upload(io.BytesIO(media_samples.png()), "logo.png")


async def test_get_media_finds_an_object_by_id_given_as_text(
    repository: InMemoryMediaRepository, image: Media
) -> None:
    assert await GetMedia(repository)(image.id) == image


@pytest.mark.parametrize("raw_id", [0, -1, 12345, 2**63])
async def test_get_media_treats_ids_that_name_nothing_as_not_found(
    repository: InMemoryMediaRepository, raw_id: int
) -> None:
    with pytest.raises(MediaNotFound):
        await GetMedia(repository)(raw_id)


async def test_get_media_of_a_deleted_id_is_not_found(
    repository: InMemoryMediaRepository, storage: InMemoryMediaStorage, image: Media
) -> None:
    await DeleteMedia(repository, storage)(image.id)

    with pytest.raises(MediaNotFound):
        await GetMedia(repository)(image.id)


async def test_list_media_numbers_pages_newest_first_with_the_total(
    repository: InMemoryMediaRepository, database: InMemoryDatabase
) -> None:
    added = [await database.media.add(text_record(index)) for index in range(5)]

    page = await ListMedia(repository)(number=2, size=2)

    assert [media.id for media in page.items] == [added[2].id, added[1].id]
    assert (page.total, page.number, page.last_number) == (5, 2, 3)
    assert page.has_next and page.has_previous


async def test_an_empty_library_has_an_empty_first_page(
    repository: InMemoryMediaRepository,
) -> None:
    page = await ListMedia(repository)(1, 20)

    assert (page.items, page.total, page.has_next, page.has_previous) == ((), 0, False, False)


@pytest.mark.parametrize("number", [2, 10**14])
async def test_a_page_past_the_last_is_not_found_like_every_list(
    repository: InMemoryMediaRepository, database: InMemoryDatabase, number: int
) -> None:
    await database.media.add(text_record(1))

    with pytest.raises(PageNotFound):
        await ListMedia(repository)(number=number, size=20)


async def test_delete_media_removes_the_record_and_every_file(
    repository: InMemoryMediaRepository, storage: InMemoryMediaStorage, image: Media
) -> None:
    deleted = await DeleteMedia(repository, storage)(image.id)

    assert deleted == image
    assert storage.files == {}
    assert await repository.get(image.id) is None


async def test_delete_media_in_use_keeps_record_and_files(
    repository: InMemoryMediaRepository,
    storage: InMemoryMediaStorage,
    database: InMemoryDatabase,
    image: Media,
) -> None:
    tag = await database.tags.add(TagFields("brand", image_id=image.id))

    with pytest.raises(InUse) as refused:
        await DeleteMedia(repository, storage)(image.id)

    assert refused.value.referrers == (Referrer("tag", tag.id, field="image"),)
    assert len(storage.files) == 5
    assert await repository.get(image.id) == image


async def test_delete_media_of_an_unknown_id_is_not_found(
    repository: InMemoryMediaRepository, storage: InMemoryMediaStorage
) -> None:
    with pytest.raises(MediaNotFound):
        await DeleteMedia(repository, storage)(12345)
