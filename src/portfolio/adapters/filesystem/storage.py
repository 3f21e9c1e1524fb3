"""Media bytes in a directory on disk, written atomically, readable by the web server."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from portfolio.application.media.keys import free_variant, is_safe_key
from portfolio.application.ports import StoredObject

logger = logging.getLogger("portfolio.media")

# Unfinished writes are named after their writer, so a start-up can tell its own dead
# predecessors' leftovers from the files of a sibling worker still writing.
_INCOMING = ".incoming-"
# A leftover of another host (a shared volume) is stale once this old: no write takes long.
STALE_AFTER_SECONDS = 3600.0
DEFAULT_FILE_MODE = 0o644


class UnsafeKey(ValueError):
    """A key that would name a path outside the media root."""


def incoming_dir_for(root: Path) -> Path:
    """Where unfinished writes go by default: a hidden sibling of the media root, outside what
    a web server serves, on the same filesystem so a finished file is linked in, not copied."""
    resolved = root.resolve()
    return resolved.parent / f".{resolved.name}.incoming"


def process_umask() -> int:
    """The process's umask, read without changing it where the system tells it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


class FilesystemMediaStorage:
    """MediaStorage under ``root``; keys are relative POSIX paths below it.

    Files are written in ``incoming`` (outside the root) and linked in when complete, with
    ``file_mode`` less the process umask (0644 by default: a web server running as another
    user may serve them).
    """

    def __init__(
        self,
        root: Path,
        base_url: str | None = None,
        *,
        incoming: Path | None = None,
        file_mode: int = DEFAULT_FILE_MODE,
    ) -> None:
        self.root = root.resolve()
        self._base_url = base_url
        self.incoming = (incoming or incoming_dir_for(root)).resolve()
        if self.incoming.is_relative_to(self.root):
            raise ValueError("the directory of unfinished writes must be outside the media root")
        self._mode = file_mode & ~process_umask() & 0o777
        # Host names never hold "@": the pid and host parse back unambiguously.
        self._writer = f"{_INCOMING}{os.getpid()}@{socket.gethostname()}@"

    def path_of(self, key: str) -> Path:
        """The file a key names; UnsafeKey for anything that would leave the root."""
        if not is_safe_key(key):
            raise UnsafeKey(key)
        path = self.root.joinpath(*key.split("/"))
        if not path.resolve().is_relative_to(self.root):
            raise UnsafeKey(key)
        return path

    def save(self, key: str, source: BinaryIO) -> str:
        """Write to a temporary file outside the root, then link it in without overwriting."""
        folder = self.path_of(key).parent
        folder.mkdir(parents=True, exist_ok=True)
        self.incoming.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.incoming, prefix=self._writer)
        try:
            with os.fdopen(handle, "wb") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
                os.fchmod(sink.fileno(), self._mode)
                sink.flush()
                os.fsync(sink.fileno())
            return self._link_free(key, Path(temporary))
        finally:
            Path(temporary).unlink(missing_ok=True)

    def _link_free(self, key: str, temporary: Path) -> str:
        # os.link fails when the name exists, so two writers can never overwrite each other.
        while True:
            used = free_variant(key, self.exists)
            try:
                os.link(temporary, self.path_of(used))
            except FileExistsError:
                continue
            return used

    def open(self, key: str) -> BinaryIO:
        """Open a stored file for reading."""
        return self.path_of(key).open("rb")

    def delete(self, key: str) -> None:
        """Remove a stored file if present."""
        self.path_of(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """Whether a file is stored under ``key``."""
        try:
            return self.path_of(key).is_file()
        except UnsafeKey:
            return False

    def url(self, key: str) -> str | None:
        """The configured base URL followed by the key; None when no base is configured."""
        return None if self._base_url is None else self._base_url + key

    def list_objects(self) -> Iterator[StoredObject]:
        """Every regular file under the root, walked lazily."""
        for folder, _, names in os.walk(self.root):
            for name in names:
                path = Path(folder, name)
                try:
                    status = path.lstat()
                except FileNotFoundError:
                    continue  # removed meanwhile
                if not path.is_symlink() and path.is_file():
                    yield StoredObject(
                        key=path.relative_to(self.root).as_posix(),
                        size=status.st_size,
                        modified_at=datetime.fromtimestamp(status.st_mtime, UTC),
                    )

    def clear_unfinished_writes(self) -> int:
        """At start-up: make sure unfinished writes have a place, and remove those left by
        processes that died; return how many were removed.

        A file of a writer on this host whose process is gone is stale at once; any other
        (another host sharing the volume) once it is an hour old.
        """
        self.incoming.mkdir(parents=True, exist_ok=True)
        host = socket.gethostname()
        removed = 0
        for path in self.incoming.iterdir():
            if not path.name.startswith(_INCOMING) or not _is_stale(path, host):
                continue
            path.unlink(missing_ok=True)
            removed += 1
        if removed:
            logger.info("removed %d unfinished write(s) left in %s", removed, self.incoming)
        return removed


def _is_stale(path: Path, host: str) -> bool:
    pid, _, rest = path.name[len(_INCOMING) :].partition("@")
    writer_host, separated, _ = rest.partition("@")
    if separated and writer_host == host and pid.isdigit():
        return not _alive(int(pid))
    try:
        return time.time() - path.stat().st_mtime > STALE_AFTER_SECONDS
    except FileNotFoundError:
        return False


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
