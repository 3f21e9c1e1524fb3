"""Failure counters in Redis (redis-py's asyncio client)."""

from portfolio.adapters.redis.throttling import RedisFailureCounter

__all__ = ["RedisFailureCounter"]
