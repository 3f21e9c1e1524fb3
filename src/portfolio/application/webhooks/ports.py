"""What the webhooks need from the world: a store of endpoints and their deliveries, a box
that seals secrets, a way to reach receivers, and someone to tell how each attempt went."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from portfolio.application.listing import Slice, Window
from portfolio.domain import Delivery, Endpoint, Target

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class Message:
    """An event as every subscribed endpoint receives it: its ``webhook-id``, its type, the
    exact bytes signed and sent, and when it happened."""

    message_id: str
    type: str
    body: bytes
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A delivery claimed for one attempt (``attempt`` counts it), with what sending needs."""

    id: int
    endpoint_id: int
    url: str
    sealed_secret: bytes
    endpoint_active: bool
    message_id: str
    type: str
    body: bytes
    created_at: datetime
    attempt: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """How an attempt ended: ``status`` (pending again, delivered, failed), the receiver's
    answer (None: none came), the seconds until the next attempt when pending, and why it
    failed (never the body or the secret)."""

    status: str
    response_status: int | None
    retry_in: float | None = None
    error: str | None = None


class WebhookStore(Protocol):
    """Endpoints and their deliveries, as the API manages them; writes join the current
    unit of work."""

    async def create(self, values: Mapping[str, Any], sealed_secret: bytes) -> Endpoint:
        """A new endpoint from ``url``, ``events``, ``description`` and ``is_active``."""
        ...

    async def get(self, endpoint_id: int) -> Endpoint | None:
        """The endpoint, if there is one."""
        ...

    async def list(self, window: Window) -> Slice[Endpoint]:
        """Endpoints by id."""
        ...

    async def update(self, endpoint_id: int, changes: Mapping[str, Any]) -> Endpoint | None:
        """The endpoint with ``changes``; made inactive, its pending deliveries fail."""
        ...

    async def delete(self, endpoint_id: int) -> bool:
        """Forget the endpoint and its deliveries; whether there was one."""
        ...

    async def set_secret(self, endpoint_id: int, sealed_secret: bytes) -> bool:
        """Replace the endpoint's secret; whether there was one."""
        ...

    async def deliveries(self, endpoint_id: int, window: Window) -> Slice[Delivery]:
        """The endpoint's deliveries, newest first."""
        ...

    async def delivery(self, endpoint_id: int, delivery_id: int) -> Delivery | None:
        """One of the endpoint's deliveries."""
        ...

    async def send_again(self, endpoint_id: int, delivery_id: int) -> Delivery | None:
        """The delivery due again now, pending, its attempts kept."""
        ...

    async def send_to(self, endpoint_id: int, message: Message) -> Delivery:
        """A delivery of ``message`` to that endpoint alone, due now."""
        ...


class DeliveryQueue(Protocol):
    """Deliveries as the sender works through them."""

    async def subscribed(self) -> frozenset[str]:
        """The event types at least one active endpoint subscribed to."""
        ...

    async def fan_out(self, messages: Sequence[Message]) -> int:
        """Store the messages with a delivery for each active endpoint subscribed to their
        type, in the current unit of work; how many deliveries that made."""
        ...

    async def claim(
        self, limit: int, per_endpoint: int, busy: Sequence[int], lease_seconds: float
    ) -> Sequence[DueDelivery]:
        """Up to ``limit`` due deliveries, at most ``per_endpoint`` of one endpoint, none of
        the ``busy`` endpoints' and none another process holds; each counted as attempted
        and held for the lease (then due again, should this process die sending it)."""
        ...

    async def settle(self, settled: Sequence[tuple[DueDelivery, Outcome]]) -> set[int]:
        """Record how attempts went, each unless its delivery was claimed again since (its
        lease ran out) or settled already; the ids of the deliveries recorded."""
        ...

    async def disable(self, endpoint_id: int) -> None:
        """Make the endpoint inactive and fail its pending deliveries."""
        ...

    async def next_due(self) -> datetime | None:
        """When the soonest pending delivery falls due."""
        ...

    async def backlog(self) -> tuple[int, float]:
        """How many deliveries are pending, and the age in seconds of the oldest."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget events older than ``before`` that nothing waits to deliver."""
        ...


class SecretBox(Protocol):
    """Seals endpoint secrets for the store, so that a dump of it alone reveals none."""

    @property
    def ready(self) -> bool:
        """Whether a key is set to seal with."""
        ...

    def seal(self, secret: str) -> bytes:
        """The secret, sealed."""
        ...

    def open(self, sealed: bytes) -> str:
        """The secret; ValueError when it was not sealed with a key held now."""
        ...


class SendFailed(Exception):
    """An attempt got no HTTP answer: the message says why (refused, timed out, closed)."""


class Receivers(Protocol):
    """How webhook receivers are reached over the network."""

    async def resolve(self, host: str) -> Sequence[Address]:
        """Every address ``host`` resolves to; SendFailed when it resolves to none."""
        ...

    async def post(
        self, target: Target, address: Address, headers: Sequence[tuple[str, str]], body: bytes
    ) -> int:
        """POST ``body`` to ``target`` at exactly ``address``, following no redirect; the
        answer's status (its body is not read). SendFailed when no answer came. The caller
        bounds its time."""
        ...


@dataclass(frozen=True, slots=True)
class Attempt:
    """One attempt to deliver, as it is logged and counted: never a body or a secret."""

    delivery_id: int
    endpoint_id: int
    message_id: str
    type: str
    attempt: int
    outcome: str
    """``delivered``, ``retrying``, ``failed`` or ``disabled`` (410 Gone)."""
    response_status: int | None
    seconds: float
    error: str | None


class DeliveryObserver(Protocol):
    """Who hears how deliveries go: metrics, the log."""

    def attempted(self, attempt: Attempt) -> None:
        """One attempt ended."""
        ...

    def backlog(self, pending: int, oldest_seconds: float) -> None:
        """The pending deliveries now, and the oldest one's age."""
        ...


class Unheard:
    """A DeliveryObserver that hears nothing."""

    def attempted(self, attempt: Attempt) -> None:
        """Nothing."""

    def backlog(self, pending: int, oldest_seconds: float) -> None:
        """Nothing."""


class EventData(Protocol):
    """The object an event is about, as the API shows it."""

    async def data(self, resource: str, object_id: int) -> bytes | None:
        """The object's JSON in its API shape (a portfolio in the seed's shape); None when
        it is gone."""
        ...
