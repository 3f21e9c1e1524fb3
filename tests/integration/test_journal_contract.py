"""The audit log and the change feed's outbox behave alike in memory and in Postgres: an entry
and its events are written with the change or not at all, each event is held by one consumer
process at a time, and what is not done comes back."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.postgres.journal import PostgresJournal, PostgresOutbox
from portfolio.application.changes import (
    API,
    CREATE,
    DELETE,
    MOVE,
    PORTFOLIO,
    SIGN_IN,
    TAG,
    UPDATE,
    USER,
    Author,
    Change,
)
from portfolio.application.fields import TagFields
from portfolio.domain import Principal
from tests.integration.conftest import Stores

ADA = Author(Principal(7, "ada", True, True, False), API, request_id="r-1", client="10.0.0.1")


class Boom(Exception):
    """A failure after the change was recorded."""


async def claimed(stores: Stores, consumer: str) -> list[tuple[str, int | None]]:
    events = await stores.outbox.claim(consumer, 100, lease_seconds=60)
    return [(event.event, event.object_id) for event in events]


async def test_a_catalogue_change_is_queued_for_every_consumer(stores: Stores) -> None:
    async with stores.transactions.transaction():
        await stores.journal.record(Change(UPDATE, PORTFOLIO, 12, ("title",)), ADA)
        await stores.journal.record(Change(DELETE, TAG, 4), ADA)
    for consumer in ("edge", "webhooks"):
        assert await claimed(stores, consumer) == [("portfolio.updated", 12), ("tag.deleted", 4)]


async def test_many_changes_published_at_once_are_queued_in_their_order(stores: Stores) -> None:
    # Renumbering every portfolio's order publishes one event each, in one statement.
    moved = [Change(MOVE, PORTFOLIO, number, ("order",)) for number in (9, 3, 5)]
    async with stores.transactions.transaction():
        await stores.journal.publish(*moved, Change(SIGN_IN, USER, 7))
    for consumer in ("edge", "webhooks"):
        assert await claimed(stores, consumer) == [
            ("portfolio.updated", 9),
            ("portfolio.updated", 3),
            ("portfolio.updated", 5),
        ]


async def test_what_the_feed_does_not_carry_is_audited_only(stores: Stores) -> None:
    async with stores.transactions.transaction():
        await stores.journal.record(Change(SIGN_IN, USER, 7), ADA)
    assert await claimed(stores, "edge") == []
    assert await stores.outbox.backlog("webhooks") == (0, 0.0)


async def test_a_failed_unit_of_work_leaves_no_entry_and_no_event(stores: Stores) -> None:
    with pytest.raises(Boom):
        async with stores.transactions.transaction():
            await stores.tags.add(TagFields(name="web"))
            await stores.journal.record(Change(CREATE, TAG, 1, ("name",)), ADA)
            raise Boom
    assert await claimed(stores, "edge") == []


async def test_a_moment_that_passed_is_published_without_an_audit_entry(stores: Stores) -> None:
    await stores.journal.publish(Change("publish", PORTFOLIO, 3))
    assert await claimed(stores, "webhooks") == [("portfolio.published", 3)]


async def test_a_claimed_event_is_held_until_done_or_its_lease_ends(stores: Stores) -> None:
    await stores.journal.publish(Change(UPDATE, PORTFOLIO, 1))
    first = await stores.outbox.claim("edge", 10, lease_seconds=0.2)
    assert [event.attempts for event in first] == [1]
    assert await stores.outbox.claim("edge", 10, lease_seconds=0.2) == []
    await asyncio.sleep(0.3)
    again = await stores.outbox.claim("edge", 10, lease_seconds=60)
    assert [(event.id, event.attempts) for event in again] == [(first[0].id, 2)]
    await stores.outbox.done("edge", [first[0].id])
    assert await stores.outbox.backlog("edge") == (0, 0.0)


async def test_a_failed_delivery_comes_back_later(stores: Stores) -> None:
    await stores.journal.publish(Change(UPDATE, PORTFOLIO, 1))
    (event,) = await stores.outbox.claim("edge", 10, lease_seconds=60)
    await stores.outbox.later("edge", [event.id], 0.2, "the edge did not answer")
    assert await stores.outbox.claim("edge", 10, lease_seconds=60) == []
    count, age = await stores.outbox.backlog("edge")
    assert count == 1 and age >= 0
    await asyncio.sleep(0.3)
    assert [e.id for e in await stores.outbox.claim("edge", 10, lease_seconds=60)] == [event.id]


async def test_consumers_do_not_take_each_other_s_events(stores: Stores) -> None:
    await stores.journal.publish(Change(UPDATE, PORTFOLIO, 1))
    (edge,) = await stores.outbox.claim("edge", 10, lease_seconds=60)
    await stores.outbox.done("edge", [edge.id])
    assert await claimed(stores, "webhooks") == [("portfolio.updated", 1)]


@pytest.mark.postgres
async def test_concurrent_claimers_share_the_events_without_overlap(
    pool: AsyncConnectionPool[Any],
) -> None:
    journal, outbox = PostgresJournal(pool, ("edge",)), PostgresOutbox(pool)
    for object_id in range(40):
        await journal.publish(Change(UPDATE, PORTFOLIO, object_id))
    batches = await asyncio.gather(*(outbox.claim("edge", 10, lease_seconds=60) for _ in range(4)))
    ids = [event.id for batch in batches for event in batch]
    assert len(ids) == 40 and len(set(ids)) == 40


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_audit_entries(clean_database: str) -> None:
    with psycopg.connect(clean_database, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO audit_log (via, action, resource, object_id)"
            " VALUES ('cli', 'create', 'tag', 1)"
        )
        for statement in (
            "UPDATE audit_log SET action = 'delete'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
        with conn.transaction():
            conn.execute("SET LOCAL portfolio.audit_prune = 'on'")
            assert conn.execute("DELETE FROM audit_log").rowcount == 1
