"""In-memory adapters for every port: for unit tests and for services embedding the domain."""

from adapters.memory.catalogue import InMemoryCatalogue, InMemorySharedObjects
from adapters.memory.media import InMemoryMediaRepository
from adapters.memory.readiness import AlwaysReady
from adapters.memory.storage import InMemoryMediaStorage
from adapters.memory.users import InMemoryTokenStore, InMemoryUserStore

__all__ = [
    "AlwaysReady",
    "InMemoryCatalogue",
    "InMemoryMediaRepository",
    "InMemoryMediaStorage",
    "InMemorySharedObjects",
    "InMemoryTokenStore",
    "InMemoryUserStore",
]
