"""The Litestar application: the resources' routes, the error table and the lifespan around a
container, inside the declared edge (``edge``)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.middleware import DefineMiddleware

from portfolio.application.observing import UNOBSERVED
from portfolio.entrypoints.background import running
from portfolio.entrypoints.container import FEED_CONSUMERS, Container, opened
from portfolio.entrypoints.http.accounts.sign_in import AUTH, AuthEndpoints
from portfolio.entrypoints.http.accounts.users import USERS, UserEndpoints
from portfolio.entrypoints.http.audit import AuditEndpoints, list_audit_entries
from portfolio.entrypoints.http.auth import Authorization
from portfolio.entrypoints.http.edge import edge
from portfolio.entrypoints.http.errors import exception_handlers
from portfolio.entrypoints.http.health import health, ready
from portfolio.entrypoints.http.media.files import media_file
from portfolio.entrypoints.http.media.routes import MEDIA, MediaEndpoints
from portfolio.entrypoints.http.media.uploads import FRAMING_ALLOWANCE
from portfolio.entrypoints.http.metrics import metrics
from portfolio.entrypoints.http.openapi import TOKEN, openapi_config, swagger_assets
from portfolio.entrypoints.http.portfolios import PORTFOLIOS, PortfolioEndpoints
from portfolio.entrypoints.http.public import WEBSITE, PublicEndpoints
from portfolio.entrypoints.http.resource import Resource, router, routes
from portfolio.entrypoints.http.shared_objects import SHARED_RESOURCES, shared_endpoints
from portfolio.entrypoints.http.webhooks import WEBHOOKS, WebhookEndpoints
from portfolio.entrypoints.settings import Settings
from portfolio.entrypoints.telemetry import Telemetry
from portfolio.entrypoints.telemetry.feed import sample_feed
from portfolio.entrypoints.telemetry.metrics import forget_dead_workers, record_build_info
from portfolio.entrypoints.telemetry.pool import sample_pool
from portfolio.entrypoints.telemetry.tracing import tracer_provider_from_env
from portfolio.entrypoints.version import service_version

RESOURCES: tuple[tuple[Resource[Any], str], ...] = (
    (MEDIA, "media_endpoints"),
    (USERS, "user_endpoints"),
    (WEBHOOKS, "webhook_endpoints"),
)
"""Every ``/api/`` resource but portfolios and the shared kinds, with the container's provider
of its endpoints."""

ENDPOINTS: dict[str, Callable[..., Any]] = {
    "portfolios": PortfolioEndpoints,
    "shared": shared_endpoints,
    "media": MediaEndpoints,
    "users": UserEndpoints,
    "webhooks": WebhookEndpoints,
    "auth": AuthEndpoints,
    "audit": AuditEndpoints,
    "public": PublicEndpoints,
}
"""What the container builds each resource's endpoints with (``container.web_endpoints``)."""


def provided(provider: Callable[[], Any]) -> Provide:
    """A dependency taken from the container's ``provider`` on first use, after any test has
    overridden the container's providers; the one way handlers receive what it builds."""
    return Provide(lambda: provider(), use_cache=True, sync_to_thread=False)


def _api_routes(container: Container) -> list[Router]:
    """Every ``/api/`` resource's routes, each given its endpoints from the container."""
    shared = container.shared_endpoints.provided
    return [
        routes(PORTFOLIOS, provided(container.portfolio_endpoints)),
        *(routes(resource, provided(shared[resource.path])) for resource in SHARED_RESOURCES),
        *(routes(resource, provided(getattr(container, name))) for resource, name in RESOURCES),
        router("auth", AUTH, provided(container.auth_endpoints)),
        router("audit", [list_audit_entries], provided(container.audit_endpoints)),
    ]


def _dependencies(container: Container) -> dict[str, Provide]:
    """What the operations handlers take, made from the core."""
    return {
        "media_storage": provided(container.media_storage),
        "web_variants": provided(container.web_variants),
        "readiness": provided(container.readiness),
    }


def _telemetry(container: Container, settings: Settings) -> Telemetry:
    """The container's telemetry, which its adapters report to; without one, a telemetry of
    the HTTP layer's own that counts requests only."""
    observer = container.observer()
    if isinstance(observer, Telemetry):
        return observer
    return Telemetry(metrics=settings.metrics)


@asynccontextmanager
async def _observed(container: Container, telemetry: Telemetry) -> AsyncIterator[None]:
    """The telemetry's part of the lifespan: build info, the pool's and the change feed's
    gauges, the last spans."""
    samplers: list[asyncio.Task[None]] = []
    if telemetry.metrics:
        forget_dead_workers()
        record_build_info()
        pool = container.pool()
        if pool is not None:
            samplers.append(asyncio.create_task(sample_pool(pool)))
        # The processes that take part in delivering the feed report its backlog; one that
        # opted out (PORTFOLIO_BACKGROUND=false) serves requests only.
        settings = container.settings()
        consumers = FEED_CONSUMERS if settings.background else ()
        if consumers:
            samplers.append(asyncio.create_task(sample_feed(container.outbox(), consumers)))
    try:
        yield
    finally:
        for sampler in samplers:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
        telemetry.close()


def create_app(container: Container) -> Litestar:
    """An application serving from whatever adapters ``container`` holds, observed by the
    container's ``observer`` when it is a Telemetry."""
    settings: Settings = container.settings()
    telemetry = _telemetry(container, settings)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        works = container.background_works() if settings.background else []
        async with (
            opened(container),
            _observed(container, telemetry),
            running(works, container.leadership()),
        ):
            yield

    api = Router(
        path="/",
        route_handlers=_api_routes(container),
        middleware=[
            # A closure, not the provider itself: Litestar copies what route middleware is
            # defined with, and a copied provider would build stores of its own.
            DefineMiddleware(
                Authorization,
                authenticate=lambda: container.authenticate(),
                proxies=settings.trusted_proxies,
            )
        ],
        security=TOKEN,
    )
    # Open to anyone: no Authorization middleware at all.
    website = router("public", WEBSITE, provided(container.public_endpoints), security=[])
    handlers: list[Any] = [api, website, health, ready, swagger_assets()]
    if settings.serve_media:
        handlers.append(media_file)
    if settings.metrics and settings.metrics_address is None:
        handlers.append(metrics)
    app = Litestar(
        route_handlers=handlers,
        dependencies=_dependencies(container),
        exception_handlers=exception_handlers(settings.retry_after_seconds),
        lifespan=[lifespan],
        openapi_config=openapi_config(service_version()),
        # The uploads' limit, a file with its framing; the JSON routes set their own, smaller one.
        request_max_body_size=settings.max_upload_bytes + FRAMING_ALLOWANCE,
        logging_config=None,
    )
    # Outside Litestar's routing, so that unrouted requests (404, 405) pass the edge too.
    app.asgi_handler = edge(app.asgi_handler, container, settings, telemetry)
    return app


def create_app_from_env() -> Litestar:
    """The application for the server's factory: settings and database from the environment,
    traced when OpenTelemetry's variables (or ``PORTFOLIO_TRACING``) say so."""
    settings = Settings.from_env()
    if settings.database_url is None:
        raise RuntimeError("PORTFOLIO_DATABASE_URL must be set (the CLI sets it for its workers)")
    provider = tracer_provider_from_env(service_version()) if settings.tracing else None
    telemetry = Telemetry(metrics=settings.metrics, tracer_provider=provider)
    # With neither metrics nor spans the adapters need not report their stages at all.
    observer = telemetry if settings.metrics or provider is not None else UNOBSERVED
    app = create_app(
        Container(settings=settings, database_url=settings.database_url, observer=observer)
    )
    # What a worker holds from here to its end (modules, routes, the OpenAPI document) is left
    # out of every later collection: a full collection walked all of it, tens of milliseconds
    # every few dozen list pages, whose thousands of objects each pass through the collector.
    gc.collect()
    gc.freeze()
    return app
