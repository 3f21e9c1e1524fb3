"""The composition root: the one place that decides which adapter serves each port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from dependency_injector import containers, providers
from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.argon2 import Argon2PasswordHasher
from portfolio.adapters.filesystem import FilesystemMediaStorage
from portfolio.adapters.pillow import PillowImageProcessor
from portfolio.adapters.postgres import (
    EMPLOYERS,
    LINKS,
    META,
    TAGS,
    Connection,
    PoolSettings,
    PostgresFailureCounter,
    PostgresMediaRepository,
    PostgresPortfolios,
    PostgresReadiness,
    PostgresSharedObjects,
    PostgresTokenStore,
    PostgresUserStore,
    make_pool,
    open_pool,
)
from portfolio.application import (
    AdministerUsers,
    Authenticate,
    DeleteMedia,
    EmployerFields,
    FailureCounter,
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
    SignIn,
    TagFields,
    Throttle,
    ThrottleRule,
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


def failure_counter(
    settings: Settings, pool: AsyncConnectionPool[Connection] | None
) -> FailureCounter:
    """Redis when PORTFOLIO_REDIS_URL is set, else the database every process already shares."""
    if settings.redis_url is not None:
        # Imported only when used: redis-py adds 0.4 s to every worker's start-up.
        from portfolio.adapters.redis import RedisFailureCounter

        return RedisFailureCounter(settings.redis_url, settings.redis_prefix)
    if pool is None:
        raise RuntimeError("failure counters need Redis or the database")
    return PostgresFailureCounter(pool)


@asynccontextmanager
async def opened(container: Container) -> AsyncIterator[None]:
    """Open the container's pool (failing fast when the database is missing), close it after,
    and close the Redis client when one was made.

    The pool is a plain Singleton opened here rather than an async Resource: an async
    Resource would turn every dependent provider into one that returns awaitables.
    """
    pool: AsyncConnectionPool[Connection] | None = container.pool()
    if pool is not None:
        await open_pool(pool)
    try:
        yield
    finally:
        if container.settings().redis_url is not None:
            from portfolio.adapters.redis import RedisFailureCounter

            counter = container.failure_counter()
            if isinstance(counter, RedisFailureCounter):
                await counter.close()
        if pool is not None:
            await pool.close()


class Container(containers.DeclarativeContainer):
    """Adapters and use cases of the service, Postgres-backed."""

    settings = providers.Dependency(instance_of=Settings)
    database_url = providers.Dependency(instance_of=str)
    clock = providers.Object(utc_now)

    pool = providers.Singleton(
        make_pool, conninfo=database_url, settings=providers.Callable(pool_settings, settings)
    )

    portfolios = providers.Singleton(PostgresPortfolios, pool=pool)
    users = providers.Singleton(PostgresUserStore, pool=pool)
    tokens = providers.Singleton(PostgresTokenStore, pool=pool)
    readiness = providers.Singleton(PostgresReadiness, pool=pool)
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

    passwords = providers.Singleton(
        Argon2PasswordHasher,
        time_cost=settings.provided.password_time_cost,
        memory_cost_kib=settings.provided.password_memory_kib,
    )
    failure_counter = providers.Singleton(failure_counter, settings=settings, pool=pool)
    sign_in_throttle = providers.Singleton(
        Throttle,
        counter=failure_counter,
        rule=providers.Callable(
            ThrottleRule,
            limit=settings.provided.sign_in_failures,
            window_seconds=settings.provided.throttle_window_seconds,
        ),
    )
    token_throttle = providers.Singleton(
        Throttle,
        counter=failure_counter,
        rule=providers.Callable(
            ThrottleRule,
            limit=settings.provided.token_failures,
            window_seconds=settings.provided.throttle_window_seconds,
        ),
    )

    get_portfolio = providers.Singleton(GetPortfolio, portfolios=portfolios)
    authenticate = providers.Singleton(
        Authenticate, tokens=tokens, clock=clock, throttle=token_throttle
    )
    sign_in = providers.Singleton(
        SignIn,
        users=users,
        tokens=tokens,
        passwords=passwords,
        clock=clock,
        throttle=sign_in_throttle,
        lifetime=providers.Callable(
            lambda hours: timedelta(hours=hours), settings.provided.sign_in_token_hours
        ),
    )
    manage_users = providers.Singleton(ManageUsers, users=users)
    administer_users = providers.Singleton(
        AdministerUsers, users=users, tokens=tokens, passwords=passwords, clock=clock
    )
    manage_tokens = providers.Singleton(ManageTokens, tokens=tokens, users=users, clock=clock)
    manage_portfolios = providers.Singleton(ManagePortfolios, portfolios=portfolios)
    manage_employers = providers.Singleton(ManageEmployers, store=employer_store)
    manage_tags = providers.Singleton(ManageTags, store=tag_store)
    manage_links = providers.Singleton(ManageLinks, store=link_store)
    manage_meta = providers.Singleton(ManageMeta, store=meta_store)

    upload_media = providers.Singleton(
        UploadMedia,
        storage=media_storage,
        repository=media_repository,
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
