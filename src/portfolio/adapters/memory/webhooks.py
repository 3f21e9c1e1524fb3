"""Webhook endpoints, messages and deliveries in memory, with the Postgres adapter's rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from portfolio.adapters.memory.transactions import Table
from portfolio.application.listing import Slice, Window
from portfolio.application.webhooks.ports import DueDelivery, Message, Outcome
from portfolio.domain import DELIVERED, FAILED, PENDING, Delivery, Endpoint


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Row:
    delivery: Delivery
    message: Message
    due: datetime
    error: str | None = None


class InMemoryWebhooks:
    """WebhookStore and DeliveryQueue in memory: ``secrets`` holds each endpoint's sealed
    secret, ``rows`` each delivery with its message and when it is due."""

    def __init__(self, clock: Callable[[], datetime] = _utc_now) -> None:
        self._clock = clock
        self._ids = count(1)
        self.endpoints: Table[int, Endpoint] = Table()
        self.secrets: Table[int, bytes] = Table()
        self.rows: Table[int, _Row] = Table()

    async def create(self, values: Mapping[str, Any], sealed_secret: bytes) -> Endpoint:
        """A new endpoint."""
        endpoint = Endpoint(
            id=next(self._ids),
            url=values["url"],
            events=tuple(values["events"]),
            description=values.get("description"),
            is_active=values.get("is_active", True),
            created_at=self._clock(),
        )
        self.endpoints[endpoint.id] = endpoint
        self.secrets[endpoint.id] = sealed_secret
        return endpoint

    async def get(self, endpoint_id: int) -> Endpoint | None:
        """The endpoint, if there is one."""
        return self.endpoints.get(endpoint_id)

    async def list(self, window: Window) -> Slice[Endpoint]:
        """Endpoints by id."""
        ordered = sorted(self.endpoints.values(), key=lambda e: e.id)
        return Slice(tuple(ordered[window.offset : window.offset + window.limit]), len(ordered))

    async def update(self, endpoint_id: int, changes: Mapping[str, Any]) -> Endpoint | None:
        """The endpoint with ``changes``; made inactive, its pending deliveries fail."""
        endpoint = self.endpoints.get(endpoint_id)
        if endpoint is None:
            return None
        fields: dict[str, Any] = {k: tuple(v) if k == "events" else v for k, v in changes.items()}
        endpoint = replace(endpoint, **fields)
        self.endpoints[endpoint_id] = endpoint
        if changes.get("is_active") is False:
            self._fail_pending(endpoint_id)
        return endpoint

    async def delete(self, endpoint_id: int) -> bool:
        """Forget the endpoint and its deliveries."""
        if endpoint_id not in self.endpoints:
            return False
        del self.endpoints[endpoint_id]
        del self.secrets[endpoint_id]
        for key in [k for k, row in self.rows.items() if row.delivery.endpoint_id == endpoint_id]:
            del self.rows[key]
        return True

    async def set_secret(self, endpoint_id: int, sealed_secret: bytes) -> bool:
        """Replace the endpoint's secret."""
        if endpoint_id not in self.endpoints:
            return False
        self.secrets[endpoint_id] = sealed_secret
        return True

    async def deliveries(self, endpoint_id: int, window: Window) -> Slice[Delivery]:
        """The endpoint's deliveries, newest first."""
        mine = sorted(
            (row.delivery for row in self.rows.values() if row.delivery.endpoint_id == endpoint_id),
            key=lambda d: -d.id,
        )
        return Slice(tuple(mine[window.offset : window.offset + window.limit]), len(mine))

    async def delivery(self, endpoint_id: int, delivery_id: int) -> Delivery | None:
        """One of the endpoint's deliveries."""
        row = self.rows.get(delivery_id)
        if row is None or row.delivery.endpoint_id != endpoint_id:
            return None
        return row.delivery

    async def send_again(self, endpoint_id: int, delivery_id: int) -> Delivery | None:
        """The delivery pending and due now."""
        if await self.delivery(endpoint_id, delivery_id) is None:
            return None
        row = self.rows[delivery_id]
        delivery = replace(row.delivery, status=PENDING, delivered_at=None)
        self.rows[delivery_id] = replace(row, delivery=delivery, due=self._clock())
        return delivery

    async def send_to(self, endpoint_id: int, message: Message) -> Delivery:
        """A delivery of ``message`` to that endpoint alone."""
        return self._add(endpoint_id, message)

    async def subscribed(self) -> frozenset[str]:
        """The types some active endpoint subscribed to."""
        return frozenset(t for e in self.endpoints.values() if e.is_active for t in e.events)

    async def fan_out(self, messages: Sequence[Message]) -> int:
        """A delivery of each message to every active endpoint subscribed to its type."""
        made = 0
        for message in messages:
            for endpoint in sorted(self.endpoints.values(), key=lambda e: e.id):
                if endpoint.is_active and message.type in endpoint.events:
                    self._add(endpoint.id, message)
                    made += 1
        return made

    async def claim(
        self, limit: int, per_endpoint: int, busy: Sequence[int], lease_seconds: float
    ) -> Sequence[DueDelivery]:
        """Due deliveries, held for the lease."""
        now = self._clock()
        due = sorted(
            (
                row
                for row in self.rows.values()
                if row.delivery.status == PENDING and row.due <= now
            ),
            key=lambda row: (row.due, row.delivery.id),
        )
        taken: dict[int, int] = {}
        claimed: list[DueDelivery] = []
        for row in due:
            endpoint_id = row.delivery.endpoint_id
            if len(claimed) >= limit or endpoint_id in busy:
                continue
            if taken.get(endpoint_id, 0) >= per_endpoint:
                continue
            taken[endpoint_id] = taken.get(endpoint_id, 0) + 1
            delivery = replace(row.delivery, attempts=row.delivery.attempts + 1)
            held = now + timedelta(seconds=lease_seconds)
            self.rows[delivery.id] = replace(row, delivery=delivery, due=held)
            endpoint = self.endpoints[endpoint_id]
            claimed.append(
                DueDelivery(
                    id=delivery.id,
                    endpoint_id=endpoint_id,
                    url=endpoint.url,
                    sealed_secret=self.secrets[endpoint_id],
                    endpoint_active=endpoint.is_active,
                    message_id=row.message.message_id,
                    type=row.message.type,
                    body=row.message.body,
                    created_at=row.message.created_at,
                    attempt=delivery.attempts,
                )
            )
        return sorted(claimed, key=lambda d: d.id)

    async def settle(self, settled: Sequence[tuple[DueDelivery, Outcome]]) -> set[int]:
        """How the attempts went, each unless claimed again since."""
        recorded = set()
        for delivery, outcome in settled:
            row = self.rows.get(delivery.id)
            if row is None or row.delivery.status != PENDING:
                continue
            if row.delivery.attempts != delivery.attempt:
                continue
            now = self._clock()
            done = replace(
                row.delivery,
                status=outcome.status,
                response_status=outcome.response_status,
                delivered_at=now if outcome.status == DELIVERED else None,
            )
            due = now + timedelta(seconds=outcome.retry_in or 0.0)
            self.rows[delivery.id] = replace(row, delivery=done, due=due, error=outcome.error)
            recorded.add(delivery.id)
        return recorded

    async def disable(self, endpoint_id: int) -> None:
        """The endpoint inactive, its pending deliveries failed."""
        endpoint = self.endpoints.get(endpoint_id)
        if endpoint is not None:
            self.endpoints[endpoint_id] = replace(endpoint, is_active=False)
            self._fail_pending(endpoint_id)

    async def next_due(self) -> datetime | None:
        """When the soonest pending delivery falls due."""
        return min(
            (row.due for row in self.rows.values() if row.delivery.status == PENDING),
            default=None,
        )

    async def backlog(self) -> tuple[int, float]:
        """Pending deliveries and the oldest one's age in seconds."""
        pending = [row.delivery for row in self.rows.values() if row.delivery.status == PENDING]
        if not pending:
            return 0, 0.0
        oldest = min(delivery.created_at for delivery in pending)
        return len(pending), (self._clock() - oldest).total_seconds()

    async def prune(self, before: datetime) -> int:
        """Forget old messages' deliveries when none of them is pending."""
        by_message: dict[str, list[int]] = {}
        waiting: set[str] = set()
        for key, row in self.rows.items():
            if row.message.created_at < before:
                by_message.setdefault(row.message.message_id, []).append(key)
                if row.delivery.status == PENDING:
                    waiting.add(row.message.message_id)
        gone = 0
        for message_id, keys in by_message.items():
            if message_id not in waiting:
                for key in keys:
                    del self.rows[key]
                gone += 1
        return gone

    def _add(self, endpoint_id: int, message: Message) -> Delivery:
        now = self._clock()
        delivery = Delivery(
            id=next(self._ids),
            endpoint_id=endpoint_id,
            message_id=message.message_id,
            type=message.type,
            status=PENDING,
            attempts=0,
            response_status=None,
            created_at=now,
            delivered_at=None,
        )
        self.rows[delivery.id] = _Row(delivery, message, now)
        return delivery

    def _fail_pending(self, endpoint_id: int) -> None:
        for key, row in list(self.rows.items()):
            if row.delivery.endpoint_id == endpoint_id and row.delivery.status == PENDING:
                self.rows[key] = replace(row, delivery=replace(row.delivery, status=FAILED))
