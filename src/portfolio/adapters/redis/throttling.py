"""FailureCounter over Redis: one key per counter, expiring with its window."""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from portfolio.domain import ServiceUnavailable

# Scripts, so that a counter never exists without its expiry, and a check reads every key at
# one instant: a key's window starts at its first failure and ends when Redis expires it.
_ADD = """
for _, key in ipairs(KEYS) do
    if redis.call('INCR', key) == 1 then
        redis.call('EXPIRE', key, ARGV[1])
    end
end
return 0
"""
_BLOCKED_FOR_MS = """
local wait = 0
for _, key in ipairs(KEYS) do
    local failures = tonumber(redis.call('GET', key) or '0')
    if failures >= tonumber(ARGV[1]) then
        local left = redis.call('PTTL', key)
        if left > wait then wait = left end
    end
end
return wait
"""


# What Redis's glob patterns treat as special, escaped so that a prefix matches as text.
_GLOB_SPECIAL = re.compile(r"[\\*?\[\]]")
# Keys a single UNLINK names at most.
_BATCH = 500


@asynccontextmanager
async def _answering() -> AsyncIterator[None]:
    """A Redis that does not answer is an outage (503), not a server error."""
    try:
        yield
    except (RedisError, OSError) as error:
        raise ServiceUnavailable(f"Redis does not answer: {type(error).__name__}") from error


class RedisFailureCounter:
    """FailureCounter over Redis, every key under ``prefix``."""

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._prefix = prefix
        self._add = self._redis.register_script(_ADD)
        self._blocked_for = self._redis.register_script(_BLOCKED_FOR_MS)

    async def add(self, keys: Sequence[str], window_seconds: int) -> None:
        """Count one failure for each key."""
        async with _answering():
            await self._add(keys=self._keys(keys), args=[window_seconds])

    async def blocked_for(self, keys: Sequence[str], limit: int) -> int:
        """Whole seconds until the last blocked key expires; 0 when none is blocked."""
        async with _answering():
            wait_ms = await self._blocked_for(keys=self._keys(keys), args=[limit])
        return math.ceil(int(wait_ms) / 1000)

    async def clear(self, prefix: str) -> None:
        """Forget every key that starts with ``prefix``: the keys are found with SCAN, which
        walks the whole database a batch at a time without blocking it (forgetting is an
        admin's rare act; a set of each name's keys kept beside them would cost every failure
        a write more)."""
        pattern = _GLOB_SPECIAL.sub(r"\\\g<0>", f"{self._prefix}{prefix}") + "*"
        async with _answering():
            keys = [key async for key in self._redis.scan_iter(match=pattern, count=1000)]
            for start in range(0, len(keys), _BATCH):
                await self._redis.unlink(*keys[start : start + _BATCH])

    async def close(self) -> None:
        """Close the client's connections."""
        await self._redis.aclose()

    def _keys(self, keys: Sequence[str]) -> list[str]:
        return [f"{self._prefix}{key}" for key in keys]
