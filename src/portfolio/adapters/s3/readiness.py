"""Readiness of the bucket media live in."""

from __future__ import annotations

import asyncio

from portfolio.adapters.s3.storage import S3MediaStorage

# A readiness probe must answer quickly; the client's own retries may take longer.
# /ready answers within a second: the bucket gets what the database gets.
PROBE_TIMEOUT = 0.6


class S3Readiness:
    """ReadinessProbe: ready while the bucket answers an authenticated request."""

    def __init__(self, storage: S3MediaStorage) -> None:
        self._storage = storage

    async def ready(self) -> bool:
        """Whether the bucket answers within PROBE_TIMEOUT seconds (off the event loop)."""
        try:
            return await asyncio.wait_for(asyncio.to_thread(self._storage.reachable), PROBE_TIMEOUT)
        except TimeoutError:
            return False
