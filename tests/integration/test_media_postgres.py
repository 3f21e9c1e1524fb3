"""The media library and uploads against a real Postgres, in a database made for this run."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.filesystem.storage import FilesystemMediaStorage
from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.adapters.postgres.media import PostgresMediaRepository
from portfolio.adapters.postgres.pool import Connection
from portfolio.adapters.postgres.shared_objects import PostgresSharedObjects
from portfolio.application.fields import META, MetaFields
from portfolio.application.listing import Window
from portfolio.application.media.library import DeleteMedia
from portfolio.application.media.upload import UploadMedia
from portfolio.domain import DuplicateValue, InUse, Referrer
from tests import media_samples
from tests.builders import add_document
from tests.media_fakes import fixed_clock

pytestmark = pytest.mark.postgres


@pytest.fixture
def storage(tmp_path: Path) -> FilesystemMediaStorage:
    """A filesystem media root of this test's own."""
    return FilesystemMediaStorage(tmp_path / "media")


def files_under(storage: FilesystemMediaStorage) -> list[str]:
    """Every file the storage holds, as sorted keys."""
    return sorted(
        path.relative_to(storage.root).as_posix()
        for path in storage.root.rglob("*")
        if path.is_file()
    )


async def test_an_upload_commits_the_record_and_its_thumbnails_together(
    pool: AsyncConnectionPool[Connection], storage: FilesystemMediaStorage
) -> None:
    upload = UploadMedia(
        storage, PostgresMediaRepository(pool), PillowImageProcessor(), fixed_clock
    )

    media = await upload(io.BytesIO(media_samples.jpeg((1600, 1200))), "photo.jpg")

    stored = await PostgresMediaRepository(pool).get(media.id)
    assert stored == media
    assert (stored.width, stored.height, len(stored.thumbnails)) == (1600, 1200, 4)
    assert files_under(storage) == sorted([media.key, *(thumb.key for thumb in media.thumbnails)])


async def test_a_database_error_after_the_files_are_written_leaves_no_file_and_no_row(
    pool: AsyncConnectionPool[Connection], storage: FilesystemMediaStorage
) -> None:
    repository = PostgresMediaRepository(pool)
    # A row whose file is gone: the storage finds the key free, the database refuses it.
    squatter = await add_document(repository, "taken.pdf")
    upload = UploadMedia(storage, repository, PillowImageProcessor(), fixed_clock)

    with pytest.raises(DuplicateValue):
        await upload(io.BytesIO(media_samples.pdf()), "taken.pdf")

    assert files_under(storage) == []
    page = await repository.find(Window(0, 10))
    assert [media.id for media in page.items] == [squatter.id]


async def test_deleting_media_removes_its_row_thumbnails_and_files(
    pool: AsyncConnectionPool[Connection], storage: FilesystemMediaStorage
) -> None:
    repository = PostgresMediaRepository(pool)
    upload = UploadMedia(storage, repository, PillowImageProcessor(), fixed_clock)
    media = await upload(io.BytesIO(media_samples.png()), "gone.png")

    await DeleteMedia(repository, storage)(media.id)

    assert await repository.get(media.id) is None
    assert files_under(storage) == []
    async with pool.connection() as conn:
        cursor = await conn.execute("SELECT count(*) FROM thumbnails")
        assert await cursor.fetchone() == (0,)


async def test_deleting_media_in_use_keeps_its_row_and_files(
    pool: AsyncConnectionPool[Connection], storage: FilesystemMediaStorage
) -> None:
    repository = PostgresMediaRepository(pool)
    upload = UploadMedia(storage, repository, PillowImageProcessor(), fixed_clock)
    media = await upload(io.BytesIO(media_samples.pdf()), "brief.pdf")
    meta = await PostgresSharedObjects(pool, META).add(MetaFields("brief", value_file_id=media.id))

    with pytest.raises(InUse) as refused:
        await DeleteMedia(PostgresMediaRepository(pool), storage)(media.id)

    assert refused.value.referrers == (Referrer("meta", meta.id, field="value_file"),)
    assert files_under(storage) == [media.key]
