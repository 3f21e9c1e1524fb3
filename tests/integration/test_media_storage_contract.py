"""Media storage contract: in memory, on the filesystem (a temporary directory) and in an
S3 bucket (a real SeaweedFS on loopback)."""

from __future__ import annotations

import io
import os
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portfolio.adapters.filesystem.storage import FilesystemMediaStorage, UnsafeKey
from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.storage import InMemoryMediaStorage
from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.adapters.s3.storage import PART_SIZE, S3Location, S3MediaStorage, UnsafeObjectKey
from portfolio.application.media.file_types import SNIFF_BYTES, served_type
from portfolio.application.media.keys import WEB_FORMATS, variant_keys
from portfolio.application.media.library import DeleteMedia
from portfolio.application.media.sweep import SweepOrphans
from portfolio.application.media.upload import UploadMedia
from portfolio.application.media.variants import WebVariants
from portfolio.application.ports import MediaStorage
from tests import media_samples
from tests.media_fakes import fixed_clock

KEY = "core_media/2026/03/02/photo.jpg"


@pytest.fixture(params=["memory", "filesystem", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> MediaStorage:
    if request.param == "filesystem":
        return FilesystemMediaStorage(tmp_path / "media")
    if request.param == "s3":
        location: S3Location = request.getfixturevalue("s3_location")
        return S3MediaStorage(location)
    return InMemoryMediaStorage()


def test_saved_bytes_read_back(storage: MediaStorage) -> None:
    assert storage.save(KEY, io.BytesIO(b"abc")) == KEY
    assert storage.exists(KEY)
    with storage.open(KEY) as handle:
        assert handle.read() == b"abc"


def test_a_taken_key_gets_a_suffix_never_an_overwrite(storage: MediaStorage) -> None:
    storage.save(KEY, io.BytesIO(b"first"))
    second = storage.save(KEY, io.BytesIO(b"second"))
    third = storage.save(KEY, io.BytesIO(b"third"))
    assert (second, third) == (
        "core_media/2026/03/02/photo_1.jpg",
        "core_media/2026/03/02/photo_2.jpg",
    )
    with storage.open(KEY) as handle:
        assert handle.read() == b"first"


def test_delete_is_idempotent(storage: MediaStorage) -> None:
    storage.save(KEY, io.BytesIO(b"abc"))
    storage.delete(KEY)
    storage.delete(KEY)
    assert not storage.exists(KEY)
    with pytest.raises(FileNotFoundError):
        storage.open(KEY)


def test_a_store_gives_urls_only_under_a_configured_base(tmp_path: Path) -> None:
    for storage in (FilesystemMediaStorage(tmp_path), InMemoryMediaStorage()):
        assert storage.url(KEY) is None
    for cdn in (
        FilesystemMediaStorage(tmp_path, base_url="https://cdn.example.com/"),
        InMemoryMediaStorage(base_url="https://cdn.example.com/"),
    ):
        assert cdn.url(KEY) == f"https://cdn.example.com/{KEY}"


@pytest.mark.parametrize(
    "key", ["../x", "/etc/passwd", "a/../../x", "a//b", "a\\b", "a/\x00b", "", ".", "a/./b"]
)
def test_filesystem_refuses_keys_that_leave_the_root(tmp_path: Path, key: str) -> None:
    storage = FilesystemMediaStorage(tmp_path / "media")
    with pytest.raises(UnsafeKey):
        storage.save(key, io.BytesIO(b"x"))
    assert not storage.exists(key)


def test_concurrent_saves_of_one_key_never_overwrite(storage: MediaStorage) -> None:
    used: list[str] = []

    def save(n: int) -> None:
        used.append(storage.save(KEY, io.BytesIO(str(n).encode())))

    threads = [threading.Thread(target=save, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(used)) == 16
    contents = set()
    for key in used:
        with storage.open(key) as handle:
            contents.add(handle.read())
    assert contents == {str(n).encode() for n in range(16)}
    assert sorted(stored.key for stored in storage.list_objects()) == sorted(used)


def test_an_empty_store_lists_nothing(storage: MediaStorage) -> None:
    assert list(storage.list_objects()) == []


def test_the_listing_names_every_file_with_its_size_and_time(storage: MediaStorage) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    storage.save(KEY, io.BytesIO(b"abc"))
    storage.save("core_media/2026/03/02/thumbnails/photo_thumbnail_64x64.jpg", io.BytesIO(b"x"))
    storage.save("core_media/2026/03/03/notes.txt", io.BytesIO(b"hello"))

    listed = {stored.key: stored for stored in storage.list_objects()}

    assert {key: stored.size for key, stored in listed.items()} == {
        KEY: 3,
        "core_media/2026/03/02/thumbnails/photo_thumbnail_64x64.jpg": 1,
        "core_media/2026/03/03/notes.txt": 5,
    }
    for stored in listed.values():
        assert before <= stored.modified_at <= datetime.now(UTC) + timedelta(seconds=5)


def test_a_file_is_read_back_from_any_position(storage: MediaStorage) -> None:
    data = os.urandom(300_000)
    storage.save(KEY, io.BytesIO(data))
    with storage.open(KEY) as handle:
        assert handle.seek(0, os.SEEK_END) == len(data)
        handle.seek(123_456)
        assert handle.read(1000) == data[123_456:124_456]
        handle.seek(0)
        assert handle.read() == data


@pytest.mark.parametrize("key", ["../x", "/etc/passwd", "a//b", "a/./b", ""])
def test_s3_refuses_keys_that_are_not_plain_relative_paths(
    s3_location: S3Location, key: str
) -> None:
    storage = S3MediaStorage(s3_location)
    with pytest.raises(UnsafeObjectKey):
        storage.save(key, io.BytesIO(b"x"))
    assert not storage.exists(key)
    assert list(storage.list_objects()) == []


def test_s3_streams_a_file_larger_than_a_part_in_a_multipart_upload(
    s3_location: S3Location,
) -> None:
    storage = S3MediaStorage(s3_location)
    data = os.urandom(2 * PART_SIZE + 12345)
    storage.save(KEY, io.BytesIO(data))
    again = storage.save(KEY, io.BytesIO(b"small"))

    assert again == "core_media/2026/03/02/photo_1.jpg"
    with storage.open(KEY) as handle:
        assert handle.read() == data
    assert {stored.key: stored.size for stored in storage.list_objects()} == {
        KEY: len(data),
        again: 5,
    }


def test_s3_keeps_the_key_prefix_out_of_the_keys_it_lists(s3_location: S3Location) -> None:
    inside = S3MediaStorage(replace(s3_location, prefix="site-a/"))
    other = S3MediaStorage(replace(s3_location, prefix="site-b/"))
    inside.save(KEY, io.BytesIO(b"a"))
    other.save(KEY, io.BytesIO(b"b"))

    assert [stored.key for stored in inside.list_objects()] == [KEY]
    assert not S3MediaStorage(s3_location).exists(KEY)
    assert S3MediaStorage(s3_location).exists(f"site-a/{KEY}")
    with other.open(KEY) as handle:
        assert handle.read() == b"b"


def test_s3_stores_the_type_from_the_content_and_a_long_cache_lifetime(
    s3_location: S3Location,
) -> None:
    storage = S3MediaStorage(s3_location, presign_seconds=60)
    storage.save(KEY, io.BytesIO(media_samples.png()))
    url = storage.url(KEY)
    assert url is not None

    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "image/png"
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert answer.read() == media_samples.png()


def test_a_presigned_url_expires_and_cannot_be_altered(s3_location: S3Location) -> None:
    storage = S3MediaStorage(s3_location, presign_seconds=1)
    storage.save(KEY, io.BytesIO(b"secret"))
    url = storage.url(KEY)
    assert url is not None
    assert "X-Amz-Expires=1&" in url
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.read() == b"secret"

    with pytest.raises(urllib.error.HTTPError) as altered:
        urllib.request.urlopen(url.replace("photo.jpg", "photo_1.jpg"), timeout=10)
    assert altered.value.code == 403
    time.sleep(2.5)
    with pytest.raises(urllib.error.HTTPError) as expired:
        urllib.request.urlopen(url, timeout=10)
    assert expired.value.code == 403


def test_without_credentials_or_a_signature_the_bucket_refuses(s3_location: S3Location) -> None:
    S3MediaStorage(s3_location).save(KEY, io.BytesIO(b"secret"))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_location.endpoint_url}/{s3_location.bucket}/{KEY}")
    assert refused.value.code == 403


def test_a_base_url_wins_over_presigning(s3_location: S3Location) -> None:
    storage = S3MediaStorage(s3_location, base_url="https://cdn.example.com/", presign_seconds=60)
    assert storage.url(KEY) == f"https://cdn.example.com/{KEY}"
    assert S3MediaStorage(s3_location).url(KEY) is None


async def test_thumbnail_variants_live_beside_their_thumbnails_and_go_with_their_media(
    storage: MediaStorage,
) -> None:
    database = InMemoryDatabase()
    images = PillowImageProcessor()
    # One image with every variant at upload (as when a bucket serves the files), one
    # whose variants are made on their first request.
    eager = UploadMedia(storage, database.media, images, fixed_clock, variants=WEB_FORMATS)
    lazy = UploadMedia(storage, database.media, images, fixed_clock)
    first = await eager(io.BytesIO(media_samples.jpeg((900, 600))), "eager.jpg")
    second = await lazy(io.BytesIO(media_samples.png((900, 600))), "lazy.png")
    variants = WebVariants(database.media, storage, images)
    for thumbnail in second.thumbnails:
        for web_format in WEB_FORMATS:
            opened = await variants.open(thumbnail.key, web_format)
            assert opened is not None
            key, handle = opened
            with handle:
                assert served_type(handle.read(SNIFF_BYTES)) == (web_format.value, True)
            assert key == f"{thumbnail.key}{web_format.suffix}"

    every_variant = variant_keys([*first.thumbnails, *second.thumbnails])
    assert len(every_variant) == 16
    assert all(storage.exists(key) for key in every_variant)
    stored = {item.key for item in storage.list_objects()}
    assert set(every_variant) <= stored
    sweep = SweepOrphans(storage, database.media, lambda: datetime.now(UTC) + timedelta(days=1))
    summary = await sweep(await sweep.plan(), apply=False)
    assert summary.orphans == 0

    delete = DeleteMedia(database.media, storage)
    await delete(first.id)
    await delete(second.id)
    assert not any(storage.exists(key) for key in every_variant)
    assert list(storage.list_objects()) == []
