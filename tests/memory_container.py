"""The service's container with every port served from memory: no database, no disk."""

from __future__ import annotations

from dependency_injector import providers

from portfolio.adapters.memory import (
    AlwaysReady,
    InMemoryCatalogue,
    InMemoryMediaRepository,
    InMemoryMediaStorage,
    InMemoryRetryKeys,
    InMemoryTokenStore,
    InMemoryUserStore,
)
from portfolio.entrypoints.container import Container, utc_now
from portfolio.entrypoints.settings import Settings


def in_memory_container(settings: Settings | None = None) -> Container:
    """A container whose every port is served from memory: no database, no disk."""
    settings = settings or Settings()
    container = Container(settings=settings, database_url="memory://")
    catalogue = InMemoryCatalogue(clock=utc_now)
    users = InMemoryUserStore()
    container.pool.override(providers.Object(None))
    container.portfolio_queries.override(providers.Object(catalogue))
    container.catalogue.override(providers.Object(catalogue))
    container.catalogue_changes.override(providers.Object(catalogue))
    container.employer_store.override(providers.Object(catalogue.employer_store))
    container.tag_store.override(providers.Object(catalogue.tag_store))
    container.link_store.override(providers.Object(catalogue.link_store))
    container.meta_store.override(providers.Object(catalogue.meta_store))
    container.media_repository.override(providers.Object(InMemoryMediaRepository(catalogue)))
    container.users.override(providers.Object(users))
    container.tokens.override(providers.Object(InMemoryTokenStore(users)))
    container.readiness.override(providers.Object(AlwaysReady()))
    container.retry_keys.override(providers.Object(InMemoryRetryKeys()))
    container.media_storage.override(
        providers.Object(InMemoryMediaStorage(base_url=settings.media_base_url))
    )
    return container
