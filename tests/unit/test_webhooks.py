"""Webhooks in memory: which targets are refused, the retry schedule, signatures the reference
library verifies, sealed secrets, and the fan-out and sender works over a fake network."""

from __future__ import annotations

import asyncio
import io
import ipaddress
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from dependency_injector import providers
from standardwebhooks import Webhook

from portfolio.adapters.aesgcm.secrets import AesGcmSecretBox
from portfolio.application.changes import API, Author
from portfolio.application.listing import Window
from portfolio.application.webhooks.delivery import SendDeliveries
from portfolio.application.webhooks.manage import new_secret
from portfolio.application.webhooks.messages import message_of, signed_headers
from portfolio.application.webhooks.ports import Address, SendFailed
from portfolio.domain import (
    ATTEMPTS,
    DELIVERED,
    FAILED,
    PENDING,
    Principal,
    Target,
    UnknownEventTypes,
    UnsafeTarget,
    ip_literal,
    refused_address,
    retry_delay,
    webhook_target,
)
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.settings import Settings
from tests import media_samples
from tests.memory_container import in_memory_container

ADMIN = Author(Principal(1, "admin", True, True, True), API)


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("2130706433", "loopback"),  # decimal
        ("0177.0.0.1", "loopback"),  # octal
        ("0x7f.0.0.1", "loopback"),  # hexadecimal
        ("0x7f000001", "loopback"),
        ("127.1", "loopback"),  # shortened
        ("[::1]", "loopback"),
        ("[::ffff:127.0.0.1]", "loopback"),  # IPv6-mapped IPv4
        ("[::ffff:a9fe:a9fe]", "link-local"),
        ("[2002:7f00:1::]", "loopback"),  # 6to4
        ("[64:ff9b::a00:1]", "private"),  # NAT64
        ("10.0.0.1", "private"),
        ("012.0.0.1", "private"),  # octal 10.0.0.1
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("[fe80::1]", "link-local"),
        ("224.0.0.1", "multicast"),
        ("[ff02::1]", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "reserved"),  # noqa: S104 (a target refused, not a bind)
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
    ],
)
def test_ip_literals_of_every_kind_and_notation_are_refused(host: str, kind: str) -> None:
    with pytest.raises(UnsafeTarget, match=kind):
        webhook_target(f"https://{host}/hook", allow_private=False)


def test_public_addresses_and_names_pass_the_literal_check() -> None:
    assert webhook_target("https://93.184.215.14/x", allow_private=False).host == "93.184.215.14"
    assert webhook_target("https://example.com/x", allow_private=False).port == 443
    assert refused_address(ipaddress.ip_address("2606:4700::1111")) is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://user:pass@example.com/", "credentials"),
        ("https://user@example.com/", "credentials"),
        ("http://example.com/", "Only https"),
        ("ftp://example.com/", "Only https"),
        ("file:///etc/passwd", "Only https"),
        ("gopher://example.com/", "Only https"),
        ("https:///nohost", "valid URL"),
        ("https://example.com:99999/", "valid URL"),
    ],
)
def test_urls_with_credentials_other_schemes_or_no_host_are_refused(url: str, message: str) -> None:
    with pytest.raises(UnsafeTarget, match=message):
        webhook_target(url, allow_private=False)


def test_private_targets_allowed_take_http_and_loopback_but_never_credentials() -> None:
    assert webhook_target("http://127.0.0.1:8080/x", allow_private=True).port == 8080
    with pytest.raises(UnsafeTarget, match="Only http and https"):
        webhook_target("ftp://127.0.0.1/", allow_private=True)
    with pytest.raises(UnsafeTarget, match="credentials"):
        webhook_target("http://a:b@127.0.0.1/", allow_private=True)


def test_a_name_is_not_taken_for_an_address() -> None:
    assert ip_literal("example.com") is None
    assert ip_literal("1.2.3.4.5") is None
    assert ip_literal("08.1.1.1") is None  # not octal, not decimal: a name to resolve


def test_retries_start_within_seconds_and_stop_after_about_a_day() -> None:
    first = retry_delay(1, 0.0)
    assert first is not None and 4 <= first <= 6
    assert retry_delay(1, 1.0) == pytest.approx(6.0) and retry_delay(1, -1.0) == pytest.approx(4.0)
    delays = [retry_delay(n, 0.0) for n in range(1, ATTEMPTS)]
    assert all(d is not None for d in delays)
    assert delays == sorted(delays)  # type: ignore[type-var]
    total = sum(d for d in delays if d is not None)
    assert timedelta(hours=20) < timedelta(seconds=total) < timedelta(hours=36)
    assert retry_delay(ATTEMPTS, 0.0) is None


def test_the_signature_is_verified_by_the_standard_webhooks_library() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_") and len(secret) > len("whsec_") + 32
    message = message_of("msg_1", "tag.created", datetime.now(UTC), b'{"id":1,"name":"web"}')
    now = int(datetime.now(UTC).timestamp())
    target = webhook_target("http://127.0.0.1/hook", allow_private=True)
    headers = dict(signed_headers(target, secret, message.message_id, now, message.body))
    payload = Webhook(secret).verify(message.body, headers)
    assert payload["type"] == "tag.created"
    assert payload["data"] == {"id": 1, "name": "web"}
    with pytest.raises(Exception, match="signature"):
        Webhook(new_secret()).verify(message.body, headers)


def test_a_sealed_secret_reveals_nothing_and_opens_only_with_its_key() -> None:
    key, other = os.urandom(32), os.urandom(32)
    box = AesGcmSecretBox([key])
    secret = new_secret()
    sealed = box.seal(secret)
    assert secret.encode() not in sealed and secret.removeprefix("whsec_").encode() not in sealed
    assert box.open(sealed) == secret
    assert box.seal(secret) != sealed  # a fresh nonce each time
    with pytest.raises(ValueError):
        AesGcmSecretBox([other]).open(sealed)
    # A new key first, the old one second: old secrets still open, new ones use the new key.
    rotated = AesGcmSecretBox([other, key])
    assert rotated.open(sealed) == secret
    with pytest.raises(ValueError):
        box.open(rotated.seal(secret))
    assert not AesGcmSecretBox([]).ready
    assert "key" not in repr(box).lower().replace("keys", "")


class FakeReceivers:
    """Receivers answering by the URL's path: ``/status/<n>``, ``/hang`` (never), else 200;
    every name resolves to ``addresses``."""

    def __init__(self, addresses: Sequence[str] = ("93.184.215.14",)) -> None:
        self.addresses = [ipaddress.ip_address(a) for a in addresses]
        self.posts: list[tuple[str, dict[str, str], bytes]] = []

    async def resolve(self, host: str) -> Sequence[Address]:
        if host.endswith(".invalid"):
            raise SendFailed(f"{host} does not resolve")
        return self.addresses

    async def post(
        self, target: Target, address: Address, headers: Sequence[tuple[str, str]], body: bytes
    ) -> int:
        path = target.parts.path
        self.posts.append((path, dict(headers), body))
        if path.startswith("/hang"):
            await asyncio.sleep(3600)
        if path.startswith("/close"):
            raise SendFailed("the connection closed before an answer")
        if path.startswith("/status/"):
            return int(path.split("/")[2])
        return 200


@pytest.fixture
def network() -> FakeReceivers:
    return FakeReceivers()


@pytest.fixture
def container(network: FakeReceivers) -> Container:
    settings = Settings(webhooks_keys=(os.urandom(32),))
    container = in_memory_container(settings)
    container.webhook_receivers.override(providers.Object(network))
    container.send_webhooks.override(
        providers.Singleton(
            SendDeliveries,
            queue=container.webhooks,
            box=container.webhook_box,
            guard=container.webhook_guard,
            transactions=container.transactions,
            journal=container.journal,
            clock=container.clock,
            observer=providers.Object(Recorded()),
            timeout=0.5,
            jitter=lambda: 0.0,
        )
    )
    return container


class Recorded:
    def __init__(self) -> None:
        self.attempts: list[object] = []

    def attempted(self, attempt: object) -> None:
        self.attempts.append(attempt)

    def backlog(self, pending: int, oldest_seconds: float) -> None:
        pass


async def turn(container: Container) -> None:
    """One turn of the background leader, then the sends it started."""
    await container.fan_out_webhooks().run()
    sender = container.send_webhooks()
    await sender.run()
    await sender.drain()


async def register(container: Container, url: str, events: list[str]) -> int:
    endpoint, _ = await container.manage_webhooks().create({"url": url, "events": events}, ADMIN)
    return endpoint.id


async def test_an_endpoint_receives_only_the_types_it_subscribed_to(
    container: Container, network: FakeReceivers
) -> None:
    tags_only = await register(container, "https://a.example/ok", ["tag.created"])
    await register(container, "https://b.example/ok", ["employer.created"])
    await container.manage_tags().create({"name": "web"}, ADMIN)
    await turn(container)
    assert [path for path, _, _ in network.posts] == ["/ok"]
    body = json.loads(network.posts[0][2])
    assert body["type"] == "tag.created"
    assert body["data"]["name"] == "web" and body["timestamp"].endswith("Z")
    page = await container.manage_webhooks().deliveries(tags_only, 1, 20)
    assert [(d.status, d.attempts, d.response_status) for d in page.items] == [(DELIVERED, 1, 200)]


async def test_a_deletion_carries_only_the_id(container: Container, network: FakeReceivers) -> None:
    await register(container, "https://a.example/ok", ["tag.deleted"])
    tag = await container.manage_tags().create({"name": "web"}, ADMIN)
    await container.manage_tags().delete(tag.id, ADMIN)
    await turn(container)
    assert json.loads(network.posts[0][2])["data"] == {"id": tag.id}


async def test_a_500_is_retried_with_the_same_webhook_id_then_fails_after_the_last_attempt(
    container: Container, network: FakeReceivers
) -> None:
    endpoint = await register(container, "https://a.example/status/500", ["tag.created"])
    await container.manage_tags().create({"name": "web"}, ADMIN)
    await turn(container)
    store = container.webhooks()
    for _ in range(ATTEMPTS - 1):
        for key, row in list(store.rows.items()):  # every retry falls due now
            store.rows[key] = type(row)(row.delivery, row.message, datetime.now(UTC), row.error)
        await turn(container)
    ids = {headers["webhook-id"] for _, headers, _ in network.posts}
    assert len(network.posts) == ATTEMPTS and len(ids) == 1
    (delivery,) = (await container.manage_webhooks().deliveries(endpoint, 1, 20)).items
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        FAILED,
        ATTEMPTS,
        500,
    )
    retried = await container.manage_webhooks().retry(endpoint, delivery.id, ADMIN)
    assert retried.status == PENDING
    await turn(container)
    assert len(network.posts) == ATTEMPTS + 1


async def test_the_first_retry_falls_due_about_five_seconds_later(
    container: Container, network: FakeReceivers
) -> None:
    await register(container, "https://a.example/close", ["tag.created"])
    await container.manage_tags().create({"name": "web"}, ADMIN)
    await turn(container)
    due = await container.webhooks().next_due()
    assert due is not None
    assert 4 <= (due - datetime.now(UTC)).total_seconds() <= 6


async def test_410_disables_the_endpoint_and_the_audit_log_says_so(
    container: Container, network: FakeReceivers
) -> None:
    endpoint = await register(container, "https://a.example/status/410", ["tag.created"])
    await container.manage_tags().create({"name": "a"}, ADMIN)
    await container.manage_tags().create({"name": "b"}, ADMIN)
    sender = container.send_webhooks()
    await container.fan_out_webhooks().run()
    # One at a time, so that the second is still pending when the first meets 410.
    sender._per_endpoint = 1
    await sender.run()
    await sender.drain()
    assert not (await container.manage_webhooks().get(endpoint)).is_active
    statuses = sorted(
        d.status for d in (await container.webhooks().deliveries(endpoint, _w())).items
    )
    assert statuses == [FAILED, FAILED]
    entries = [e for e in container.journal().entries.values() if e.resource == "webhook"]
    assert [(e.action, e.via, e.changes) for e in entries][-1] == (
        "update",
        "scheduler",
        ("is_active",),
    )


def _w() -> Window:
    return Window(0, 100)


async def test_a_hanging_receiver_never_holds_up_the_others(
    container: Container, network: FakeReceivers
) -> None:
    hanging = await register(container, "https://a.example/hang", ["tag.created"])
    fine = await register(container, "https://b.example/ok", ["tag.created"])
    for n in range(10):
        await container.manage_tags().create({"name": f"t{n}"}, ADMIN)
    await container.fan_out_webhooks().run()
    sender = container.send_webhooks()
    await sender.run()
    await asyncio.sleep(0.1)
    await sender.run()
    await asyncio.sleep(0.1)
    await sender.run()
    await asyncio.sleep(0.1)
    delivered = (await container.webhooks().deliveries(fine, _w())).items
    assert [d.status for d in delivered] == [DELIVERED] * 10
    await sender.drain()
    waiting = (await container.webhooks().deliveries(hanging, _w())).items
    assert {d.status for d in waiting} == {PENDING}
    assert max(d.attempts for d in waiting) == 1


async def test_an_address_the_name_now_resolves_to_is_judged_at_each_attempt(
    container: Container, network: FakeReceivers
) -> None:
    endpoint = await register(container, "https://rebinding.example/ok", ["tag.created"])
    network.addresses = [ipaddress.ip_address("127.0.0.1")]
    await container.manage_tags().create({"name": "web"}, ADMIN)
    await turn(container)
    assert network.posts == []
    (delivery,) = (await container.webhooks().deliveries(endpoint, _w())).items
    assert delivery.status == PENDING and delivery.attempts == 1


async def test_registration_refuses_unknown_types_and_unsafe_hosts(
    container: Container, network: FakeReceivers
) -> None:
    manage = container.manage_webhooks()
    with pytest.raises(UnknownEventTypes) as unknown:
        await manage.create({"url": "https://a.example/", "events": ["x.y", "tag.created"]}, ADMIN)
    assert unknown.value.names == ["x.y"]
    with pytest.raises(UnsafeTarget, match="does not resolve"):
        await manage.create({"url": "https://nowhere.invalid/", "events": ["tag.created"]}, ADMIN)
    network.addresses = [ipaddress.ip_address("10.1.2.3")]
    with pytest.raises(UnsafeTarget, match="private"):
        await manage.create({"url": "https://internal.example/", "events": ["tag.created"]}, ADMIN)


async def test_every_webhook_write_is_in_the_audit_log(container: Container) -> None:
    manage = container.manage_webhooks()
    endpoint = await register(container, "https://a.example/ok", ["tag.created"])
    await manage.update(endpoint, {"description": "site"}, ADMIN)
    await manage.rotate_secret(endpoint, ADMIN)
    ping = await manage.ping(endpoint, ADMIN)
    await manage.retry(endpoint, ping.id, ADMIN)
    await manage.delete(endpoint, ADMIN)
    entries = [e for e in container.journal().entries.values() if e.resource == "webhook"]
    assert [(e.action, e.changes) for e in entries] == [
        ("create", ("events", "url")),
        ("update", ("description",)),
        ("update", ("secret",)),
        ("update", ("deliveries",)),
        ("update", ("deliveries",)),
        ("delete", ()),
    ]
    assert all(e.actor_username == "admin" and e.object_id == endpoint for e in entries)


async def test_an_upload_is_announced_with_the_media_in_its_api_shape(
    container: Container, network: FakeReceivers
) -> None:
    await register(container, "https://a.example/ok", ["media.created"])
    media = await container.upload_media()(io.BytesIO(media_samples.png()), "team.png", by=ADMIN)
    await turn(container)
    (sent,) = network.posts
    body = json.loads(sent[2])
    assert body["type"] == "media.created"
    assert body["data"]["id"] == media.id and body["data"]["name"] == "team.png"
    assert body["data"]["f"].endswith(".png") and body["data"]["thumbnails"]
