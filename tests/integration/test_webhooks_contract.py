"""The webhook store and delivery queue: the same rules in memory and in Postgres, one sender
per delivery across concurrent claims, and the HTTP/1 client against a real bad receiver."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from portfolio.adapters.http1.receivers import Http1Receivers
from portfolio.adapters.memory.webhooks import InMemoryWebhooks
from portfolio.adapters.postgres.webhooks import PostgresWebhooks
from portfolio.application.listing import Window
from portfolio.application.webhooks.ports import Message, Outcome, SendFailed
from portfolio.domain import DELIVERED, FAILED, PENDING, webhook_target
from tests.webhook_receiver import Receiver, receiving

Hooks = InMemoryWebhooks | PostgresWebhooks
ALL = Window(0, 100)


@pytest.fixture
def hooks(kind: str, request: pytest.FixtureRequest) -> Hooks:
    if kind == "memory":
        return InMemoryWebhooks()
    return PostgresWebhooks(request.getfixturevalue("pool"))


def message(n: int, event: str = "tag.created") -> Message:
    return Message(f"msg_{n}", event, b'{"n":%d}' % n, datetime.now(UTC))


async def endpoint(hooks: Hooks, events: list[str], active: bool = True) -> int:
    made = await hooks.create(
        {"url": "https://a.example/", "events": events, "is_active": active}, b"sealed"
    )
    return made.id


async def test_fan_out_reaches_active_subscribers_only(hooks: Hooks) -> None:
    tags = await endpoint(hooks, ["tag.created", "tag.deleted"])
    both = await endpoint(hooks, ["tag.created", "employer.created"])
    await endpoint(hooks, ["tag.created"], active=False)
    assert await hooks.subscribed() == {"tag.created", "tag.deleted", "employer.created"}
    made = await hooks.fan_out([message(1), message(2, "employer.created")])
    assert made == 3
    assert [d.type for d in (await hooks.deliveries(tags, ALL)).items] == ["tag.created"]
    newest_first = [d.type for d in (await hooks.deliveries(both, ALL)).items]
    assert newest_first == ["employer.created", "tag.created"]


async def test_a_claim_takes_a_few_of_each_endpoint_and_none_of_the_busy(hooks: Hooks) -> None:
    first = await endpoint(hooks, ["tag.created"])
    second = await endpoint(hooks, ["tag.created"])
    await hooks.fan_out([message(n) for n in range(10)])
    claimed = await hooks.claim(100, 3, [second], 30)
    assert [d.endpoint_id for d in claimed] == [first] * 3
    assert all(d.attempt == 1 and d.body.startswith(b'{"n":') for d in claimed)
    assert claimed[0].sealed_secret == b"sealed" and claimed[0].message_id == "msg_0"
    again = await hooks.claim(100, 3, [], 30)
    assert sorted(d.endpoint_id for d in again) == [first] * 3 + [second] * 3
    assert {d.id for d in again}.isdisjoint(d.id for d in claimed)


async def test_settling_records_the_outcome_unless_claimed_again(hooks: Hooks) -> None:
    target = await endpoint(hooks, ["tag.created"])
    await hooks.fan_out([message(1), message(2), message(3)])
    one, two, three = await hooks.claim(10, 10, [], 30)
    recorded = await hooks.settle(
        [
            (one, Outcome(DELIVERED, 204)),
            (two, Outcome(PENDING, 500, retry_in=0.0, error="answered 500")),
            (three, Outcome(FAILED, None, error="closed")),
        ]
    )
    assert recorded == {one.id, two.id, three.id}
    assert await hooks.settle([(one, Outcome(FAILED, 500))]) == set()  # settled already
    (two_again,) = await hooks.claim(10, 10, [], 30)
    assert two_again.id == two.id and two_again.attempt == 2
    assert await hooks.settle([(two, Outcome(DELIVERED, 200))]) == set()  # a stale claim
    shown = {d.id: d for d in (await hooks.deliveries(target, ALL)).items}
    assert (shown[one.id].status, shown[one.id].response_status) == (DELIVERED, 204)
    assert shown[one.id].delivered_at is not None
    assert (shown[three.id].status, shown[three.id].attempts) == (FAILED, 1)
    retried = await hooks.send_again(target, three.id)
    assert retried is not None and retried.status == PENDING
    assert [d.id for d in await hooks.claim(10, 10, [two.id], 30)] == [three.id]


async def test_a_lease_held_keeps_a_delivery_from_other_claims_until_it_ends(
    hooks: Hooks,
) -> None:
    await endpoint(hooks, ["tag.created"])
    await hooks.fan_out([message(1)])
    assert len(await hooks.claim(10, 10, [], 0.5)) == 1
    assert await hooks.claim(10, 10, [], 0.5) == []
    count, _ = await hooks.backlog()
    assert count == 1
    due = await hooks.next_due()
    assert due is not None and due > datetime.now(UTC)
    await asyncio.sleep(0.6)
    (again,) = await hooks.claim(10, 10, [], 30)
    assert again.attempt == 2


async def test_disabling_fails_what_was_pending(hooks: Hooks) -> None:
    target = await endpoint(hooks, ["tag.created"])
    await hooks.fan_out([message(1), message(2)])
    await hooks.disable(target)
    assert not (await hooks.get(target)).is_active  # type: ignore[union-attr]
    assert {d.status for d in (await hooks.deliveries(target, ALL)).items} == {FAILED}
    assert await hooks.claim(10, 10, [], 30) == []
    assert await hooks.backlog() == (0, 0.0)


async def test_old_messages_nothing_waits_for_are_pruned(hooks: Hooks) -> None:
    target = await endpoint(hooks, ["tag.created"])
    await hooks.fan_out([message(1), message(2)])
    one, _ = await hooks.claim(10, 10, [], 30)
    await hooks.settle([(one, Outcome(DELIVERED, 200))])
    assert await hooks.prune(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert [d.status for d in (await hooks.deliveries(target, ALL)).items] == [PENDING]


async def test_deleting_an_endpoint_forgets_its_deliveries(hooks: Hooks) -> None:
    target = await endpoint(hooks, ["tag.created"])
    await hooks.fan_out([message(1)])
    assert await hooks.delete(target)
    assert not await hooks.delete(target)
    assert await hooks.claim(10, 10, [], 30) == []


@pytest.mark.postgres
async def test_concurrent_claims_never_take_one_delivery_twice(pool: object) -> None:
    hooks = PostgresWebhooks(pool)  # type: ignore[arg-type]
    for _ in range(5):
        await endpoint(hooks, ["tag.created"])
    await hooks.fan_out([message(n) for n in range(40)])
    claims = await asyncio.gather(*(hooks.claim(30, 100, [], 30) for _ in range(8)))
    ids = [d.id for claim in claims for d in claim]
    assert len(ids) == len(set(ids))
    # What a claim skipped (locked by another) is taken by the next ones, each once.
    while rest := await hooks.claim(100, 100, [], 30):
        ids += [d.id for d in rest]
    assert len(ids) == len(set(ids)) == 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


async def post(receiver: Receiver, path: str) -> int:
    target = webhook_target(receiver.url(path), allow_private=True)
    (address,) = await Http1Receivers().resolve("127.0.0.1")
    headers = [("Host", target.host_header), ("Content-Length", "2")]
    return await asyncio.wait_for(Http1Receivers().post(target, address, headers, b"{}"), 3)


@pytest.mark.parametrize("status", [200, 204, 301, 410, 500, 503])
async def test_the_client_reports_the_status_and_follows_no_redirect(
    receiver: Receiver, status: int
) -> None:
    assert await post(receiver, f"/status/{status}") == status
    assert await post(receiver, "/redirect") == 302
    assert [r.path for r in receiver.received[-1:]] == ["/redirect"]
    assert receiver.arrived("/ok") == []


async def test_a_50_mb_answer_is_not_read(receiver: Receiver) -> None:
    started = time.monotonic()
    assert await post(receiver, "/huge") == 200
    assert time.monotonic() - started < 2


async def test_a_receiver_that_hangs_up_or_hangs_is_a_failure(receiver: Receiver) -> None:
    with pytest.raises(SendFailed, match="closed"):
        await post(receiver, "/close")
    with pytest.raises(TimeoutError):
        await post(receiver, "/hang")


async def test_nobody_listening_is_a_failure(receiver: Receiver) -> None:
    target = webhook_target("http://127.0.0.1:9/", allow_private=True)
    (address,) = await Http1Receivers().resolve("localhost")
    with pytest.raises(SendFailed, match="connection failed"):
        await Http1Receivers().post(target, address, [("Host", "x")], b"")
