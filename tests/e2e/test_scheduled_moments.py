"""Scheduled publishing from outside: each moment fires once, within a second of passing,
however many workers and hosts serve; a moment that passed while everything was down fires
at start-up. Observed where a website's build would hear it: a webhook receiver subscribed to
``portfolio.published`` and ``portfolio.unpublished``, with no write at the moments."""

from __future__ import annotations

import base64
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import msgspec
import pytest

from tests.servers import admin_headers, serving
from tests.webhook_receiver import Received, Receiver, receiving

pytestmark = pytest.mark.postgres

EVENTS = ["portfolio.published", "portfolio.unpublished"]


@pytest.fixture
def env(clean_database: str, tmp_path: Path) -> dict[str, str]:
    media = tmp_path / "media"
    media.mkdir()
    return {
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(media),
        "PORTFOLIO_WEBHOOKS_KEY": base64.b64encode(os.urandom(32)).decode(),
        "PORTFOLIO_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        "PORTFOLIO_METRICS": "false",
    }


@pytest.fixture
def admin(env: dict[str, str]) -> dict[str, str]:
    return admin_headers({**os.environ, **env})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def at(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def subscribe(base: str, admin: dict[str, str], receiver: Receiver) -> None:
    body = {"url": receiver.url("/ok"), "events": EVENTS}
    made = httpx.post(f"{base}/api/webhooks/", headers=admin, json=body)
    assert made.status_code == 201, made.text


def schedule(base: str, admin: dict[str, str], title: str, **moments: str) -> tuple[int, str]:
    """A portfolio with ``moments`` (publish_at, unpublish_at); its id and the moment that
    will change what the website shows."""
    made = httpx.post(
        f"{base}/api/portfolios/", headers=admin, json={"title": title, **moments}, timeout=10
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"]), moments.get("unpublish_at") or moments["publish_at"]


def announced(received: list[Received]) -> Counter[tuple[str, int]]:
    """How many times each (event type, portfolio id) arrived."""
    bodies = [msgspec.json.decode(one.body) for one in received]
    return Counter((body["type"], int(body["data"]["id"])) for body in bodies)


def test_each_moment_fires_once_within_a_second_across_two_hosts_of_two_workers(
    env: dict[str, str], admin: dict[str, str], receiver: Receiver
) -> None:
    with ExitStack() as hosts:
        # Two hosts of two workers each, on one database: four processes that may lead.
        first = hosts.enter_context(serving(env, workers=2))
        hosts.enter_context(serving(env, workers=2))
        subscribe(first, admin, receiver)
        lead = 4.0  # time to create them all before the first moment, on a busy machine
        scheduled = {
            schedule(first, admin, f"Published {n}", publish_at=at(lead + n * 0.2))
            for n in range(8)
        } | {
            schedule(first, admin, f"Withdrawn {n}", unpublish_at=at(lead + 0.1 + n * 0.2))
            for n in range(4)
        }
        receiver.wait_for(len(scheduled), timeout=30)
        time.sleep(2)  # room for a second announcement of any moment, if there were one
        arrived = receiver.received
    counts = announced(arrived)
    assert set(counts.values()) == {1}, counts
    assert sorted(pid for _, pid in counts) == sorted(pid for pid, _ in scheduled)
    withdrawn = {pid for (kind, pid) in counts if kind == "portfolio.unpublished"}
    assert len(withdrawn) == 4
    # Each arrived within a second of its moment (firing, then one delivery on loopback).
    offset = time.time() - time.monotonic()
    moment_of = {pid: datetime.fromisoformat(moment).timestamp() for pid, moment in scheduled}
    late = {}
    for one in arrived:
        pid = int(msgspec.json.decode(one.body)["data"]["id"])
        late[pid] = one.at + offset - moment_of[pid]
    assert all(0 <= seconds < 1.0 for seconds in late.values()), late


def test_a_moment_that_passed_while_everything_was_down_fires_at_start_up(
    env: dict[str, str], admin: dict[str, str], receiver: Receiver
) -> None:
    with serving(env) as base:
        subscribe(base, admin, receiver)
        pid, _ = schedule(base, admin, "While down", publish_at=at(3))
    time.sleep(4)  # the moment passes with no process running
    assert receiver.received == []
    with serving(env) as base:
        started = time.monotonic()
        (only,) = receiver.wait_for(1, timeout=10)
        assert only.at - started < 2.0
        time.sleep(1.5)
        assert announced(receiver.received) == Counter({("portfolio.published", pid): 1})
        public = httpx.get(f"{base}/api/public/portfolios/")
        assert [item["id"] for item in public.json()["results"]] == [pid]
