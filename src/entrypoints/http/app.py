"""The Litestar application: routes, guards, error table and lifespan around a container."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.types import ASGIApp

from entrypoints.container import Container, opened
from entrypoints.http.auth import authorized_by
from entrypoints.http.employers import EmployerController
from entrypoints.http.errors import exception_handlers
from entrypoints.http.head_requests import HeadAsGet
from entrypoints.http.health import health, ready
from entrypoints.http.links import LinkController
from entrypoints.http.media import MediaController
from entrypoints.http.media_files import media_file
from entrypoints.http.meta import MetaController
from entrypoints.http.openapi import TOKEN, openapi_config, swagger_assets
from entrypoints.http.origin import AllowedHosts
from entrypoints.http.portfolios import PortfolioController
from entrypoints.http.request_log import RequestLogMiddleware
from entrypoints.http.tags import TagController
from entrypoints.http.uploads import upload_body_limit
from entrypoints.settings import Settings

API_VERSION = "1.0.0"


def _from(container: Container, name: str) -> Provide:
    """A Litestar dependency served by one of the container's providers."""
    provider = getattr(container, name)
    return Provide(lambda: provider(), sync_to_thread=False)


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
            EmployerController,
            TagController,
            LinkController,
            MetaController,
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
        dependencies={
            "portfolio_reads": _from(container, "portfolio_reads"),
            "portfolio_authoring": _from(container, "portfolio_authoring"),
            "employer_endpoints": _from(container, "employer_endpoints"),
            "tag_endpoints": _from(container, "tag_endpoints"),
            "link_endpoints": _from(container, "link_endpoints"),
            "meta_endpoints": _from(container, "meta_endpoints"),
            "media_endpoints": _from(container, "media_endpoints"),
            "media_storage": _from(container, "media_storage"),
            "readiness": _from(container, "readiness"),
        },
        exception_handlers=exception_handlers(settings.retry_after_seconds),
        lifespan=[lifespan],
        openapi_config=openapi_config(API_VERSION),
        # The uploads' limit; the JSON routes set their own, smaller one.
        request_max_body_size=upload_body_limit(settings.max_upload_bytes),
        logging_config=None,
    )
    # Wrapped outside Litestar's routing so unrouted requests (404, 405) are logged too.
    inner: ASGIApp = HeadAsGet(app.asgi_handler)
    if settings.allowed_hosts:
        inner = AllowedHosts(inner, settings.allowed_hosts)
    app.asgi_handler = RequestLogMiddleware(inner)
    return app


def create_app_from_env() -> Litestar:
    """The application for ``uvicorn --factory``: settings and database from the environment."""
    settings = Settings.from_env()
    if settings.database_url is None:
        raise RuntimeError("PORTFOLIO_DATABASE_URL must be set (the CLI sets it for its workers)")
    return create_app(Container(settings=settings, database_url=settings.database_url))
