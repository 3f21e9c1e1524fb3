"""The service's container with every port served from memory: no database, no disk."""

from __future__ import annotations

from dependency_injector import providers

from portfolio.adapters.argon2.passwords import Argon2PasswordHasher
from portfolio.adapters.memory.changes import InMemoryChangeNumbers
from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.readiness import AlwaysReady
from portfolio.adapters.memory.retries import InMemoryRetryKeys
from portfolio.adapters.memory.storage import InMemoryMediaStorage
from portfolio.adapters.memory.throttling import InMemoryFailureCounter
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.adapters.memory.users import InMemoryTokenStore, InMemoryUserStore
from portfolio.entrypoints.container import Container, utc_now
from portfolio.entrypoints.settings import Settings


def cheap_passwords() -> Argon2PasswordHasher:
    """Argon2id at its cheapest: tests hash many passwords on a shared machine."""
    return Argon2PasswordHasher(time_cost=1, memory_cost_kib=64, parallelism=1)


def in_memory_container(settings: Settings | None = None) -> Container:
    """A container whose every port is served from memory: no database, no disk."""
    settings = settings or Settings()
    container = Container(settings=settings, database_url="memory://")
    changes = InMemoryChangeNumbers()
    database = InMemoryDatabase(clock=utc_now, changes=changes)
    users = InMemoryUserStore(changes)
    container.pool.override(providers.Object(None))
    container.portfolios.override(providers.Object(database.portfolios))
    container.employer_store.override(providers.Object(database.employers))
    container.tag_store.override(providers.Object(database.tags))
    container.link_store.override(providers.Object(database.links))
    container.meta_store.override(providers.Object(database.meta))
    container.media_repository.override(providers.Object(database.media))
    container.users.override(providers.Object(users))
    container.tokens.override(providers.Object(InMemoryTokenStore(users)))
    container.readiness.override(providers.Object(AlwaysReady()))
    container.failure_counter.override(providers.Object(InMemoryFailureCounter()))
    container.passwords.override(providers.Object(cheap_passwords()))
    container.change_numbers.override(providers.Object(changes))
    container.retry_keys.override(providers.Object(InMemoryRetryKeys()))
    container.transactions.override(providers.Object(InMemoryTransactions()))
    container.media_storage.override(
        providers.Object(InMemoryMediaStorage(base_url=settings.media_base_url))
    )
    return container
