"""The Litestar application: routes, guards, error table and lifespan around a container."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from litestar import Litestar, Router
from litestar.di import Provide

from entrypoints.container import Container, opened
from entrypoints.http.auth import authorized_by
from entrypoints.http.errors import exception_handlers
from entrypoints.http.head_requests import HeadAsGet
from entrypoints.http.health import health, ready
from entrypoints.http.media import MediaController, MediaEndpoints
from entrypoints.http.media_files import media_file
from entrypoints.http.openapi import TOKEN, openapi_config, swagger_assets
from entrypoints.http.origin import AllowedHosts
from entrypoints.http.portfolios import PortfolioAuthoring, PortfolioController, PortfolioReads
from entrypoints.http.request_log import RequestLogMiddleware
from entrypoints.http.resources import SharedObject, SharedObjectEndpoints, shared_object_routes
from entrypoints.http.shared_objects import EMPLOYERS, LINKS, META, TAGS
from entrypoints.http.uploads import upload_body_limit
from entrypoints.settings import Settings

API_VERSION = "1.0.0"

T = TypeVar("T")


def _once(make: Callable[[], T]) -> Provide:
    """A dependency made on first use (after any test has overridden the container's
    providers) and shared by every request after."""
    return Provide(make, use_cache=True, sync_to_thread=False)


def _shared_object_routes(container: Container) -> list[Router]:
    """The declared shared objects' routes, each served by its use cases from the core."""
    storage = container.media_storage

    def routes(declared: SharedObject[Any, Any], manage: Callable[[], Any]) -> Router:
        return shared_object_routes(
            declared, lambda: SharedObjectEndpoints(declared, manage(), storage())
        )

    return [
        routes(EMPLOYERS, container.manage_employers),
        routes(TAGS, container.manage_tags),
        routes(LINKS, container.manage_links),
        routes(META, container.manage_meta),
    ]


def _dependencies(container: Container) -> dict[str, Provide]:
    """What the portfolio, media and operations handlers take, made from the core."""
    storage = container.media_storage
    return {
        "portfolio_reads": _once(lambda: PortfolioReads(container.get_portfolio(), storage())),
        "portfolio_authoring": _once(
            lambda: PortfolioAuthoring(
                container.manage_portfolios(), container.get_portfolio(), storage()
            )
        ),
        "media_endpoints": _once(
            lambda: MediaEndpoints(
                container.upload_media(),
                container.get_media(),
                container.list_media(),
                container.delete_media(),
                storage(),
                container.media_limits(),
            )
        ),
        "media_storage": _once(lambda: storage()),
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
        route_handlers=[
            PortfolioController,
            *_shared_object_routes(container),
            MediaController,
        ],
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
    inner = AllowedHosts(HeadAsGet(app.asgi_handler), settings.allowed_hosts or None)
    app.asgi_handler = RequestLogMiddleware(inner)
    return app


def create_app_from_env() -> Litestar:
    """The application for ``uvicorn --factory``: settings and database from the environment."""
    settings = Settings.from_env()
    if settings.database_url is None:
        raise RuntimeError("PORTFOLIO_DATABASE_URL must be set (the CLI sets it for its workers)")
    return create_app(Container(settings=settings, database_url=settings.database_url))
