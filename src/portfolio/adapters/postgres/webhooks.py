"""Webhook endpoints, messages and deliveries in Postgres (migration 0030)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from portfolio.adapters.postgres.pool import BoundedPool, connection
from portfolio.application.listing import Slice, Window
from portfolio.application.webhooks.ports import DueDelivery, Message, Outcome
from portfolio.domain import Delivery, Endpoint

_ENDPOINT = "id, url, events, description, is_active, created_at"
_DELIVERY = """d.id, d.endpoint_id, m.message_id, m.type, d.status, d.attempts, d.response_status,
    d.created_at, d.delivered_at"""
_COLUMNS = ("url", "events", "description", "is_active")
_FAIL_PENDING = """
UPDATE webhook_deliveries SET status = 'failed', last_error = 'the endpoint was made inactive'
WHERE endpoint_id = %s AND status = 'pending'
"""
_FAN_OUT = """
WITH made AS (
    INSERT INTO webhook_messages (message_id, type, body, created_at)
    SELECT * FROM unnest(%s::text[], %s::text[], %s::bytea[], %s::timestamptz[])
    RETURNING id, type
)
INSERT INTO webhook_deliveries (endpoint_id, message_id)
SELECT e.id, made.id FROM made JOIN webhook_endpoints e ON e.is_active AND made.type = ANY(e.events)
ORDER BY made.id, e.id
"""
# Each active endpoint not busy gives its first per_endpoint due deliveries (an index probe
# each, migration 0032), none another sender holds (SKIP LOCKED): one endpoint's backlog can
# neither fill a claim nor make it read that backlog.
_CLAIM = """
WITH chosen AS (
    SELECT due.id FROM webhook_endpoints e
    CROSS JOIN LATERAL (
        SELECT d.id, d.next_attempt_at FROM webhook_deliveries d
        WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= now()
        ORDER BY d.next_attempt_at, d.id
        LIMIT %(per_endpoint)s
        FOR UPDATE SKIP LOCKED
    ) due
    WHERE e.id <> ALL(%(busy)s)
    ORDER BY due.next_attempt_at, due.id
    LIMIT %(limit)s
)
UPDATE webhook_deliveries d
SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => %(lease)s)
FROM chosen, webhook_endpoints e, webhook_messages m
WHERE d.id = chosen.id AND e.id = d.endpoint_id AND m.id = d.message_id
RETURNING d.id, d.endpoint_id, e.url, e.secret, e.is_active, m.message_id, m.type, m.body,
    m.created_at, d.attempts
"""
_WAKE = "SELECT pg_notify('portfolio_outbox', '')"
"""Wakes the leader of the background work at commit, as a queued event does."""
_SETTLE = """
UPDATE webhook_deliveries d
SET status = s.status, response_status = s.response, last_error = s.error,
    next_attempt_at = now() + make_interval(secs => s.retry_in),
    delivered_at = CASE WHEN s.status = 'delivered' THEN now() END
FROM unnest(%s::bigint[], %s::int[], %s::text[], %s::int[], %s::text[], %s::float8[])
    AS s(id, attempt, status, response, error, retry_in)
WHERE d.id = s.id AND d.attempts = s.attempt AND d.status = 'pending'
RETURNING d.id
"""


def _endpoint(row: Sequence[Any]) -> Endpoint:
    id_, url, events, description, is_active, created_at = row
    return Endpoint(id_, url, tuple(events), description, is_active, created_at)


class PostgresWebhooks:
    """WebhookStore and DeliveryQueue over Postgres."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def create(self, values: Mapping[str, Any], sealed_secret: bytes) -> Endpoint:
        """A new endpoint."""
        async with connection(self._pool) as conn:
            row = await (
                await conn.execute(
                    "INSERT INTO webhook_endpoints (url, events, description, is_active, secret)"
                    f" VALUES (%s, %s, %s, %s, %s) RETURNING {_ENDPOINT}",
                    (
                        values["url"],
                        list(values["events"]),
                        values.get("description"),
                        values.get("is_active", True),
                        sealed_secret,
                    ),
                )
            ).fetchone()
        assert row is not None
        return _endpoint(row)

    async def get(self, endpoint_id: int) -> Endpoint | None:
        """The endpoint, if there is one."""
        async with connection(self._pool) as conn:
            row = await (
                await conn.execute(
                    f"SELECT {_ENDPOINT} FROM webhook_endpoints WHERE id = %s", (endpoint_id,)
                )
            ).fetchone()
        return None if row is None else _endpoint(row)

    async def list(self, window: Window) -> Slice[Endpoint]:
        """Endpoints by id."""
        async with connection(self._pool) as conn:
            rows = await (
                await conn.execute(
                    f"SELECT {_ENDPOINT}, count(*) OVER () FROM webhook_endpoints"
                    " ORDER BY id OFFSET %s LIMIT %s",
                    (window.offset, window.limit),
                )
            ).fetchall()
            total = rows[0][-1] if rows else await self._count(conn, "webhook_endpoints")
        return Slice(tuple(_endpoint(row[:-1]) for row in rows), int(total))

    async def update(self, endpoint_id: int, changes: Mapping[str, Any]) -> Endpoint | None:
        """The endpoint with ``changes``; made inactive, its pending deliveries fail."""
        columns = [name for name in _COLUMNS if name in changes]
        values = [list(changes[n]) if n == "events" else changes[n] for n in columns]
        assigned = ", ".join(f"{name} = %s" for name in columns) or "id = id"
        async with connection(self._pool) as conn:
            row = await (
                await conn.execute(
                    f"UPDATE webhook_endpoints SET {assigned} WHERE id = %s RETURNING {_ENDPOINT}",
                    (*values, endpoint_id),
                )
            ).fetchone()
            if row is not None and changes.get("is_active") is False:
                await conn.execute(_FAIL_PENDING, (endpoint_id,))
        return None if row is None else _endpoint(row)

    async def delete(self, endpoint_id: int) -> bool:
        """Forget the endpoint and its deliveries."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(
                "DELETE FROM webhook_endpoints WHERE id = %s", (endpoint_id,)
            )
        return cursor.rowcount > 0

    async def set_secret(self, endpoint_id: int, sealed_secret: bytes) -> bool:
        """Replace the endpoint's secret."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(
                "UPDATE webhook_endpoints SET secret = %s WHERE id = %s",
                (sealed_secret, endpoint_id),
            )
        return cursor.rowcount > 0

    async def deliveries(self, endpoint_id: int, window: Window) -> Slice[Delivery]:
        """The endpoint's deliveries, newest first."""
        async with connection(self._pool) as conn:
            rows = await (
                await conn.execute(
                    f"SELECT {_DELIVERY} FROM webhook_deliveries d"
                    " JOIN webhook_messages m ON m.id = d.message_id"
                    " WHERE d.endpoint_id = %s ORDER BY d.id DESC OFFSET %s LIMIT %s",
                    (endpoint_id, window.offset, window.limit),
                )
            ).fetchall()
            count = await (
                await conn.execute(
                    "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = %s",
                    (endpoint_id,),
                )
            ).fetchone()
        total = 0 if count is None else int(count[0])
        return Slice(tuple(Delivery(*row) for row in rows), total)

    async def delivery(self, endpoint_id: int, delivery_id: int) -> Delivery | None:
        """One of the endpoint's deliveries."""
        async with connection(self._pool) as conn:
            row = await (
                await conn.execute(
                    f"SELECT {_DELIVERY} FROM webhook_deliveries d"
                    " JOIN webhook_messages m ON m.id = d.message_id"
                    " WHERE d.endpoint_id = %s AND d.id = %s",
                    (endpoint_id, delivery_id),
                )
            ).fetchone()
        return None if row is None else Delivery(*row)

    async def send_again(self, endpoint_id: int, delivery_id: int) -> Delivery | None:
        """The delivery pending and due now."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(
                "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(),"
                " delivered_at = NULL WHERE endpoint_id = %s AND id = %s",
                (endpoint_id, delivery_id),
            )
            if cursor.rowcount > 0:
                await conn.execute(_WAKE)
        if cursor.rowcount == 0:
            return None
        return await self.delivery(endpoint_id, delivery_id)

    async def send_to(self, endpoint_id: int, message: Message) -> Delivery:
        """A delivery of ``message`` to that endpoint alone."""
        async with connection(self._pool) as conn:
            row = await (
                await conn.execute(
                    "WITH made AS ("
                    " INSERT INTO webhook_messages (message_id, type, body, created_at)"
                    " VALUES (%s, %s, %s, %s) RETURNING id)"
                    " INSERT INTO webhook_deliveries (endpoint_id, message_id)"
                    " SELECT %s, id FROM made RETURNING id",
                    (
                        message.message_id,
                        message.type,
                        message.body,
                        message.created_at,
                        endpoint_id,
                    ),
                )
            ).fetchone()
        assert row is not None
        delivery = await self.delivery(endpoint_id, int(row[0]))
        assert delivery is not None
        return delivery

    async def subscribed(self) -> frozenset[str]:
        """The types some active endpoint subscribed to."""
        async with connection(self._pool) as conn:
            rows = await (
                await conn.execute(
                    "SELECT DISTINCT unnest(events) FROM webhook_endpoints WHERE is_active"
                )
            ).fetchall()
        return frozenset(row[0] for row in rows)

    async def fan_out(self, messages: Sequence[Message]) -> int:
        """The messages, with a delivery to every active endpoint subscribed to each."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(
                _FAN_OUT,
                (
                    [m.message_id for m in messages],
                    [m.type for m in messages],
                    [m.body for m in messages],
                    [m.created_at for m in messages],
                ),
            )
        return cursor.rowcount

    async def claim(
        self, limit: int, per_endpoint: int, busy: Sequence[int], lease_seconds: float
    ) -> Sequence[DueDelivery]:
        """Due deliveries, held for the lease."""
        values = {
            "busy": list(busy),
            "per_endpoint": per_endpoint,
            "limit": limit,
            "lease": lease_seconds,
        }
        async with connection(self._pool) as conn:
            rows = await (await conn.execute(_CLAIM, values)).fetchall()
        return sorted((DueDelivery(*row) for row in rows), key=lambda due: due.id)

    async def settle(self, settled: Sequence[tuple[DueDelivery, Outcome]]) -> set[int]:
        """How the attempts went (one statement), each unless claimed again since."""
        if not settled:
            return set()
        columns = (
            [d.id for d, _ in settled],
            [d.attempt for d, _ in settled],
            [o.status for _, o in settled],
            [o.response_status for _, o in settled],
            [None if o.error is None else o.error[:500] for _, o in settled],
            [o.retry_in or 0.0 for _, o in settled],
        )
        async with connection(self._pool) as conn:
            rows = await (await conn.execute(_SETTLE, columns)).fetchall()
        return {int(row[0]) for row in rows}

    async def disable(self, endpoint_id: int) -> None:
        """The endpoint inactive, its pending deliveries failed."""
        async with connection(self._pool) as conn:
            await conn.execute(
                "UPDATE webhook_endpoints SET is_active = false WHERE id = %s", (endpoint_id,)
            )
            await conn.execute(_FAIL_PENDING, (endpoint_id,))

    async def next_due(self) -> datetime | None:
        """When the soonest pending delivery falls due."""
        async with connection(self._pool) as conn:
            row = await (
                await conn.execute(
                    "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'"
                )
            ).fetchone()
        return None if row is None else row[0]

    async def backlog(self) -> tuple[int, float]:
        """Pending deliveries and the oldest one's age in seconds."""
        async with connection(self._pool) as conn:
            row = await (
                await conn.execute(
                    "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)"
                    " FROM webhook_deliveries WHERE status = 'pending'"
                )
            ).fetchone()
        count, age = row if row is not None else (0, 0.0)
        return int(count), float(age)

    async def prune(self, before: datetime) -> int:
        """Forget old messages (and their deliveries) that nothing waits to deliver."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(
                "DELETE FROM webhook_messages m WHERE created_at < %s AND NOT EXISTS ("
                " SELECT 1 FROM webhook_deliveries d"
                " WHERE d.message_id = m.id AND d.status = 'pending')",
                (before,),
            )
        return cursor.rowcount

    @staticmethod
    async def _count(conn: Any, table: str) -> int:
        row = await (await conn.execute(f"SELECT count(*) FROM {table}")).fetchone()
        return 0 if row is None else int(row[0])
