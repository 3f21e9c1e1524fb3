"""The audit log and the change feed's outbox in Postgres (migration 0011)."""

from __future__ import annotations

from collections.abc import Sequence

from portfolio.adapters.postgres.pool import BoundedPool, connection
from portfolio.application.changes import Author, Change, QueuedEvent

# One round trip: the audit entry, and the event for each consumer when the feed carries it.
_RECORD = """
WITH entry AS (
    INSERT INTO audit_log (actor_id, actor_username, via, action, resource, object_id, changes,
                           request_id, client)
    VALUES (%(actor_id)s, %(actor)s, %(via)s, %(action)s, %(resource)s, %(object_id)s,
            %(fields)s, %(request_id)s, %(client)s)
    RETURNING id
)
INSERT INTO outbox (consumer, event, resource, object_id)
SELECT consumer, %(event)s, %(resource)s, %(object_id)s
FROM entry, unnest(%(consumers)s::text[]) AS consumer
"""
_PUBLISH = """
INSERT INTO outbox (consumer, event, resource, object_id)
SELECT consumer, change.event, change.resource, change.object_id
FROM unnest(%s::text[], %s::text[], %s::bigint[]) WITH ORDINALITY
         AS change (event, resource, object_id, position),
     unnest(%s::text[]) AS consumer
ORDER BY change.position
"""
# The batch is chosen once (a materialized CTE), as the trash's purge chooses its own.
_CLAIM = """
WITH claimed AS MATERIALIZED (
    SELECT id FROM outbox
    WHERE consumer = %(consumer)s AND available_at <= now()
    -- outbox_due's own order: ORDER BY id walked the primary key, dead entries of events
    -- already delivered included (100,000 after a burst: 170 ms a claim until a vacuum).
    ORDER BY available_at, id LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE outbox SET available_at = now() + make_interval(secs => %(lease)s),
                  attempts = attempts + 1
WHERE id IN (SELECT id FROM claimed)
RETURNING id, event, resource, object_id, created_at, attempts
"""


class PostgresJournal:
    """Journal over Postgres; ``consumers`` are the change feed's consumers in service."""

    def __init__(self, pool: BoundedPool, consumers: Sequence[str]) -> None:
        self._pool = pool
        self._consumers = list(consumers)

    async def record(self, change: Change, author: Author) -> None:
        """Append the audit entry, and queue the event, in the current unit of work."""
        event = change.event
        user = author.user
        values = {
            "actor_id": None if user is None else user.id,
            "actor": None if user is None else user.username,
            "via": author.via,
            "action": change.action,
            "resource": change.resource,
            "object_id": change.object_id,
            "fields": list(change.fields),
            "request_id": author.request_id,
            "client": author.client,
            "event": event,
            "consumers": self._consumers if event is not None else [],
        }
        async with connection(self._pool) as conn:
            await conn.execute(_RECORD, values)

    async def publish(self, *changes: Change) -> None:
        """Queue each change's event for every consumer, in one statement."""
        fed = [change for change in changes if change.event is not None]
        if not fed or not self._consumers:
            return
        columns = (
            [change.event for change in fed],
            [change.resource for change in fed],
            [change.object_id for change in fed],
        )
        async with connection(self._pool) as conn:
            await conn.execute(_PUBLISH, (*columns, self._consumers))


class PostgresOutbox:
    """Outbox over Postgres: rows claimed with SKIP LOCKED, held by a lease."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def claim(self, consumer: str, limit: int, lease_seconds: float) -> Sequence[QueuedEvent]:
        """Due events, oldest first, held for the lease."""
        values = {"consumer": consumer, "limit": limit, "lease": lease_seconds}
        async with connection(self._pool) as conn:
            rows = await (await conn.execute(_CLAIM, values)).fetchall()
        return sorted((QueuedEvent(*row) for row in rows), key=lambda event: event.id)

    async def done(self, consumer: str, ids: Sequence[int]) -> None:
        """Delete delivered events."""
        if ids:
            async with connection(self._pool) as conn:
                await conn.execute(
                    "DELETE FROM outbox WHERE consumer = %s AND id = ANY(%s)", (consumer, list(ids))
                )

    async def later(self, consumer: str, ids: Sequence[int], seconds: float, error: str) -> None:
        """Make events due again in ``seconds``."""
        if ids:
            async with connection(self._pool) as conn:
                await conn.execute(
                    "UPDATE outbox SET available_at = now() + make_interval(secs => %s),"
                    " last_error = %s WHERE consumer = %s AND id = ANY(%s)",
                    (seconds, error[:500], consumer, list(ids)),
                )

    async def backlog(self, consumer: str) -> tuple[int, float]:
        """The count of waiting events and the oldest one's age in seconds."""
        async with connection(self._pool) as conn:
            row = await (
                await conn.execute(
                    "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)"
                    " FROM outbox WHERE consumer = %s",
                    (consumer,),
                )
            ).fetchone()
        count, age = row if row is not None else (0, 0.0)
        return int(count), float(age)
