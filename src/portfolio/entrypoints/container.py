"""The composition root: the one place that decides which adapter serves each port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from dependency_injector import containers, providers
from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.filesystem import FilesystemMediaStorage
from portfolio.adapters.pillow import PillowImageProcessor
from portfolio.adapters.postgres import (
    EMPLOYERS,
    LINKS,
    META,
    TAGS,
    Connection,
    PoolSettings,
    PostgresCatalogue,
    PostgresCatalogueChanges,
    PostgresMediaRepository,
    PostgresPortfolioQueries,
    PostgresReadiness,
    PostgresRetryKeys,
    PostgresSharedObjects,
    PostgresTokenStore,
    PostgresUserStore,
    make_pool,
    open_pool,
)
from portfolio.application import (
    Authenticate,
    DeleteMedia,
    EmployerFields,
    GetMedia,
    GetPortfolio,
    LinkFields,
    ListMedia,
    ManageEmployers,
    ManageLinks,
    ManageMeta,
    ManagePortfolios,
    ManageTags,
    ManageTokens,
    ManageUsers,
    MediaLimits,
    MetaFields,
    RegenerateThumbnails,
    Revalidation,
    SafeRetries,
    TagFields,
    UploadMedia,
)
from portfolio.domain import Employer, Link, Meta, Tag
from portfolio.entrypoints.settings import Settings


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


def pool_settings(settings: Settings) -> PoolSettings:
    """The pool's sizes and timeouts from the service settings."""
    return PoolSettings(
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        acquire_timeout=settings.db_acquire_timeout,
    )


@asynccontextmanager
async def opened(container: Container) -> AsyncIterator[None]:
    """Open the container's pool (failing fast when the database is missing), close it after.

    The pool is a plain Singleton opened here rather than an async Resource: an async
    Resource would turn every dependent provider into one that returns awaitables.
    """
    pool: AsyncConnectionPool[Connection] | None = container.pool()
    if pool is None:
        yield
        return
    await open_pool(pool)
    try:
        yield
    finally:
        await pool.close()


class Container(containers.DeclarativeContainer):
    """Adapters and use cases of the service, Postgres-backed."""

    settings = providers.Dependency(instance_of=Settings)
    database_url = providers.Dependency(instance_of=str)
    clock = providers.Object(utc_now)

    pool = providers.Singleton(
        make_pool, conninfo=database_url, settings=providers.Callable(pool_settings, settings)
    )

    portfolio_queries = providers.Singleton(PostgresPortfolioQueries, pool=pool)
    catalogue = providers.Singleton(PostgresCatalogue, pool=pool)
    users = providers.Singleton(PostgresUserStore, pool=pool)
    tokens = providers.Singleton(PostgresTokenStore, pool=pool)
    readiness = providers.Singleton(PostgresReadiness, pool=pool)
    retry_keys = providers.Singleton(PostgresRetryKeys, pool=pool)
    catalogue_changes = providers.Singleton(PostgresCatalogueChanges, pool=pool)
    employer_store = providers.Singleton(
        PostgresSharedObjects[EmployerFields, Employer], pool=pool, table=EMPLOYERS
    )
    tag_store = providers.Singleton(PostgresSharedObjects[TagFields, Tag], pool=pool, table=TAGS)
    link_store = providers.Singleton(
        PostgresSharedObjects[LinkFields, Link], pool=pool, table=LINKS
    )
    meta_store = providers.Singleton(PostgresSharedObjects[MetaFields, Meta], pool=pool, table=META)
    media_storage = providers.Singleton(
        FilesystemMediaStorage,
        root=settings.provided.media_root,
        base_url=settings.provided.media_base_url,
    )
    media_repository = providers.Singleton(PostgresMediaRepository, pool=pool)
    images = providers.Singleton(PillowImageProcessor)
    media_limits = providers.Callable(
        MediaLimits,
        max_bytes=settings.provided.max_upload_bytes,
        max_pixels=settings.provided.max_image_pixels,
    )

    safe_retries = providers.Singleton(SafeRetries, keys=retry_keys, clock=clock)
    revalidation = providers.Singleton(Revalidation, changes=catalogue_changes)
    get_portfolio = providers.Singleton(GetPortfolio, queries=portfolio_queries)
    authenticate = providers.Singleton(Authenticate, tokens=tokens, clock=clock)
    manage_users = providers.Singleton(ManageUsers, users=users)
    manage_tokens = providers.Singleton(ManageTokens, tokens=tokens, users=users, clock=clock)
    manage_portfolios = providers.Singleton(
        ManagePortfolios, catalogue=catalogue, queries=portfolio_queries
    )
    manage_employers = providers.Singleton(ManageEmployers, store=employer_store)
    manage_tags = providers.Singleton(ManageTags, store=tag_store)
    manage_links = providers.Singleton(ManageLinks, store=link_store)
    manage_meta = providers.Singleton(ManageMeta, store=meta_store)

    upload_media = providers.Singleton(
        UploadMedia,
        storage=media_storage,
        catalogue=catalogue,
        images=images,
        clock=clock,
        limits=media_limits,
    )
    get_media = providers.Singleton(GetMedia, repository=media_repository)
    list_media = providers.Singleton(ListMedia, repository=media_repository)
    delete_media = providers.Singleton(
        DeleteMedia, repository=media_repository, storage=media_storage
    )
    regenerate_thumbnails = providers.Singleton(
        RegenerateThumbnails,
        repository=media_repository,
        storage=media_storage,
        images=images,
        limits=media_limits,
    )
