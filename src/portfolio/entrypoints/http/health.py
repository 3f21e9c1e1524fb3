"""``/health`` (the process is up) and ``/ready`` (the database, and the media bucket, answer)."""

from __future__ import annotations

from litestar import get

from portfolio.application.ports import ReadinessProbe
from portfolio.domain import ServiceUnavailable
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.openapi import documented, errors
from portfolio.entrypoints.http.wire import HealthStatus


@get(
    "/health",
    summary="Liveness",
    operation_id="health",
    tags=["operations"],
    responses=errors(),
    operation_class=documented(public=True),
)
async def health() -> HealthStatus:
    """The process is up and serving."""
    return HealthStatus(status="ok")


@get(
    "/ready",
    summary="Readiness",
    operation_id="ready",
    tags=["operations"],
    responses=errors(503),
    operation_class=documented(public=True),
)
async def ready(readiness: Injected[ReadinessProbe]) -> HealthStatus:
    """The database and the media bucket (if any) answer; 503 with Retry-After when not."""
    if not await readiness.ready():
        raise ServiceUnavailable("readiness probe failed")
    return HealthStatus(status="ready")
