"""Media bytes in a directory on disk, written atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from portfolio.application.media.keys import free_variant, is_safe_key
from portfolio.application.ports import StoredObject

INCOMING_PREFIX = ".incoming-"


class UnsafeKey(ValueError):
    """A key that would name a path outside the media root."""


class FilesystemMediaStorage:
    """MediaStorage under ``root``; keys are relative POSIX paths below it."""

    def __init__(self, root: Path, base_url: str | None = None) -> None:
        self.root = root.resolve()
        self._base_url = base_url

    def path_of(self, key: str) -> Path:
        """The file a key names; UnsafeKey for anything that would leave the root."""
        if not is_safe_key(key):
            raise UnsafeKey(key)
        path = self.root.joinpath(*key.split("/"))
        if not path.resolve().is_relative_to(self.root):
            raise UnsafeKey(key)
        return path

    def save(self, key: str, source: BinaryIO) -> str:
        """Write to a temporary file beside the target, then link it in without overwriting."""
        folder = self.path_of(key).parent
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=INCOMING_PREFIX)
        try:
            with os.fdopen(handle, "wb") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
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
        """Every file below the root, except the temporary ones of writes still under way."""
        for folder, _, names in os.walk(self.root):
            for name in names:
                if name.startswith(INCOMING_PREFIX):
                    continue
                path = Path(folder, name)
                try:
                    status = path.stat()
                except FileNotFoundError:
                    continue  # removed since the folder was read
                yield StoredObject(
                    key=path.relative_to(self.root).as_posix(),
                    size=status.st_size,
                    modified_at=datetime.fromtimestamp(status.st_mtime, UTC),
                )
