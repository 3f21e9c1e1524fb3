"""Retry keys and the safe-retries use case behave the same in memory and in Postgres."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from portfolio.application.fields import TagFields
from portfolio.application.listing import Window
from portfolio.application.ports import RecordedAnswer, RetryClaim
from portfolio.application.retries import KEEP_FOR, LEASE, KeyReused, RequestInProgress, SafeRetries
from portfolio.domain import ServiceUnavailable
from tests.integration.conftest import Stores, administer_users

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CREATED = RecordedAnswer(201, (("content-type", "application/json"),), b'{"id":1}')
REFUSED = RecordedAnswer(400, (("content-type", "application/json"),), b'{"name":["x"]}')


class FixedClock:
    """A clock that stands still until moved."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Counted:
    """A request handler that counts how often it ran and answers ``answer``."""

    def __init__(self, answer: RecordedAnswer = CREATED) -> None:
        self.answer = answer
        self.runs = 0

    async def __call__(self) -> RecordedAnswer:
        self.runs += 1
        return self.answer


async def two_users(stores: Stores) -> tuple[int, int]:
    """Ids of two users (the Postgres keys belong to real users)."""
    users = administer_users(stores)
    return (await users.create("ann")).id, (await users.create("bob")).id


async def test_a_retry_with_the_same_fingerprint_gets_the_first_answer_without_running(
    stores: Stores,
) -> None:
    ann, _ = await two_users(stores)
    retries, serve = SafeRetries(stores.retry_keys, stores.transactions, FixedClock(NOW)), Counted()
    first = await retries.answer(ann, "k-1", b"body", serve)
    again = await retries.answer(ann, "k-1", b"body", serve)
    assert (first.answer, first.replayed) == (CREATED, False)
    assert (again.answer, again.replayed) == (CREATED, True)
    assert serve.runs == 1


async def test_the_same_key_with_another_fingerprint_is_refused(stores: Stores) -> None:
    ann, _ = await two_users(stores)
    retries, serve = SafeRetries(stores.retry_keys, stores.transactions, FixedClock(NOW)), Counted()
    await retries.answer(ann, "k-1", b"body", serve)
    with pytest.raises(KeyReused):
        await retries.answer(ann, "k-1", b"other body", serve)
    assert serve.runs == 1


async def test_keys_are_per_user(stores: Stores) -> None:
    ann, bob = await two_users(stores)
    retries, serve = SafeRetries(stores.retry_keys, stores.transactions, FixedClock(NOW)), Counted()
    await retries.answer(ann, "shared", b"body", serve)
    second = await retries.answer(bob, "shared", b"body", serve)
    assert second.replayed is False
    assert serve.runs == 2


async def test_a_refusal_is_not_kept_so_the_key_can_be_used_again(stores: Stores) -> None:
    ann, _ = await two_users(stores)
    retries = SafeRetries(stores.retry_keys, stores.transactions, FixedClock(NOW))
    refused = await retries.answer(ann, "k-1", b"bad body", Counted(REFUSED))
    assert (refused.answer, refused.replayed) == (REFUSED, False)
    fixed = await retries.answer(ann, "k-1", b"good body", Counted())
    assert (fixed.answer, fixed.replayed) == (CREATED, False)


async def test_an_error_gives_the_key_back(stores: Stores) -> None:
    ann, _ = await two_users(stores)
    retries = SafeRetries(stores.retry_keys, stores.transactions, FixedClock(NOW))

    async def failing() -> RecordedAnswer:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        await retries.answer(ann, "k-1", b"body", failing)
    assert (await retries.answer(ann, "k-1", b"body", Counted())).replayed is False


async def test_a_second_request_while_the_first_is_served_is_told_it_is_in_progress(
    stores: Stores,
) -> None:
    ann, _ = await two_users(stores)
    retries = SafeRetries(stores.retry_keys, stores.transactions, FixedClock(NOW))
    started, finish = asyncio.Event(), asyncio.Event()

    async def slow() -> RecordedAnswer:
        started.set()
        await finish.wait()
        return CREATED

    first = asyncio.create_task(retries.answer(ann, "k-1", b"body", slow))
    await started.wait()
    with pytest.raises(RequestInProgress):
        await retries.answer(ann, "k-1", b"body", Counted())
    finish.set()
    assert (await first).replayed is False
    assert (await retries.answer(ann, "k-1", b"body", Counted())).replayed is True


async def test_concurrent_claims_of_one_key_let_exactly_one_through(stores: Stores) -> None:
    ann, _ = await two_users(stores)
    results = await asyncio.gather(
        *(
            stores.retry_keys.claim(
                RetryClaim(ann, "k-1", b"body", NOW, NOW + KEEP_FOR, NOW + LEASE)
            )
            for _ in range(8)
        )
    )
    assert sum(result is None for result in results) == 1


async def test_an_abandoned_request_frees_its_key_after_the_lease(stores: Stores) -> None:
    ann, _ = await two_users(stores)
    clock = FixedClock(NOW)
    retries = SafeRetries(stores.retry_keys, stores.transactions, clock)
    # A process claimed the key, then died before answering.
    await stores.retry_keys.claim(RetryClaim(ann, "k-1", b"body", NOW, NOW + KEEP_FOR, NOW + LEASE))
    with pytest.raises(RequestInProgress):
        await retries.answer(ann, "k-1", b"body", Counted())
    clock.now = NOW + LEASE
    assert (await retries.answer(ann, "k-1", b"body", Counted())).replayed is False


async def test_an_answer_is_kept_for_a_day_then_the_key_is_new(stores: Stores) -> None:
    ann, _ = await two_users(stores)
    clock = FixedClock(NOW)
    retries, serve = SafeRetries(stores.retry_keys, stores.transactions, clock), Counted()
    await retries.answer(ann, "k-1", b"body", serve)
    clock.now = NOW + KEEP_FOR - timedelta(seconds=1)
    assert (await retries.answer(ann, "k-1", b"body", serve)).replayed is True
    clock.now = NOW + KEEP_FOR
    fresh = await retries.answer(ann, "k-1", b"other body", serve)
    assert fresh.replayed is False
    assert serve.runs == 2


async def test_purge_removes_only_expired_keys(stores: Stores) -> None:
    ann, bob = await two_users(stores)
    keys = stores.retry_keys
    await keys.claim(RetryClaim(ann, "old", b"a", NOW, expires_at=NOW, lease_until=NOW))
    await keys.claim(RetryClaim(bob, "new", b"b", NOW, expires_at=NOW + KEEP_FOR, lease_until=NOW))
    await keys.record(bob, "new", b"b", CREATED)
    assert await keys.purge(NOW) == 1
    assert await keys.purge(NOW) == 0
    kept = await keys.claim(RetryClaim(bob, "new", b"b", NOW, NOW + KEEP_FOR, NOW + LEASE))
    assert kept is not None and kept.answer == CREATED


async def test_the_use_case_purges_expired_keys_as_it_goes(stores: Stores) -> None:
    ann, _ = await two_users(stores)
    clock = FixedClock(NOW)
    retries = SafeRetries(stores.retry_keys, stores.transactions, clock)
    await retries.answer(ann, "k-1", b"body", Counted())
    clock.now = NOW + KEEP_FOR + timedelta(hours=1)
    await retries.answer(ann, "k-2", b"body", Counted())
    # k-1 went in the purge the second request ran, not by being claimed again.
    assert await stores.retry_keys.purge(clock.now) == 0


async def test_the_write_and_its_kept_answer_are_one_fact(stores: Stores) -> None:
    ann, _ = await two_users(stores)
    retries = SafeRetries(stores.retry_keys, stores.transactions, FixedClock(NOW))

    async def writes_then_fails() -> RecordedAnswer:
        await stores.tags.add(TagFields(name="half done"))
        raise ServiceUnavailable("the commit could not be confirmed")

    with pytest.raises(ServiceUnavailable):
        await retries.answer(ann, "k-1", b"body", writes_then_fails)
    assert (await stores.tags.find((), Window(offset=0, limit=10))).total == 0

    async def writes() -> RecordedAnswer:
        await stores.tags.add(TagFields(name="done"))
        return CREATED

    first = await retries.answer(ann, "k-1", b"body", writes)
    again = await retries.answer(ann, "k-1", b"body", writes)
    assert (first.replayed, again.replayed) == (False, True)
    assert (await stores.tags.find((), Window(offset=0, limit=10))).total == 1
