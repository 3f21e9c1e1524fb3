"""In-memory adapters for every port: for unit tests and for services embedding the domain."""

from portfolio.adapters.memory.changes import InMemoryChangeNumbers
from portfolio.adapters.memory.database import (
    InMemoryDatabase,
    InMemoryPortfolios,
    InMemorySharedObjects,
)
from portfolio.adapters.memory.media import InMemoryMediaRepository
from portfolio.adapters.memory.readiness import AlwaysReady
from portfolio.adapters.memory.retries import InMemoryRetryKeys
from portfolio.adapters.memory.storage import InMemoryMediaStorage
from portfolio.adapters.memory.throttling import InMemoryFailureCounter
from portfolio.adapters.memory.users import InMemoryTokenStore, InMemoryUserStore

__all__ = [
    "AlwaysReady",
    "InMemoryChangeNumbers",
    "InMemoryDatabase",
    "InMemoryFailureCounter",
    "InMemoryMediaRepository",
    "InMemoryMediaStorage",
    "InMemoryPortfolios",
    "InMemoryRetryKeys",
    "InMemorySharedObjects",
    "InMemoryTokenStore",
    "InMemoryUserStore",
]
