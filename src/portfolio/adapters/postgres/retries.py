"""Retry keys in Postgres, so that every worker and host answers a retry alike."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from portfolio.adapters.postgres.pool import BoundedPool, connection
from portfolio.application.ports import KeptRequest, RecordedAnswer, RetryClaim

# One statement takes a new key, or an expired or abandoned one, atomically: of two requests
# racing for a key, the second waits for the first's insert and then finds it taken.
_CLAIM = """
INSERT INTO retry_keys AS k (user_id, key, fingerprint, expires_at, lease_until)
VALUES (%(owner)s, %(key)s, %(fingerprint)s, %(expires_at)s, %(lease_until)s)
ON CONFLICT (user_id, key) DO UPDATE
SET fingerprint = EXCLUDED.fingerprint, expires_at = EXCLUDED.expires_at,
    lease_until = EXCLUDED.lease_until, status = NULL, headers = NULL, body = NULL
WHERE k.expires_at <= %(now)s OR (k.status IS NULL AND k.lease_until <= %(now)s)
RETURNING true
"""
_KEPT = "SELECT fingerprint, status, headers, body FROM retry_keys WHERE user_id = %s AND key = %s"
_RECORD = """
UPDATE retry_keys SET status = %s, headers = %s, body = %s
WHERE user_id = %s AND key = %s AND fingerprint = %s AND status IS NULL
"""
_RELEASE = """
DELETE FROM retry_keys
WHERE user_id = %s AND key = %s AND fingerprint = %s AND status IS NULL
"""
_PURGE = "DELETE FROM retry_keys WHERE expires_at <= %s"
# Between a refused claim and the read of what holds the key, its holder may give it back;
# the claim is then tried again, a few times at most.
_ATTEMPTS = 3


class PostgresRetryKeys:
    """RetryKeys over Postgres."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def claim(self, claim: RetryClaim) -> KeptRequest | None:
        """Insert the key, or take it over when its time or its lease is up."""
        # The statement's parameters are named after the claim's fields.
        values = asdict(claim)
        async with connection(self._pool) as conn:
            for _ in range(_ATTEMPTS):
                if await (await conn.execute(_CLAIM, values)).fetchone() is not None:
                    return None
                row = await (await conn.execute(_KEPT, (claim.owner, claim.key))).fetchone()
                if row is not None:
                    return _kept(row)
        # Given back each time before it could be read: someone is busy with it.
        return KeptRequest(claim.fingerprint, None)

    async def record(
        self, owner: int, key: str, fingerprint: bytes, answer: RecordedAnswer
    ) -> None:
        """Store the answer on the row this request claimed."""
        headers = Jsonb([list(header) for header in answer.headers])
        async with connection(self._pool) as conn:
            await conn.execute(
                _RECORD, (answer.status, headers, answer.body, owner, key, fingerprint)
            )

    async def release(self, owner: int, key: str, fingerprint: bytes) -> None:
        """Delete the unanswered row this request claimed."""
        async with connection(self._pool) as conn:
            await conn.execute(_RELEASE, (owner, key, fingerprint))

    async def purge(self, now: datetime) -> int:
        """Delete the rows whose time is up."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(_PURGE, (now,))
        return cursor.rowcount


def _kept(row: tuple[Any, ...]) -> KeptRequest:
    fingerprint, status, headers, body = row
    if status is None:
        return KeptRequest(bytes(fingerprint), None)
    answer = RecordedAnswer(
        status=status,
        headers=tuple((str(name), str(value)) for name, value in headers),
        body=bytes(body),
    )
    return KeptRequest(bytes(fingerprint), answer)
