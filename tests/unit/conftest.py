"""Fresh in-memory adapters for the unit tests."""

from __future__ import annotations

import pytest

from portfolio.adapters.memory import (
    InMemoryCatalogue,
    InMemoryMediaRepository,
    InMemoryMediaStorage,
)


@pytest.fixture
def catalogue() -> InMemoryCatalogue:
    """An empty in-memory catalogue."""
    return InMemoryCatalogue()


@pytest.fixture
def storage() -> InMemoryMediaStorage:
    """An empty in-memory storage."""
    return InMemoryMediaStorage()


@pytest.fixture
def repository(catalogue: InMemoryCatalogue) -> InMemoryMediaRepository:
    """The media library over the catalogue."""
    return InMemoryMediaRepository(catalogue)
