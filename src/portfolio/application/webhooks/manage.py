"""Webhook endpoints as admins manage them: each write journaled (resource ``webhook``) in its
own unit of work; the secret made here, shown once, and stored only sealed."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from portfolio.application.changes import (
    CREATE,
    DELETE,
    UPDATE,
    WEBHOOK,
    Author,
    Change,
    Journal,
)
from portfolio.application.ids import require_id
from portfolio.application.listing import Page, fetch_page
from portfolio.application.ports import Clock, Transactions
from portfolio.application.webhooks.messages import message_of
from portfolio.application.webhooks.ports import SecretBox, WebhookStore
from portfolio.application.webhooks.targets import TargetGuard
from portfolio.domain import (
    EVENT_TYPES,
    PING,
    Delivery,
    DeliveryNotFound,
    DomainError,
    Endpoint,
    UnknownEventTypes,
    WebhookNotFound,
)

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix Standard Webhooks gives secrets, not one)
SECRET_BYTES = 32
"""Random bytes in a secret (Standard Webhooks asks for 24 to 64)."""


class WebhooksKeyMissing(DomainError):
    """No key is set to seal secrets with (PORTFOLIO_WEBHOOKS_KEY): no endpoint can be made."""


def new_secret() -> str:
    """A fresh signing secret, as Standard Webhooks spells one."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_message_id() -> str:
    """A ``webhook-id`` no other message has."""
    return f"msg_{uuid.uuid4().hex}"


def check_events(events: tuple[str, ...]) -> None:
    """UnknownEventTypes naming every type that does not exist."""
    unknown = sorted(set(events) - EVENT_TYPES)
    if unknown:
        raise UnknownEventTypes(unknown)


class ManageWebhooks:
    """Endpoints, their secrets, pings and deliveries."""

    def __init__(
        self,
        store: WebhookStore,
        journal: Journal,
        transactions: Transactions,
        box: SecretBox,
        guard: TargetGuard,
        clock: Clock,
    ) -> None:
        self._store = store
        self._journal = journal
        self._transactions = transactions
        self._box = box
        self._guard = guard
        self._clock = clock

    async def create(self, values: Mapping[str, Any], by: Author) -> tuple[Endpoint, str]:
        """A new endpoint and its secret (the only time it is told)."""
        if not self._box.ready:
            raise WebhooksKeyMissing
        await self._check(values)
        secret = new_secret()
        async with self._transactions.transaction():
            endpoint = await self._store.create(values, self._box.seal(secret))
            await self._journal.record(
                Change(CREATE, WEBHOOK, endpoint.id, tuple(sorted(values))), by
            )
        return endpoint, secret

    async def get(self, endpoint_id: int) -> Endpoint:
        """The endpoint; WebhookNotFound when there is none."""
        endpoint = await self._store.get(require_id(endpoint_id, WebhookNotFound))
        if endpoint is None:
            raise WebhookNotFound
        return endpoint

    async def list(self, number: int, size: int) -> Page[Endpoint]:
        """Page ``number`` of the endpoints, by id."""
        return await fetch_page(self._store.list, number, size)

    async def update(self, endpoint_id: int, changes: Mapping[str, Any], by: Author) -> Endpoint:
        """The endpoint with ``changes``; made inactive, its pending deliveries fail."""
        require_id(endpoint_id, WebhookNotFound)
        await self._check(changes)
        async with self._transactions.transaction():
            endpoint = await self._store.update(endpoint_id, changes)
            if endpoint is None:
                raise WebhookNotFound
            await self._journal.record(
                Change(UPDATE, WEBHOOK, endpoint_id, tuple(sorted(changes))), by
            )
        return endpoint

    async def delete(self, endpoint_id: int, by: Author) -> None:
        """Forget the endpoint and its deliveries."""
        async with self._transactions.transaction():
            if not await self._store.delete(require_id(endpoint_id, WebhookNotFound)):
                raise WebhookNotFound
            await self._journal.record(Change(DELETE, WEBHOOK, endpoint_id), by)

    async def rotate_secret(self, endpoint_id: int, by: Author) -> tuple[Endpoint, str]:
        """A new secret for the endpoint (told this once); the old one stops at once."""
        require_id(endpoint_id, WebhookNotFound)
        if not self._box.ready:
            raise WebhooksKeyMissing
        secret = new_secret()
        async with self._transactions.transaction():
            if not await self._store.set_secret(endpoint_id, self._box.seal(secret)):
                raise WebhookNotFound
            await self._journal.record(Change(UPDATE, WEBHOOK, endpoint_id, ("secret",)), by)
        return await self.get(endpoint_id), secret

    async def ping(self, endpoint_id: int, by: Author) -> Delivery:
        """A ``webhook.ping`` to the endpoint alone, whatever it subscribed to."""
        endpoint = await self.get(endpoint_id)
        message = message_of(new_message_id(), PING, self._clock(), b'{"id":%d}' % endpoint.id)
        async with self._transactions.transaction():
            delivery = await self._store.send_to(endpoint_id, message)
            await self._journal.record(Change(UPDATE, WEBHOOK, endpoint_id, ("deliveries",)), by)
        return delivery

    async def deliveries(self, endpoint_id: int, number: int, size: int) -> Page[Delivery]:
        """Page ``number`` of the endpoint's deliveries, newest first."""
        await self.get(endpoint_id)
        return await fetch_page(
            lambda window: self._store.deliveries(endpoint_id, window), number, size
        )

    async def retry(self, endpoint_id: int, delivery_id: int, by: Author) -> Delivery:
        """The delivery sent again now (its ``webhook-id`` kept), whatever it stood at."""
        require_id(delivery_id, DeliveryNotFound)
        await self.get(endpoint_id)
        async with self._transactions.transaction():
            delivery = await self._store.send_again(endpoint_id, delivery_id)
            if delivery is None:
                raise DeliveryNotFound
            await self._journal.record(Change(UPDATE, WEBHOOK, endpoint_id, ("deliveries",)), by)
        return delivery

    async def _check(self, values: Mapping[str, Any]) -> None:
        if "events" in values:
            check_events(tuple(values["events"]))
        if "url" in values:
            await self._guard.check(values["url"])
