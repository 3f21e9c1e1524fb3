"""The edge: what every HTTP request passes through around the Litestar application, as one
declared list, outermost first, each layer with why it stands where it does.

Writing these layers was right where Litestar's own fall short (docs/api.md says why for
CORS and compression); their order is stated here, once.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from portfolio.entrypoints.container import url_lifetime
from portfolio.entrypoints.http.body_timeout import BodyTimeout
from portfolio.entrypoints.http.caching import ApiCaching, shared_cache_control
from portfolio.entrypoints.http.compression import Compression
from portfolio.entrypoints.http.cors import Cors
from portfolio.entrypoints.http.head_requests import HeadAsGet
from portfolio.entrypoints.http.layer import App, HttpScope, Layer, Receive, Send
from portfolio.entrypoints.http.origin import AllowedHosts
from portfolio.entrypoints.http.request_telemetry import RequestTelemetry

if TYPE_CHECKING:
    from collections.abc import Callable

    from portfolio.entrypoints.container import Container
    from portfolio.entrypoints.settings import Settings
    from portfolio.entrypoints.telemetry import Telemetry


def edge(app: App, container: Container, settings: Settings, telemetry: Telemetry) -> App:
    """``app`` inside the edge's layers."""
    layers: list[Callable[[App], Layer] | None] = [
        # Outermost, so that every request is counted, timed, traced and logged with its
        # request id: those a layer below refuses, and unrouted ones (404, 405), too.
        partial(RequestTelemetry, telemetry=telemetry),
        # Outside every refusal, so that a browser of a listed origin (of any origin, on the
        # public routes) can read a 400 or a 408 instead of a network error.
        partial(Cors, origins=settings.cors_allowed_origins),
        # Before anything builds a URL from the Host header.
        partial(AllowedHosts, hosts=settings.allowed_hosts or None),
        # Bounds reading the body for everything inside, the app's handlers too.
        partial(
            BodyTimeout, seconds=settings.http_body_timeout, min_rate=settings.http_body_min_rate
        ),
        # A HEAD runs as its GET inside; out here, its body is dropped.
        HeadAsGet,
        # Outside caching, so that an ETag names the uncompressed bytes and is weakened only on
        # what is compressed.
        Compression if settings.compression else None,
        # Innermost, next to the app: it sees the body as the app made it, and its 304s skip
        # the app while every layer above still sees them. Its use cases come from the
        # container on first use, after any test has overridden its providers.
        partial(
            ApiCaching,
            revalidation=container.revalidation,
            authenticate=container.authenticate,
            public_cache_control=shared_cache_control(
                settings.public_max_age,
                settings.public_s_maxage,
                settings.public_stale_while_revalidate,
                settings.public_stale_if_error,
                url_lifetime(settings),
            ),
            answer_memory_bytes=settings.answer_memory_bytes,
        ),
    ]
    # Each layer calls the next one's ``handle`` straight away: only HTTP requests pass the
    # layers, so which kind of request this is is asked once, here, rather than by each.
    http: App = app
    for layer in reversed(layers):
        if layer is not None:
            http = layer(http).handle
    return _entry(http, app)


def _entry(http: App, app: App) -> App:
    """The edge's ASGI entry: HTTP requests through the layers, the rest (the lifespan)
    straight to ``app``."""

    async def entry(scope: HttpScope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await http(scope, receive, send)
        else:
            await app(scope, receive, send)

    return entry
