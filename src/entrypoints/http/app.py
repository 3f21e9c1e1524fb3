"""The Litestar application: routes, guards, error table and lifespan around a container."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from entrypoints.container import Container, opened
from entrypoints.http.auth import authorized_by
from entrypoints.http.errors import exception_handlers
from entrypoints.http.head_requests import HeadAsGet
from entrypoints.http.health import health, ready
from entrypoints.http.media_files import media_file
from entrypoints.http.portfolios import PortfolioController
from entrypoints.http.request_log import RequestLogMiddleware
from entrypoints.settings import Settings

API_VERSION = "1.0.0"


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Portfolio service",
        version=API_VERSION,
        description=(
            "The API an admin panel and a website call to manage and show delivered projects. "
            "Every `/api/` route needs `Authorization: Token <key>`; see docs/api.md."
        ),
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(path="/")],
        components=Components(
            security_schemes={
                "Token": SecurityScheme(
                    type="apiKey",
                    name="Authorization",
                    security_scheme_in="header",
                    description="`Token <key>`; the keyword is case-insensitive.",
                )
            }
        ),
        security=[{"Token": []}],
    )


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
        route_handlers=[PortfolioController],
        guards=[authorized_by(container.authenticate)],
    )
    handlers: list[Any] = [api, health, ready]
    if settings.serve_media:
        handlers.append(media_file)
    app = Litestar(
        route_handlers=handlers,
        dependencies={
            "portfolio_reads": _from(container, "portfolio_reads"),
            "media_storage": _from(container, "media_storage"),
            "readiness": _from(container, "readiness"),
        },
        exception_handlers=exception_handlers(settings.retry_after_seconds),
        lifespan=[lifespan],
        openapi_config=_openapi(),
        request_max_body_size=settings.max_upload_bytes,
        logging_config=None,
    )
    # Wrapped outside Litestar's routing so unrouted requests (404, 405) are logged too.
    app.asgi_handler = RequestLogMiddleware(HeadAsGet(app.asgi_handler))
    return app


def create_app_from_env() -> Litestar:
    """The application for ``uvicorn --factory``: settings and database from the environment."""
    settings = Settings.from_env()
    if settings.database_url is None:
        raise RuntimeError("PORTFOLIO_DATABASE_URL must be set (the CLI sets it for its workers)")
    return create_app(Container(settings=settings, database_url=settings.database_url))
