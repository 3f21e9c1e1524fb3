"""Failure counters in Redis (redis-py's asyncio client)."""
