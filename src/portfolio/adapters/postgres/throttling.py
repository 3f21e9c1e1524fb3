"""Failure counters in Postgres, shared by every process that uses the database."""

from __future__ import annotations

from collections.abc import Sequence

from portfolio.adapters.postgres.pool import BoundedPool, connection

# One statement for every key: a new window starts at the first failure after the last one
# ended. The database's clock decides, so hosts whose clocks differ still agree. Expired rows
# of other keys are cleared a few at a time, so the table stays as small as the live windows.
_ADD = """
WITH expired AS (
    DELETE FROM failure_counts
    WHERE key IN (SELECT key FROM failure_counts WHERE window_ends < now() LIMIT 20)
      AND key <> ALL(%(keys)s)
)
INSERT INTO failure_counts AS f (key, failures, window_ends)
SELECT key, 1, now() + make_interval(secs => %(window)s) FROM unnest(%(keys)s::text[]) AS key
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN f.window_ends <= now() THEN 1 ELSE f.failures + 1 END,
    window_ends = CASE WHEN f.window_ends <= now() THEN excluded.window_ends ELSE f.window_ends END
"""

_BLOCKED_FOR = """
SELECT coalesce(max(ceil(extract(epoch FROM window_ends - now()))), 0)::integer
FROM failure_counts
WHERE key = ANY(%s) AND failures >= %s AND window_ends > now()
"""

# starts_with, not LIKE: a prefix is text, never a pattern.
_CLEAR = "DELETE FROM failure_counts WHERE starts_with(key, %s)"


class PostgresFailureCounter:
    """FailureCounter over an UNLOGGED table (migration 0007)."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def add(self, keys: Sequence[str], window_seconds: int) -> None:
        """Count one failure for each key, in one statement."""
        async with connection(self._pool) as conn:
            await conn.execute(_ADD, {"keys": list(keys), "window": window_seconds})

    async def blocked_for(self, keys: Sequence[str], limit: int) -> int:
        """Seconds until the last blocked key's window ends; 0 when none is blocked."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(_BLOCKED_FOR, (list(keys), limit), prepare=True)
            row = await cursor.fetchone()
        return int(row[0]) if row is not None else 0

    async def clear(self, prefix: str) -> None:
        """Forget every key that starts with ``prefix``, in one statement."""
        async with connection(self._pool) as conn:
            await conn.execute(_CLEAR, (prefix,))
