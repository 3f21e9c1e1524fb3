"""The audit log is read and pruned alike in memory and in Postgres: newest first, each filter
alone or together, a prune deleting only what is older than its moment, oldest first, a batch
at a time, recorded before it deletes anything; and Postgres refuses every other change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from portfolio.adapters.memory.audit import InMemoryAuditLog
from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.adapters.postgres.audit import PostgresAuditLog
from portfolio.adapters.postgres.journal import PostgresJournal
from portfolio.adapters.postgres.statements import PostgresTransactions
from portfolio.application.audit import AuditFilter, AuditLog, PruneAuditLog, ReadAuditLog
from portfolio.application.changes import (
    API,
    CLI,
    CREATE,
    OPERATOR,
    SIGN_IN_FAILED,
    TAG,
    UPDATE,
    USER,
    Author,
    Change,
    Journal,
)
from portfolio.application.ports import Transactions
from portfolio.domain import PageNotFound, Principal

ADA = Author(Principal(7, "ada", True, True, True), API, request_id="r-1", client="10.0.0.1")
NOW = datetime.now(UTC)
EVERYTHING = AuditFilter()


@dataclass(frozen=True)
class Log:
    """One adapter family's journal, audit log and units of work, and a way to write an entry
    as if it had been written at a moment past."""

    journal: Journal
    log: AuditLog
    transactions: Transactions
    backdated: Callable[[datetime, int], Awaitable[None]]


@pytest.fixture
def audit(kind: str, request: pytest.FixtureRequest) -> Log:
    if kind == "memory":
        journal = InMemoryJournal()

        async def backdated_in_memory(at: datetime, object_id: int) -> None:
            await journal.record(Change(UPDATE, TAG, object_id), OPERATOR)
            last = max(journal.entries)
            journal.entries[last] = replace(journal.entries[last], at=at)

        return Log(journal, InMemoryAuditLog(journal), InMemoryTransactions(), backdated_in_memory)
    pool = request.getfixturevalue("pool")
    database = request.getfixturevalue("clean_database")

    async def backdated_in_postgres(at: datetime, object_id: int) -> None:
        async with await psycopg.AsyncConnection.connect(database, autocommit=True) as conn:
            await conn.execute(
                "INSERT INTO audit_log (at, via, action, resource, object_id)"
                " VALUES (%s, 'cli', 'update', 'tag', %s)",
                (at, object_id),
            )

    return Log(
        PostgresJournal(pool, ()),
        PostgresAuditLog(pool),
        PostgresTransactions(pool),
        backdated_in_postgres,
    )


async def page(
    audit: Log, criteria: AuditFilter = EVERYTHING, size: int = 100
) -> list[tuple[object, ...]]:
    found = await ReadAuditLog(audit.log)(criteria, 1, size)
    return [(e.actor_id, e.action, e.resource, e.object_id) for e in found.items]


async def test_entries_are_read_newest_first_with_what_was_recorded(audit: Log) -> None:
    await audit.journal.record(Change(CREATE, TAG, 1, ("name",)), ADA)
    await audit.journal.record(Change(SIGN_IN_FAILED, USER, None), Author(None, API, "r-2", "::1"))
    found = await ReadAuditLog(audit.log)(AuditFilter(), 1, 20)
    assert found.total == 2
    failed, created = found.items
    assert (failed.actor_id, failed.actor_username, failed.object_id) == (None, None, None)
    assert (failed.request_id, failed.client, failed.changes) == ("r-2", "::1", ())
    assert (created.actor_id, created.actor_username, created.via) == (7, "ada", API)
    assert (created.action, created.resource, created.object_id) == (CREATE, TAG, 1)
    assert (created.changes, created.request_id, created.client) == (("name",), "r-1", "10.0.0.1")
    assert created.at <= failed.at and created.at.tzinfo is not None


async def test_each_filter_alone_and_together(audit: Log) -> None:
    await audit.journal.record(Change(CREATE, TAG, 1, ("name",)), ADA)
    await audit.journal.record(Change(UPDATE, TAG, 1, ("name",)), OPERATOR)
    await audit.journal.record(Change(UPDATE, USER, 1, ("password",)), ADA)
    await audit.journal.record(Change(UPDATE, TAG, 2), ADA)
    assert await page(audit, AuditFilter(actor_id=7)) == [
        (7, UPDATE, TAG, 2),
        (7, UPDATE, USER, 1),
        (7, CREATE, TAG, 1),
    ]
    assert await page(audit, AuditFilter(resource=TAG, object_id=1)) == [
        (None, UPDATE, TAG, 1),
        (7, CREATE, TAG, 1),
    ]
    assert await page(audit, AuditFilter(object_id=1, action=UPDATE)) == [
        (7, UPDATE, USER, 1),
        (None, UPDATE, TAG, 1),
    ]
    assert await page(audit, AuditFilter(actor_id=7, resource=TAG, action=UPDATE)) == [
        (7, UPDATE, TAG, 2)
    ]
    assert await page(audit, AuditFilter(actor_id=8)) == []
    moments = [entry.at for entry in (await ReadAuditLog(audit.log)(AuditFilter(), 1, 9)).items]
    assert len(await page(audit, AuditFilter(since=moments[1]))) == 2
    assert len(await page(audit, AuditFilter(until=moments[1]))) == 2
    assert await page(audit, AuditFilter(since=moments[2], until=moments[1])) == [
        (None, UPDATE, TAG, 1)
    ]


async def test_pages_follow_one_another_and_end(audit: Log) -> None:
    for object_id in range(5):
        await audit.journal.record(Change(CREATE, TAG, object_id), ADA)
    read = ReadAuditLog(audit.log)
    first, last = await read(AuditFilter(), 1, 3), await read(AuditFilter(), 2, 3)
    assert first.total == last.total == 5
    assert [e.object_id for e in (*first.items, *last.items)] == [4, 3, 2, 1, 0]
    with pytest.raises(PageNotFound):
        await read(AuditFilter(), 3, 3)


async def test_a_prune_deletes_only_what_is_older_oldest_first(audit: Log) -> None:
    for days in (30, 20, 10):
        await audit.backdated(NOW - timedelta(days=days), days)
    await audit.journal.record(Change(CREATE, TAG, 1), ADA)
    async with audit.transactions.transaction():
        assert await audit.log.prune(NOW - timedelta(days=15), 1) == 1
    assert [row[3] for row in await page(audit)] == [1, 10, 20]
    async with audit.transactions.transaction():
        assert await audit.log.prune(NOW - timedelta(days=15), 10) == 1
        assert await audit.log.prune(NOW - timedelta(days=15), 10) == 0
    assert [row[3] for row in await page(audit)] == [1, 10]


async def test_pruning_records_itself_then_deletes_in_batches(audit: Log) -> None:
    for n in range(7):
        await audit.backdated(NOW - timedelta(days=40, minutes=n), n)
    await audit.backdated(NOW - timedelta(days=2), 100)
    batches: list[int] = []
    prune = PruneAuditLog(audit.log, audit.transactions, audit.journal, lambda: NOW, batch=3)
    assert await prune(timedelta(days=30), on_batch=batches.append) == 7
    assert batches == [3, 3, 1]
    assert await page(audit) == [(None, "purge", "audit", None), (None, UPDATE, TAG, 100)]
    newest = (await ReadAuditLog(audit.log)(AuditFilter(), 1, 1)).items[0]
    assert newest.via == CLI
    with pytest.raises(ValueError, match="at least a day"):
        await prune(timedelta(hours=23))


@pytest.mark.postgres
def test_only_a_pruning_transaction_deletes_and_nothing_updates_or_truncates(
    clean_database: str,
) -> None:
    with psycopg.connect(clean_database, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO audit_log (via, action, resource, object_id)"
            " VALUES ('cli', 'create', 'tag', 1)"
        )
        refused = ("UPDATE audit_log SET action = 'delete'", "DELETE FROM audit_log")
        for statement in (*refused, "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
        # Saying it prunes lets a transaction delete, and nothing more.
        for statement in ("UPDATE audit_log SET changes = '{x}'", "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute("SET LOCAL portfolio.audit_prune = 'on'")
                conn.execute(statement)
        # The setting ends with its transaction.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit_log")
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone() == (1,)
