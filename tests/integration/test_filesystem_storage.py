"""Media storage contract, on the filesystem (a temporary directory) and in memory."""

from __future__ import annotations

import io
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portfolio.adapters.filesystem import FilesystemMediaStorage, UnsafeKey
from portfolio.adapters.memory import InMemoryMediaStorage
from portfolio.application import MediaStorage, StoredObject

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


def test_every_stored_file_is_listed_with_its_size_and_time(storage: MediaStorage) -> None:
    before = datetime.now(UTC) - timedelta(seconds=2)
    storage.save(KEY, io.BytesIO(b"abc"))
    storage.save("core_media/2026/03/03/b/c.bin", io.BytesIO(b"12345"))
    storage.save("core_media/2026/03/03/gone.bin", io.BytesIO(b"x"))
    storage.delete("core_media/2026/03/03/gone.bin")

    listed = {item.key: item for item in storage.list_objects()}

    assert {key: item.size for key, item in listed.items()} == {
        KEY: 3,
        "core_media/2026/03/03/b/c.bin": 5,
    }
    for item in listed.values():
        assert isinstance(item, StoredObject)
        assert before <= item.modified_at <= datetime.now(UTC) + timedelta(seconds=2)


def test_an_empty_store_lists_nothing(storage: MediaStorage) -> None:
    assert list(storage.list_objects()) == []


@pytest.mark.parametrize(
    ("mode", "umask", "expected"),
    [(0o644, 0o022, 0o644), (0o644, 0o027, 0o640), (0o664, 0o002, 0o664), (0o600, 0o022, 0o600)],
)
def test_stored_files_get_the_mode_less_the_umask(
    tmp_path: Path, mode: int, umask: int, expected: int
) -> None:
    previous = os.umask(umask)
    try:
        store = FilesystemMediaStorage(tmp_path / "media", file_mode=mode)
    finally:
        os.umask(previous)
    used = store.save(KEY, io.BytesIO(b"abc"))
    assert stat.S_IMODE(store.path_of(used).stat().st_mode) == expected


def test_unfinished_writes_happen_outside_the_media_root(tmp_path: Path) -> None:
    root = tmp_path / "media"
    store = FilesystemMediaStorage(root)
    assert not store.incoming.is_relative_to(root)
    seen: list[set[Path]] = []

    class Watched(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            seen.append({path for path in root.rglob("*") if path.is_file()})
            seen.append(set(store.incoming.iterdir()))
            return super().read(size)

    store.save(KEY, Watched(b"abc" * 1000))
    assert seen and all(not files for files in seen[0::2])  # nothing in the root mid-write
    assert any(seen[1::2])  # the write went to the incoming directory
    assert list(store.incoming.iterdir()) == []
    with pytest.raises(ValueError, match="outside the media root"):
        FilesystemMediaStorage(root, incoming=root / ".incoming")


def test_start_up_clears_the_unfinished_writes_of_dead_processes(tmp_path: Path) -> None:
    store = FilesystemMediaStorage(tmp_path / "media")
    store.clear_unfinished_writes()
    host = socket.gethostname()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    names = {
        "dead": f".incoming-{dead.pid}@{host}@abc",
        "alive": f".incoming-{os.getppid()}@{host}@abc",
        "other-host-young": ".incoming-1@elsewhere@abc",
        "other-host-old": ".incoming-1@elsewhere@old",
        "not-ours": "notes.txt",
    }
    for name in names.values():
        (store.incoming / name).write_bytes(b"partial")
    hours_ago = time.time() - 2 * 3600
    os.utime(store.incoming / names["other-host-old"], (hours_ago, hours_ago))

    assert store.clear_unfinished_writes() == 2

    left = {path.name for path in store.incoming.iterdir()}
    assert left == {names["alive"], names["other-host-young"], names["not-ours"]}
