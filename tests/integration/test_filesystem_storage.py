"""Media storage contract, on the filesystem (a temporary directory) and in memory."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from portfolio.adapters.filesystem import FilesystemMediaStorage, UnsafeKey
from portfolio.adapters.memory import InMemoryMediaStorage
from portfolio.application import MediaStorage

KEY = "core_media/2026/03/02/photo.jpg"


@pytest.fixture(params=["filesystem", "memory"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> MediaStorage:
    if request.param == "filesystem":
        return FilesystemMediaStorage(tmp_path / "media")
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


def test_concurrent_saves_of_one_key_never_overwrite(tmp_path: Path) -> None:
    storage = FilesystemMediaStorage(tmp_path / "media")
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
    assert not list((tmp_path / "media").rglob(".incoming-*"))
