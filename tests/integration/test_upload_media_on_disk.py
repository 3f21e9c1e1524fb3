"""Uploading media onto the filesystem."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.adapters.filesystem.storage import FilesystemMediaStorage
from tests.upload_contract import StoredKeys, UploadMediaContract


class TestUploadMediaOnDisk(UploadMediaContract):
    """The upload contract with files in a temporary media root."""

    @pytest.fixture
    def storage(self, tmp_path: Path) -> FilesystemMediaStorage:
        """A media root under the test's temporary directory."""
        return FilesystemMediaStorage(tmp_path / "media")

    @pytest.fixture
    def stored_keys(self, storage: FilesystemMediaStorage) -> StoredKeys:
        """Lists every file below the media root."""
        # Every file counts, temporary ".incoming-" ones included: none may be left over.
        return lambda: [
            path.relative_to(storage.root).as_posix()
            for path in storage.root.rglob("*")
            if path.is_file()
        ]
