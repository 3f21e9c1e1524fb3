"""The composition root: the one place that decides which adapter serves each port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from dependency_injector import containers, providers

from portfolio.adapters.aesgcm.secrets import AesGcmSecretBox
from portfolio.adapters.argon2.passwords import Argon2PasswordHasher
from portfolio.adapters.filesystem.storage import FilesystemMediaStorage
from portfolio.adapters.http1.receivers import Http1Receivers
from portfolio.adapters.memory.audit import InMemoryAuditLog
from portfolio.adapters.memory.changes import InMemoryChangeNumbers
from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.edge import InMemoryEdgeCache
from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.adapters.memory.leader import SoleLeadership
from portfolio.adapters.memory.readiness import AlwaysReady
from portfolio.adapters.memory.retries import InMemoryRetryKeys
from portfolio.adapters.memory.storage import InMemoryMediaStorage
from portfolio.adapters.memory.throttling import InMemoryFailureCounter
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.adapters.memory.users import InMemoryTokenStore, InMemoryUserStore
from portfolio.adapters.memory.webhooks import InMemoryWebhooks
from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.adapters.postgres.audit import PostgresAuditLog
from portfolio.adapters.postgres.changes import PostgresChangeNumbers
from portfolio.adapters.postgres.journal import PostgresJournal, PostgresOutbox
from portfolio.adapters.postgres.leader import PostgresLeadership
from portfolio.adapters.postgres.media import PostgresMediaRepository
from portfolio.adapters.postgres.pool import BoundedPool, PoolSettings, make_pool, open_pool
from portfolio.adapters.postgres.portfolios import PostgresPortfolios
from portfolio.adapters.postgres.readiness import PostgresReadiness
from portfolio.adapters.postgres.retries import PostgresRetryKeys
from portfolio.adapters.postgres.revisions import PostgresRevisions
from portfolio.adapters.postgres.schedule import PostgresSchedule
from portfolio.adapters.postgres.shared_objects import PostgresSharedObjects
from portfolio.adapters.postgres.statements import PostgresTransactions
from portfolio.adapters.postgres.throttling import PostgresFailureCounter
from portfolio.adapters.postgres.users import PostgresTokenStore, PostgresUserStore
from portfolio.adapters.postgres.webhooks import PostgresWebhooks
from portfolio.adapters.postgres.website import PostgresWebsiteMenus
from portfolio.adapters.s3.readiness import S3Readiness
from portfolio.adapters.s3.storage import S3MediaStorage
from portfolio.adapters.varnish.edge import VarnishEdgeCache
from portfolio.application.accounts.auth import Authenticate, ManageTokens, SignIn
from portfolio.application.accounts.throttle import (
    SignInLimits,
    SignInThrottle,
    Throttle,
    ThrottleRule,
)
from portfolio.application.accounts.unlock import UnlockSignIn
from portfolio.application.accounts.users import Accounts, AdministerUsers
from portfolio.application.audit import PruneAuditLog, ReadAuditLog
from portfolio.application.changes import Journal, Outbox
from portfolio.application.edge import EDGE, EdgeCache, NoEdge, PurgeEdge
from portfolio.application.fields import SHARED_KINDS
from portfolio.application.media.library import ChangeMedia, DeleteMedia, GetMedia, ListMedia
from portfolio.application.media.sweep import SweepOrphans
from portfolio.application.media.thumbnails import RegenerateThumbnails
from portfolio.application.media.upload import MediaLimits, UploadMedia
from portfolio.application.media.variants import WebVariants, variants_at_upload
from portfolio.application.observing import UNOBSERVED
from portfolio.application.portfolios.bulk import BulkPortfolios
from portfolio.application.portfolios.manage import GetPortfolio, ManagePortfolios
from portfolio.application.portfolios.moving import MovePortfolio
from portfolio.application.portfolios.publishing import FireScheduledMoments
from portfolio.application.portfolios.revisions import History, ManageRevisions
from portfolio.application.portfolios.trash import ManageTrash, PurgeExpiredTrash
from portfolio.application.portfolios.website import ShowWebsite
from portfolio.application.ports import (
    FailureCounter,
    MediaStorage,
    ReadinessProbe,
    SharedObjects,
    Transactions,
)
from portfolio.application.retries import SafeRetries
from portfolio.application.revalidation import Revalidation
from portfolio.application.shared_objects import ManageSharedObjects
from portfolio.application.webhooks.delivery import WEBHOOKS, FanOutEvents, SendDeliveries
from portfolio.application.webhooks.manage import ManageWebhooks
from portfolio.application.webhooks.targets import TargetGuard
from portfolio.entrypoints.background import Work
from portfolio.entrypoints.settings import Settings, SettingsError


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


def pool_settings(settings: Settings) -> PoolSettings:
    """The pool's sizes and timeouts from the service settings."""
    return PoolSettings(
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        acquire_timeout=min(settings.db_acquire_timeout, settings.db_deadline),
        deadline=settings.db_deadline,
    )


def build_media_storage(settings: Settings, storage: str) -> MediaStorage:
    """The media store named ``storage`` ("filesystem" or "s3"), as the settings describe it."""
    if storage == "filesystem":
        return FilesystemMediaStorage(
            settings.media_root,
            base_url=settings.media_base_url,
            incoming=settings.media_incoming_dir,
            file_mode=settings.media_file_mode,
        )
    s3 = settings.s3
    if s3 is None:
        raise SettingsError("PORTFOLIO_S3_BUCKET must be set to use the s3 storage")
    return S3MediaStorage(
        s3.location, base_url=settings.media_base_url, presign_seconds=s3.presign_seconds
    )


def url_lifetime(settings: Settings) -> timedelta | None:
    """How long the media URLs in an answer stay valid: presigned ones expire, others not."""
    s3 = settings.s3
    presigned = settings.storage == "s3" and settings.media_base_url is None
    if not presigned or s3 is None or s3.presign_seconds == 0:
        return None
    return timedelta(seconds=s3.presign_seconds)


FEED_CONSUMERS = (WEBHOOKS, EDGE)
"""The consumers of the change feed: events are queued for both, whatever this process's
settings.

Webhooks: an event costs one more row in the statement that records the change, and the
fan-out drops at once what no endpoint subscribed to; queuing only while some endpoint exists
would need every write to ask, and would lose the events of the moment between a registration
and every process seeing it. The edge: the process that writes may lack the edge settings (an
operator's shell) while the one leading the background work has them; a leader with the edge
off forgets the events (``NoEdge``).
"""


def build_edge_cache(settings: Settings) -> EdgeCache:
    """The edge cache PORTFOLIO_EDGE names (``NoEdge``: off)."""
    if settings.edge == "varnish":
        return VarnishEdgeCache(settings.edge_urls, timeout=settings.edge_timeout)
    return NoEdge()


def memory_edge_cache(settings: Settings) -> EdgeCache:
    """An edge in memory that records its purges, when the settings turn the edge on."""
    return NoEdge() if settings.edge == "off" else InMemoryEdgeCache()


def edge_purger(outbox: Outbox, edge: EdgeCache, timeout: float) -> PurgeEdge:
    """The work that purges the edge (or forgets the events, where there is none). Claimed
    purges are held for well over a purge's ``timeout``: a process killed holding them leaves
    them due again then."""
    return PurgeEdge(outbox, edge, lease_seconds=max(10.0, 4 * timeout))


def works_in_service(*works: Work | None) -> list[Work]:
    """The background works this configuration runs."""
    return [work for work in works if work is not None]


def webhook_observer(settings: Settings) -> Any:
    """Metrics and the log for webhook attempts (imported on first use, like the HTTP app)."""
    from portfolio.entrypoints.telemetry.webhooks import WebhookTelemetry

    return WebhookTelemetry(counted=settings.metrics)


def webhook_event_data(**uses: Any) -> Any:
    """What webhook events hold: objects in their API shape (the HTTP layer's wire Structs,
    imported on first use)."""
    from portfolio.entrypoints.http.webhook_events import api_shapes

    return api_shapes(**uses)


def postgres_shared_stores(pool: BoundedPool) -> dict[str, PostgresSharedObjects[Any, Any]]:
    """Every kind of shared object's store (``SHARED_KINDS``), by its plural."""
    return {kind.plural: PostgresSharedObjects(pool, kind) for kind in SHARED_KINDS}


def manage_shared_objects(
    stores: Mapping[str, SharedObjects[Any, Any]], transactions: Transactions, journal: Journal
) -> dict[str, ManageSharedObjects[Any, Any]]:
    """Every kind of shared object's use case, by its plural, over its store."""
    return {
        kind.plural: ManageSharedObjects(stores[kind.plural], kind, transactions, journal)
        for kind in SHARED_KINDS
    }


def web_endpoints(resource: str, **uses: Any) -> Any:
    """The HTTP endpoints of ``resource`` (``http.app.ENDPOINTS``), made from ``uses``; the
    HTTP modules are imported on first use, so that the command line never loads the web
    framework."""
    from portfolio.entrypoints.http.app import ENDPOINTS

    return ENDPOINTS[resource](**uses)


class AllReady:
    """ReadinessProbe: ready while every one of ``probes`` is, asked at the same time."""

    def __init__(self, *probes: ReadinessProbe) -> None:
        self._probes = probes

    async def ready(self) -> bool:
        """Whether every backing service answers now."""
        answers = await asyncio.gather(*(probe.ready() for probe in self._probes))
        return all(answers)


def readiness_of(database: ReadinessProbe, storage: MediaStorage) -> ReadinessProbe:
    """The database's readiness, and the bucket's when media live in one."""
    if isinstance(storage, S3MediaStorage):
        return AllReady(database, S3Readiness(storage))
    return database


def failure_counter(settings: Settings, pool: BoundedPool | None) -> FailureCounter:
    """Redis when PORTFOLIO_REDIS_URL is set, else the database every process already shares."""
    if settings.redis_url is not None:
        # Imported only when used: redis-py adds 0.4 s to every worker's start-up.
        from portfolio.adapters.redis.throttling import RedisFailureCounter

        return RedisFailureCounter(settings.redis_url, settings.redis_prefix)
    if pool is None:
        raise RuntimeError("failure counters need Redis or the database")
    return PostgresFailureCounter(pool)


@asynccontextmanager
async def opened(container: Container) -> AsyncIterator[None]:
    """Open the container's pool (failing fast when the database is missing), close it after,
    and close the Redis client when one was made; first, clear the unfinished writes a crashed
    process left.

    The pool is a plain Singleton opened here rather than an async Resource: an async
    Resource would turn every dependent provider into one that returns awaitables.
    """
    storage = container.media_storage()
    if isinstance(storage, FilesystemMediaStorage):
        await asyncio.to_thread(storage.clear_unfinished_writes)
    pool: BoundedPool | None = container.pool()
    if pool is not None:
        await open_pool(pool)
    try:
        yield
    finally:
        if container.settings().redis_url is not None:
            from portfolio.adapters.redis.throttling import RedisFailureCounter

            counter = container.failure_counter()
            if isinstance(counter, RedisFailureCounter):
                await counter.close()
        if pool is not None:
            await pool.close()


class Container(containers.DeclarativeContainer):
    """Adapters and use cases of the service, Postgres-backed."""

    settings = providers.Dependency(instance_of=Settings)
    database_url = providers.Dependency(instance_of=str)
    # What the adapters report their stages to (the HTTP app gives its telemetry).
    observer = providers.Dependency(instance_of=object, default=UNOBSERVED)
    clock = providers.Object(utc_now)

    pool = providers.Singleton(
        make_pool,
        conninfo=database_url,
        settings=providers.Callable(pool_settings, settings),
        observer=observer,
    )

    transactions = providers.Singleton(PostgresTransactions, pool=pool)
    journal = providers.Singleton(PostgresJournal, pool=pool, consumers=FEED_CONSUMERS)
    outbox = providers.Singleton(PostgresOutbox, pool=pool)
    audit_log = providers.Singleton(PostgresAuditLog, pool=pool)
    schedule = providers.Singleton(PostgresSchedule, pool=pool)
    webhooks = providers.Singleton(PostgresWebhooks, pool=pool)
    website_menus = providers.Singleton(PostgresWebsiteMenus, pool=pool)
    leadership = providers.Singleton(PostgresLeadership, conninfo=database_url)
    portfolios = providers.Singleton(PostgresPortfolios, pool=pool)
    revisions = providers.Singleton(PostgresRevisions, pool=pool)
    users = providers.Singleton(PostgresUserStore, pool=pool)
    tokens = providers.Singleton(PostgresTokenStore, pool=pool)
    database_readiness = providers.Singleton(PostgresReadiness, pool=pool)
    retry_keys = providers.Singleton(PostgresRetryKeys, pool=pool)
    change_numbers = providers.Singleton(PostgresChangeNumbers, pool=pool)
    # Every kind of shared object's store, by its plural (``SHARED_KINDS``); a kind the rest
    # of the service names has its own provider below, an item of these.
    shared_stores = providers.Singleton(postgres_shared_stores, pool=pool)
    employer_store = shared_stores.provided["employers"]
    tag_store = shared_stores.provided["tags"]
    link_store = shared_stores.provided["links"]
    meta_store = shared_stores.provided["meta"]
    media_storage = providers.Singleton(
        build_media_storage, settings=settings, storage=settings.provided.storage
    )
    readiness = providers.Singleton(
        readiness_of, database=database_readiness, storage=media_storage
    )
    media_repository = providers.Singleton(PostgresMediaRepository, pool=pool)
    images = providers.Singleton(PillowImageProcessor, observer=observer)
    media_limits = providers.Callable(
        MediaLimits,
        max_bytes=settings.provided.max_upload_bytes,
        max_pixels=settings.provided.max_image_pixels,
    )

    safe_retries = providers.Singleton(
        SafeRetries, keys=retry_keys, transactions=transactions, clock=clock
    )
    revalidation = providers.Singleton(
        Revalidation,
        changes=change_numbers,
        clock=clock,
        url_lifetime=providers.Callable(url_lifetime, settings),
    )
    passwords = providers.Singleton(
        Argon2PasswordHasher,
        time_cost=settings.provided.password_time_cost,
        memory_cost_kib=settings.provided.password_memory_kib,
    )
    failure_counter = providers.Singleton(failure_counter, settings=settings, pool=pool)
    sign_in_throttle = providers.Singleton(
        SignInThrottle,
        counter=failure_counter,
        limits=providers.Callable(
            SignInLimits,
            per_name_from_address=settings.provided.sign_in_failures,
            per_address=settings.provided.sign_in_address_failures,
            per_name=settings.provided.sign_in_username_failures,
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
    accounts = providers.Singleton(
        Accounts,
        users=users,
        tokens=tokens,
        passwords=passwords,
        clock=clock,
        transactions=transactions,
        journal=journal,
    )
    sign_in = providers.Singleton(
        SignIn,
        accounts=accounts,
        throttle=sign_in_throttle,
        lifetime=providers.Callable(
            lambda hours: timedelta(hours=hours), settings.provided.sign_in_token_hours
        ),
    )
    unlock_sign_in = providers.Singleton(
        UnlockSignIn,
        users=users,
        throttle=sign_in_throttle,
        transactions=transactions,
        journal=journal,
    )
    administer_users = providers.Singleton(AdministerUsers, accounts=accounts)
    manage_tokens = providers.Singleton(
        ManageTokens,
        tokens=tokens,
        users=users,
        clock=clock,
        transactions=transactions,
        journal=journal,
    )
    read_audit_log = providers.Singleton(ReadAuditLog, log=audit_log)
    prune_audit_log = providers.Singleton(
        PruneAuditLog, log=audit_log, transactions=transactions, journal=journal, clock=clock
    )
    history = providers.Singleton(
        History, revisions=revisions, keep=settings.provided.revisions_kept
    )
    manage_portfolios = providers.Singleton(
        ManagePortfolios,
        portfolios=portfolios,
        transactions=transactions,
        journal=journal,
        history=history,
    )
    move_portfolio = providers.Singleton(
        MovePortfolio,
        portfolios=portfolios,
        transactions=transactions,
        journal=journal,
        history=history,
    )
    bulk_portfolios = providers.Singleton(
        BulkPortfolios,
        portfolios=portfolios,
        tags=tag_store,
        transactions=transactions,
        journal=journal,
        history=history,
    )
    manage_revisions = providers.Singleton(
        ManageRevisions,
        portfolios=portfolios,
        revisions=revisions,
        history=history,
        transactions=transactions,
        journal=journal,
    )
    manage_trash = providers.Singleton(
        ManageTrash, portfolios=portfolios, transactions=transactions, journal=journal
    )
    manage_shared = providers.Singleton(
        manage_shared_objects, stores=shared_stores, transactions=transactions, journal=journal
    )
    # The kinds a portfolio refers to, which bulk actions, events and the demo name.
    manage_employers = manage_shared.provided["employers"]
    manage_tags = manage_shared.provided["tags"]
    manage_links = manage_shared.provided["links"]
    manage_meta = manage_shared.provided["meta"]

    upload_media = providers.Singleton(
        UploadMedia,
        storage=media_storage,
        repository=media_repository,
        images=images,
        clock=clock,
        limits=media_limits,
        transactions=transactions,
        journal=journal,
        variants=providers.Callable(variants_at_upload, media_storage),
    )
    web_variants = providers.Singleton(
        WebVariants,
        repository=media_repository,
        storage=media_storage,
        images=images,
        limits=media_limits,
    )
    get_media = providers.Singleton(GetMedia, repository=media_repository)
    change_media = providers.Singleton(
        ChangeMedia, repository=media_repository, transactions=transactions, journal=journal
    )
    list_media = providers.Singleton(ListMedia, repository=media_repository)
    delete_media = providers.Singleton(
        DeleteMedia,
        repository=media_repository,
        storage=media_storage,
        transactions=transactions,
        journal=journal,
    )
    sweep_orphans = providers.Singleton(
        SweepOrphans, storage=media_storage, repository=media_repository, clock=clock
    )
    regenerate_thumbnails = providers.Singleton(
        RegenerateThumbnails,
        repository=media_repository,
        storage=media_storage,
        images=images,
        limits=media_limits,
        transactions=transactions,
        journal=journal,
    )

    show_website = providers.Singleton(ShowWebsite, portfolios=portfolios, menus=website_menus)

    webhook_box = providers.Singleton(AesGcmSecretBox, keys=settings.provided.webhooks_keys)
    webhook_receivers = providers.Singleton(Http1Receivers)
    webhook_guard = providers.Singleton(
        TargetGuard,
        receivers=webhook_receivers,
        allow_private=settings.provided.webhooks_allow_private_targets,
    )
    manage_webhooks = providers.Singleton(
        ManageWebhooks,
        store=webhooks,
        journal=journal,
        transactions=transactions,
        box=webhook_box,
        guard=webhook_guard,
        clock=clock,
    )
    webhook_events = providers.Singleton(
        webhook_event_data,
        storage=media_storage,
        public_url=settings.provided.public_url,
        portfolio=get_portfolio,
        media=get_media,
        employer=manage_employers.provided.get,
        tag=manage_tags.provided.get,
        link=manage_links.provided.get,
        meta=manage_meta.provided.get,
    )

    # What the leader of the background work does (entrypoints/background.py).
    fire_scheduled_moments = providers.Singleton(
        FireScheduledMoments,
        schedule=schedule,
        portfolios=portfolios,
        journal=journal,
        transactions=transactions,
        clock=clock,
    )
    edge_cache = providers.Singleton(build_edge_cache, settings)
    purge_edge = providers.Singleton(
        edge_purger, outbox=outbox, edge=edge_cache, timeout=settings.provided.edge_timeout
    )
    fan_out_webhooks = providers.Singleton(
        FanOutEvents,
        outbox=outbox,
        queue=webhooks,
        events=webhook_events,
        transactions=transactions,
    )
    send_webhooks = providers.Singleton(
        SendDeliveries,
        queue=webhooks,
        box=webhook_box,
        guard=webhook_guard,
        transactions=transactions,
        journal=journal,
        clock=clock,
        observer=providers.Singleton(webhook_observer, settings),
        concurrency=settings.provided.webhooks_concurrency,
    )
    purge_expired_trash = providers.Singleton(
        PurgeExpiredTrash,
        portfolios=portfolios,
        transactions=transactions,
        journal=journal,
        clock=clock,
        kept_for=providers.Callable(
            lambda days: timedelta(days=days), settings.provided.trash_days
        ),
    )
    background_works = providers.Callable(
        works_in_service,
        fire_scheduled_moments,
        purge_expired_trash,
        fan_out_webhooks,
        send_webhooks,
        purge_edge,
    )

    # The HTTP endpoints, one per resource: what each resource's operations call.
    portfolio_endpoints = providers.Singleton(
        web_endpoints,
        "portfolios",
        manage=manage_portfolios,
        trash=manage_trash,
        revisions=manage_revisions,
        move=move_portfolio,
        bulk=bulk_portfolios,
        storage=media_storage,
        retries=safe_retries,
    )
    shared_endpoints = providers.Singleton(
        web_endpoints, "shared", manage=manage_shared, storage=media_storage, retries=safe_retries
    )
    media_endpoints = providers.Singleton(
        web_endpoints,
        "media",
        upload=upload_media,
        get_media=get_media,
        list_media=list_media,
        change_media=change_media,
        delete_media=delete_media,
        limits=media_limits,
        storage=media_storage,
        retries=safe_retries,
    )
    user_endpoints = providers.Singleton(
        web_endpoints,
        "users",
        manage=administer_users,
        tokens=manage_tokens,
        unlock_sign_in=unlock_sign_in,
        storage=media_storage,
        retries=safe_retries,
    )
    public_endpoints = providers.Singleton(
        web_endpoints,
        "public",
        website=show_website,
        storage=media_storage,
        public_url=settings.provided.public_url,
    )
    webhook_endpoints = providers.Singleton(
        web_endpoints,
        "webhooks",
        manage=manage_webhooks,
        storage=media_storage,
        retries=safe_retries,
    )
    audit_endpoints = providers.Singleton(web_endpoints, "audit", read=read_audit_log)
    auth_endpoints = providers.Singleton(
        web_endpoints,
        "auth",
        sign_in=sign_in,
        tokens=manage_tokens,
        proxies=settings.provided.trusted_proxies,
    )


class InMemoryAdapters(containers.DeclarativeContainer):
    """Every port served from memory, no database and no disk: a container to override a
    Container with (``in_memory``), for tests and for services that embed this one."""

    settings = providers.Dependency(instance_of=Settings)
    change_numbers = providers.Singleton(InMemoryChangeNumbers)
    database = providers.Singleton(InMemoryDatabase, clock=utc_now, changes=change_numbers)
    pool: providers.Object[None] = providers.Object(None)
    transactions = providers.Singleton(InMemoryTransactions)
    journal = providers.Singleton(
        InMemoryJournal,
        consumers=FEED_CONSUMERS,
        clock=utc_now,
        changes=change_numbers,
    )
    outbox = journal
    audit_log = providers.Singleton(InMemoryAuditLog, journal=journal)
    schedule = database.provided.schedule
    webhooks = providers.Singleton(InMemoryWebhooks, clock=utc_now)
    website_menus = database.provided.menus
    leadership = providers.Singleton(SoleLeadership)
    edge_cache = providers.Singleton(memory_edge_cache, settings)
    portfolios = database.provided.portfolios
    revisions = database.provided.revisions
    shared_stores = database.provided.shared
    media_repository = database.provided.media
    users = providers.Singleton(InMemoryUserStore, changes=change_numbers)
    tokens = providers.Singleton(InMemoryTokenStore, users=users)
    retry_keys = providers.Singleton(InMemoryRetryKeys)
    failure_counter = providers.Singleton(InMemoryFailureCounter)
    readiness = providers.Singleton(AlwaysReady)
    media_storage = providers.Singleton(
        InMemoryMediaStorage, base_url=settings.provided.media_base_url
    )


def in_memory(settings: Settings) -> Container:
    """The service's container with every port served from memory."""
    container = Container(settings=settings, database_url="memory://")
    container.override(InMemoryAdapters(settings=settings))
    return container
