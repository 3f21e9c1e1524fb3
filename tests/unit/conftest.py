"""Fresh in-memory adapters for the unit tests."""

from __future__ import annotations

import pytest

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.media import InMemoryMediaRepository
from portfolio.adapters.memory.storage import InMemoryMediaStorage


@pytest.fixture
def database() -> InMemoryDatabase:
    """An empty in-memory database."""
    return InMemoryDatabase()


@pytest.fixture
def storage() -> InMemoryMediaStorage:
    """An empty in-memory storage."""
    return InMemoryMediaStorage()


@pytest.fixture
def repository(database: InMemoryDatabase) -> InMemoryMediaRepository:
    """The media library over the database."""
    return database.media
