"""The database pool's gauges, sampled each second while the application runs."""

from __future__ import annotations

import asyncio

from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.postgres.pool import Connection, pool_usage
from portfolio.entrypoints.telemetry import metrics

SAMPLE_SECONDS = 1.0


async def sample_pool(pool: AsyncConnectionPool[Connection]) -> None:
    """Set the pool gauges from ``pool`` every SAMPLE_SECONDS, until cancelled."""
    while True:
        usage = pool_usage(pool)
        metrics.POOL_SIZE.set(usage.size)
        metrics.POOL_IN_USE.set(usage.in_use)
        metrics.POOL_WAITING.set(usage.waiting)
        await asyncio.sleep(SAMPLE_SECONDS)
