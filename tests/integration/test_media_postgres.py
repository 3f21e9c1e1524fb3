"""The media library and uploads against a real Postgres, in a database made for this run."""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool

from adapters.filesystem import FilesystemMediaStorage
from adapters.pillow import PillowImageProcessor
from adapters.postgres import (
    Connection,
    PoolSettings,
    PostgresCatalogue,
    PostgresMediaRepository,
    make_pool,
    migrate,
    open_pool,
)
from application import DeleteMedia, MetaFields, UploadMedia
from domain import DuplicateValue, MediaInUse
from tests import media_samples
from tests.media_fakes import fixed_clock
from tests.media_repository_contract import MediaRepositoryContract, add_document

pytestmark = pytest.mark.postgres

ADMIN_URL = os.environ.get(
    "PORTFOLIO_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
TABLES = "media, thumbnails, employers, tags, links, meta, portfolios"


@pytest.fixture(scope="session")
def media_database_url() -> Iterator[str]:
    """A fresh, migrated database for this test session, dropped at the end."""
    name = f"media_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"no Postgres at {ADMIN_URL}: {error}")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(ADMIN_URL, dbname=name)
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
async def pool(media_database_url: str) -> AsyncIterator[AsyncConnectionPool[Connection]]:
    """An open pool on an emptied database."""
    pool = make_pool(media_database_url, PoolSettings(min_size=1, max_size=4))
    await open_pool(pool)
    async with pool.connection() as conn:
        await conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
    yield pool
    await pool.close()


class TestPostgresMediaRepository(MediaRepositoryContract):
    """The media library contract over Postgres."""

    @pytest.fixture
    def catalogue(self, pool: AsyncConnectionPool[Connection]) -> PostgresCatalogue:
        """The write side over the test database."""
        return PostgresCatalogue(pool)

    @pytest.fixture
    def repository(self, pool: AsyncConnectionPool[Connection]) -> PostgresMediaRepository:
        """The adapter under test."""
        return PostgresMediaRepository(pool)


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
    upload = UploadMedia(storage, PostgresCatalogue(pool), PillowImageProcessor(), fixed_clock)

    media = await upload(io.BytesIO(media_samples.jpeg((1600, 1200))), "photo.jpg")

    stored = await PostgresMediaRepository(pool).get(media.id)
    assert stored == media
    assert (stored.width, stored.height, len(stored.thumbnails)) == (1600, 1200, 4)
    assert files_under(storage) == sorted(
        [media.key, *(thumb.key for thumb in media.thumbnails)]
    )


async def test_a_database_error_after_the_files_are_written_leaves_no_file_and_no_row(
    pool: AsyncConnectionPool[Connection], storage: FilesystemMediaStorage
) -> None:
    catalogue = PostgresCatalogue(pool)
    repository = PostgresMediaRepository(pool)
    # A row whose file is gone: the storage finds the key free, the database refuses it.
    squatter = await add_document(catalogue, "taken")
    upload = UploadMedia(storage, catalogue, PillowImageProcessor(), fixed_clock)

    with pytest.raises(DuplicateValue):
        await upload(io.BytesIO(media_samples.pdf()), "taken.pdf")

    assert files_under(storage) == []
    page = await repository.page(0, 10)
    assert [media.id for media in page.items] == [squatter.id]


async def test_deleting_media_removes_its_row_thumbnails_and_files(
    pool: AsyncConnectionPool[Connection], storage: FilesystemMediaStorage
) -> None:
    repository = PostgresMediaRepository(pool)
    upload = UploadMedia(storage, PostgresCatalogue(pool), PillowImageProcessor(), fixed_clock)
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
    catalogue = PostgresCatalogue(pool)
    upload = UploadMedia(storage, catalogue, PillowImageProcessor(), fixed_clock)
    media = await upload(io.BytesIO(media_samples.pdf()), "brief.pdf")
    await catalogue.add_meta(MetaFields("brief", value_file_id=media.id))

    with pytest.raises(MediaInUse, match="meta 1 \\(value_file\\)"):
        await DeleteMedia(PostgresMediaRepository(pool), storage)(media.id)

    assert files_under(storage) == [media.key]
