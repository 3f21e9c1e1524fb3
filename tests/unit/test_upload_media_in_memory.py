"""Uploading media into the in-memory storage."""

from __future__ import annotations

import pytest

from portfolio.adapters.memory.storage import InMemoryMediaStorage
from tests.upload_contract import StoredKeys, UploadMediaContract


class TestUploadMediaInMemory(UploadMediaContract):
    """The upload contract with bytes kept in a dict."""

    @pytest.fixture
    def storage(self) -> InMemoryMediaStorage:
        """An empty in-memory storage."""
        return InMemoryMediaStorage()

    @pytest.fixture
    def stored_keys(self, storage: InMemoryMediaStorage) -> StoredKeys:
        """Lists every key the storage holds."""
        return lambda: list(storage.files)
