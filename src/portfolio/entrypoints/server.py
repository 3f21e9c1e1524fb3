"""The HTTP server: granian, with every limit a hostile client could otherwise exhaust.

Granian (Rust, hyper) refuses a request head larger than its buffer or with more than 100
headers before any of it reaches Python, closes a connection whose head has not arrived within
the header timeout (idle keep-alive connections included), and accepts up to
``http_max_connections`` connections per worker. The app itself bounds the wait for each
piece of a body and the body's average rate (BodyTimeout). bench/http_limits.py compares it
with uvicorn and hypercorn.
"""

from __future__ import annotations

import logging
import resource
from typing import Any

from portfolio.entrypoints.http.app import create_app_from_env
from portfolio.entrypoints.logs import logging_config
from portfolio.entrypoints.settings import Settings

logger = logging.getLogger("portfolio.server")

# Connections the kernel queues before the workers accept them.
BACKLOG = 4096
# Descriptors a worker needs besides its connections: database, files, pipes.
SPARE_DESCRIPTORS = 256
# On SIGTERM a worker finishes the requests it holds; one still going after this long (a body
# trickled in under the body deadline, say) is killed, so that a stop never outlasts it.
STOP_SECONDS = 10


def served_app() -> Any:
    """The application as granian's workers serve it. ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed only from the proxies ``PORTFOLIO_TRUSTED_PROXIES`` lists;
    with none listed, the socket's peer is the client and the scheme is the connection's."""
    from granian.utils.proxies import wrap_asgi_with_proxy_headers

    app = create_app_from_env()
    proxies = Settings.from_env().trusted_proxies
    if not proxies:
        return app
    return wrap_asgi_with_proxy_headers(app, [str(network) for network in proxies])


def connection_limit(wanted: int) -> int:
    """Raise this process's open-file limit (which the workers inherit) so each worker can hold
    ``wanted`` connections; return how many it can."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + SPARE_DESCRIPTORS
    if hard != resource.RLIM_INFINITY:
        needed = min(needed, hard)
    if needed > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
        soft = needed
    return max(16, min(wanted, soft - SPARE_DESCRIPTORS))


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve the API until stopped (SIGINT or SIGTERM)."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server import Server

    connections = connection_limit(settings.http_max_connections)
    if connections < settings.http_max_connections:
        logger.warning(
            "the open-file limit allows %d connections per worker, not %d",
            connections,
            settings.http_max_connections,
        )
    Server(
        f"{__name__}:served_app",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        factory=True,
        workers=workers,
        # HTTP/1.1 only: its head limits and header timeout are what the service relies on.
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(
            header_read_timeout=round(settings.http_header_timeout * 1000),
            keep_alive=True,
            max_buffer_size=settings.http_max_header_bytes,
        ),
        backlog=BACKLOG,
        backpressure=connections,
        log_enabled=True,
        log_level=LogLevels(settings.log_level.lower()),
        log_dictconfig=logging_config(settings.log_level, settings.log_format),
        log_access=False,  # the app logs one line per request itself
        respawn_failed_workers=True,
        workers_kill_timeout=STOP_SECONDS,
    ).serve()
