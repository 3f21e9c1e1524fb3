"""``/health`` (the process is up) and ``/ready`` (the database answers)."""

from __future__ import annotations

from litestar import get

from portfolio.application import ReadinessProbe
from portfolio.domain import ServiceUnavailable
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.schemas import HealthStatus


@get("/health", exclude_from_auth=True, summary="Liveness", tags=["operations"])
async def health() -> HealthStatus:
    """The process is up and serving."""
    return HealthStatus(status="ok")


@get("/ready", summary="Readiness", tags=["operations"])
async def ready(readiness: Injected[ReadinessProbe]) -> HealthStatus:
    """The database answers; 503 with Retry-After when it does not."""
    if not await readiness.ready():
        raise ServiceUnavailable("readiness probe failed")
    return HealthStatus(status="ready")
