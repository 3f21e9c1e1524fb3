"""The Litestar application: routes, guards, error table and lifespan around a container."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache
from typing import Any, TypeVar

from litestar import Litestar, Router
from litestar.di import Provide

from portfolio.entrypoints.container import Container, opened
from portfolio.entrypoints.http.auth import authorized_by
from portfolio.entrypoints.http.caching import ApiCaching
from portfolio.entrypoints.http.errors import exception_handlers
from portfolio.entrypoints.http.forms import JSON_BODY_LIMIT
from portfolio.entrypoints.http.head_requests import HeadAsGet
from portfolio.entrypoints.http.health import health, ready
from portfolio.entrypoints.http.media.files import media_file
from portfolio.entrypoints.http.media.routes import (
    MEDIA,
    MEDIA_OPERATIONS,
    MediaEndpoints,
    list_media,
    upload_media,
)
from portfolio.entrypoints.http.media.uploads import upload_body_limit
from portfolio.entrypoints.http.openapi import TOKEN, openapi_config, swagger_assets
from portfolio.entrypoints.http.origin import AllowedHosts
from portfolio.entrypoints.http.portfolios.routes import (
    PORTFOLIOS,
    PortfolioEndpoints,
    list_portfolios,
)
from portfolio.entrypoints.http.request_log import RequestLogMiddleware
from portfolio.entrypoints.http.resources import (
    ALL_OPERATIONS,
    CREATE,
    DELETE,
    REPLACE,
    RETRIEVE,
    UPDATE,
    Declared,
    SharedObjectEndpoints,
    routes,
)
from portfolio.entrypoints.http.shared_objects import EMPLOYERS, LINKS, META, TAGS
from portfolio.entrypoints.settings import Settings

API_VERSION = "1.0.0"

T = TypeVar("T")


def _once(make: Callable[[], T]) -> Provide:
    """A dependency made on first use (after any test has overridden the container's
    providers) and shared by every request after."""
    return Provide(make, use_cache=True, sync_to_thread=False)


def _api_routes(container: Container) -> list[Router]:
    """Every ``/api/`` resource, its handlers given endpoints made from the core's use cases
    on first use (after any test has overridden the container's providers)."""
    storage, retries = container.media_storage, container.safe_retries

    def form_routes(declared: Declared[Any, Any], manage: Callable[[], Any]) -> Router:
        return routes(
            declared,
            lambda: SharedObjectEndpoints(declared, manage(), storage(), retries()),
            ALL_OPERATIONS,
            request_max_body_size=JSON_BODY_LIMIT,
        )

    return [
        routes(
            PORTFOLIOS,
            lambda: PortfolioEndpoints(
                PORTFOLIOS, container.manage_portfolios(), storage(), retries()
            ),
            (CREATE, RETRIEVE, REPLACE, UPDATE, DELETE),
            handlers=[list_portfolios],
            request_max_body_size=JSON_BODY_LIMIT,
        ),
        form_routes(EMPLOYERS, container.manage_employers),
        form_routes(TAGS, container.manage_tags),
        form_routes(LINKS, container.manage_links),
        form_routes(META, container.manage_meta),
        routes(
            MEDIA,
            lambda: MediaEndpoints(
                container.upload_media(),
                container.get_media(),
                container.list_media(),
                container.delete_media(),
                storage(),
                container.media_limits(),
                retries(),
            ),
            MEDIA_OPERATIONS,
            handlers=[list_media, upload_media],
        ),
    ]


def _dependencies(container: Container) -> dict[str, Provide]:
    """What the operations handlers take, made from the core."""
    return {
        "media_storage": _once(lambda: container.media_storage()),
        "readiness": _once(lambda: container.readiness()),
    }


def create_app(container: Container) -> Litestar:
    """An application serving from whatever adapters ``container`` holds."""
    settings: Settings = container.settings()

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        async with opened(container):
            yield

    api = Router(
        path="/",
        route_handlers=_api_routes(container),
        guards=[authorized_by(container.authenticate)],
        security=TOKEN,
    )
    handlers: list[Any] = [api, health, ready, swagger_assets()]
    if settings.serve_media:
        handlers.append(media_file)
    app = Litestar(
        route_handlers=handlers,
        dependencies=_dependencies(container),
        exception_handlers=exception_handlers(settings.retry_after_seconds),
        lifespan=[lifespan],
        openapi_config=openapi_config(API_VERSION),
        # The uploads' limit; the JSON routes set their own, smaller one.
        request_max_body_size=upload_body_limit(settings.max_upload_bytes),
        logging_config=None,
    )
    # Wrapped outside Litestar's routing so unrouted requests (404, 405) are logged too.
    # Made on first use, after any test has overridden the container's providers.
    caching = ApiCaching(
        app.asgi_handler,
        cache(lambda: container.revalidation()),
        cache(lambda: container.authenticate()),
    )
    inner = AllowedHosts(HeadAsGet(caching), settings.allowed_hosts or None)
    app.asgi_handler = RequestLogMiddleware(inner)
    return app


def create_app_from_env() -> Litestar:
    """The application for ``uvicorn --factory``: settings and database from the environment."""
    settings = Settings.from_env()
    if settings.database_url is None:
        raise RuntimeError("PORTFOLIO_DATABASE_URL must be set (the CLI sets it for its workers)")
    return create_app(Container(settings=settings, database_url=settings.database_url))
