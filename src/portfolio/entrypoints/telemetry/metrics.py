"""The service's Prometheus metrics, right with any number of worker processes.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``portfolio serve`` sets it before any worker starts)
each worker writes its values into files there, and a scrape answered by any worker adds up
the files of all of them. Without it the values live in this process alone. The variable is
read once, when prometheus-client is first imported, so it must be set before that.
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from portfolio.entrypoints.version import service_version

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4"
"""The media type of what ``exposition`` writes: Prometheus' text format, which every
Prometheus version reads (UTF-8; the HTTP layer adds the charset)."""

REGISTRY = CollectorRegistry()
"""The service's metrics (in a process of their own, the values to serve)."""

UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route took (404, 405): never the raw path."""

_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_WAIT_SECONDS = (0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0)
_MB = 1024 * 1024
_UPLOAD_BYTES = (10_240, 102_400, 512_000, _MB, 2 * _MB, 5 * _MB, 10 * _MB, 20 * _MB, 50 * _MB)
_STATEMENTS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 32, 64)

REQUESTS = Counter(
    "portfolio_http_requests",
    "Requests answered, by method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "portfolio_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method, route template and status.",
    ["method", "route", "status"],
    buckets=_SECONDS,
    registry=REGISTRY,
)
IN_FLIGHT = Gauge(
    "portfolio_http_requests_in_flight",
    "Requests being answered right now.",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
STATEMENTS_PER_REQUEST = Histogram(
    "portfolio_db_statements_per_request",
    "SQL statements one request sent, by method and route template.",
    ["method", "route"],
    buckets=_STATEMENTS,
    registry=REGISTRY,
)
POOL_SIZE = Gauge(
    "portfolio_db_pool_connections",
    "Database connections the pools hold open (sampled each second).",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
POOL_IN_USE = Gauge(
    "portfolio_db_pool_connections_in_use",
    "Database connections handed out to requests (sampled each second).",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
POOL_WAITING = Gauge(
    "portfolio_db_pool_requests_waiting",
    "Requests waiting for a database connection (sampled each second).",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
# Every worker samples the same table: the most recent sample of a live process is the answer.
FEED_BACKLOG = Gauge(
    "portfolio_feed_backlog",
    "Events of the change feed waiting for each consumer (edge: purges not yet confirmed by "
    "the edge cache), sampled each second.",
    ["consumer"],
    multiprocess_mode="livemostrecent",
    registry=REGISTRY,
)
FEED_OLDEST_SECONDS = Gauge(
    "portfolio_feed_oldest_event_age_seconds",
    "Age of the oldest event waiting for each consumer of the change feed (0: none waits), "
    "sampled each second.",
    ["consumer"],
    multiprocess_mode="livemostrecent",
    registry=REGISTRY,
)
POOL_ACQUIRE_SECONDS = Histogram(
    "portfolio_db_pool_acquire_seconds",
    "Time spent waiting for a pooled database connection.",
    buckets=_WAIT_SECONDS,
    registry=REGISTRY,
)
UPLOAD_BYTES = Histogram(
    "portfolio_upload_bytes",
    "Size of each file stored by an upload.",
    buckets=_UPLOAD_BYTES,
    registry=REGISTRY,
)
IMAGE_SECONDS = Histogram(
    "portfolio_image_processing_seconds",
    "Time to decode an uploaded image (stage=decode) and to make one thumbnail from it "
    "(stage=thumbnail).",
    ["stage"],
    buckets=_SECONDS,
    registry=REGISTRY,
)
AUTHENTICATION_FAILURES = Counter(
    "portfolio_authentication_failures",
    "Requests to /api/ refused with 401, by reason: missing (no credentials), "
    "malformed_header, invalid_token, inactive_user.",
    ["reason"],
    registry=REGISTRY,
)
AUTHENTICATION_THROTTLED = Counter(
    "portfolio_authentication_throttled",
    "Authentication attempts refused because their caller tried too often.",
    registry=REGISTRY,
)
BUILD_INFO = Gauge(
    "portfolio_build_info",
    "Always 1; its labels say which version of the service runs on which Python.",
    ["version", "python"],
    multiprocess_mode="max",
    registry=REGISTRY,
)


def authentication_failed(reason: str) -> None:
    """Count one refused authentication (a 401 from the token check)."""
    AUTHENTICATION_FAILURES.labels(reason).inc()


def authentication_throttled() -> None:
    """Count one authentication attempt refused for coming too often.

    For the throttle to call each time it refuses an attempt; the metric is exposed already.
    """
    AUTHENTICATION_THROTTLED.inc()


def upload_stored(size: int) -> None:
    """Count the size of one file an upload stored."""
    UPLOAD_BYTES.observe(size)


def record_build_info() -> None:
    """Set ``portfolio_build_info`` for this process."""
    BUILD_INFO.labels(service_version(), platform.python_version()).set(1)


def multiprocess_directory() -> Path | None:
    """Where the workers write their values, when they share them."""
    raw = os.environ.get(MULTIPROCESS_DIRECTORY)
    return Path(raw) if raw else None


def serving_registry() -> CollectorRegistry:
    """The registry whose text a scrape gets: every worker's values when they are shared."""
    if multiprocess_directory() is None:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def exposition() -> bytes:
    """The metrics in Prometheus' text format."""
    return generate_latest(serving_registry())


_WORKER_FILE = re.compile(r"_(\d+)\.db$")


def forget_dead_workers() -> None:
    """Drop the live gauges (in flight, pool) of worker processes that are gone.

    A worker that dies leaves its last values behind; the one started in its place clears
    them. Counters and histograms keep their counts, which stay true.
    """
    directory = multiprocess_directory()
    if directory is None:
        return
    pids = {
        int(match.group(1))
        for path in directory.glob("*.db")
        if (match := _WORKER_FILE.search(path.name))
    }
    for pid in pids:
        if not _alive(pid):
            multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


WEBHOOK_ATTEMPTS = Counter(
    "portfolio_webhook_attempts",
    "Webhook delivery attempts, by outcome: delivered (2xx), retrying (to be tried again), "
    "failed (given up), disabled (410 Gone: the endpoint was disabled).",
    ["outcome"],
    registry=REGISTRY,
)
WEBHOOK_DELIVERIES = Counter(
    "portfolio_webhook_deliveries",
    "Webhook deliveries that reached their end, by outcome: delivered, failed, disabled.",
    ["outcome"],
    registry=REGISTRY,
)
WEBHOOK_ATTEMPT_SECONDS = Histogram(
    "portfolio_webhook_attempt_duration_seconds",
    "Time of one webhook attempt, from resolving the host to the answer's head.",
    buckets=_SECONDS,
    registry=REGISTRY,
)
WEBHOOK_BACKLOG = Gauge(
    "portfolio_webhook_backlog",
    "Webhook deliveries pending (waiting for their first attempt or a retry), as the sender "
    "last counted them (every 5 s).",
    multiprocess_mode="livemostrecent",
    registry=REGISTRY,
)
WEBHOOK_OLDEST_PENDING = Gauge(
    "portfolio_webhook_oldest_pending_seconds",
    "Age of the oldest pending webhook delivery, as the sender last measured it.",
    multiprocess_mode="livemostrecent",
    registry=REGISTRY,
)
