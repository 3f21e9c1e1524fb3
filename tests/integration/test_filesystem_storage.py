"""What only the filesystem store does: file modes, and unfinished writes kept outside the
media root and cleared after a crash. The rest of its behaviour is in the storage contract."""

from __future__ import annotations

import io
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portfolio.adapters.filesystem.storage import FilesystemMediaStorage

KEY = "core_media/2026/03/02/photo.jpg"


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
