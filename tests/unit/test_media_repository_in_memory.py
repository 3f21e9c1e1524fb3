"""The media library contract against the in-memory adapter."""

from __future__ import annotations

import pytest

from portfolio.adapters.memory import InMemoryCatalogue, InMemoryMediaRepository
from tests.media_repository_contract import MediaRepositoryContract


class TestInMemoryMediaRepository(MediaRepositoryContract):
    """Records kept by an InMemoryCatalogue."""

    @pytest.fixture
    def catalogue(self) -> InMemoryCatalogue:
        """An empty in-memory catalogue."""
        return InMemoryCatalogue()

    @pytest.fixture
    def repository(self, catalogue: InMemoryCatalogue) -> InMemoryMediaRepository:
        """The adapter under test."""
        return InMemoryMediaRepository(catalogue)
