"""The audit log in Postgres (migration 0011), read a page at a time and pruned in batches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from portfolio.adapters.postgres.pages import fetch_slice
from portfolio.adapters.postgres.pool import BoundedPool, connection
from portfolio.application.audit import AuditFilter
from portfolio.application.changes import AuditEntry
from portfolio.application.listing import Slice, Window

_DECODER = msgspec.json.Decoder(list[AuditEntry])
# Each criterion, its column and comparison; an index serves each alone (migration 0041).
_CONDITIONS = (
    ("actor_id", "t.actor_id = %s"),
    ("resource", "t.resource = %s"),
    ("object_id", "t.object_id = %s"),
    ("action", "t.action = %s"),
    ("since", "t.at >= %s"),
    ("until", "t.at < %s"),
)
# The only statement allowed to delete entries: the trigger of migration 0011 lets a DELETE
# through only in a transaction that has said it is pruning.
_PRUNE = """
DELETE FROM audit_log WHERE id IN (
    SELECT id FROM audit_log WHERE at < %s ORDER BY at, id LIMIT %s
)
"""


class PostgresAuditLog:
    """AuditLog over Postgres."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def find(self, criteria: AuditFilter, window: Window) -> Slice[AuditEntry]:
        """The matching entries, newest first (by moment, then id), in one statement."""
        where: list[str] = []
        params: list[Any] = []
        for name, condition in _CONDITIONS:
            value = getattr(criteria, name)
            if value is not None:
                where.append(condition)
                params.append(value)
        async with connection(self._pool) as conn:
            return await fetch_slice(
                conn,
                table="audit_log",
                where=where,
                params=params,
                order_by="t.at DESC, t.id DESC",
                document="audit_entry_document",
                window=window,
                decoder=_DECODER,
            )

    async def prune(self, before: datetime, limit: int) -> int:
        """Delete a batch of the oldest entries, inside a transaction that says it prunes."""
        async with connection(self._pool) as conn, conn.transaction():
            await conn.execute("SET LOCAL portfolio.audit_prune = 'on'")
            cursor = await conn.execute(_PRUNE, (before, limit))
            return cursor.rowcount
