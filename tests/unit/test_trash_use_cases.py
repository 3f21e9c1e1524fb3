"""The trash's use cases over the in-memory adapters: what each write journals, a restore
refused for a title or slug taken meanwhile, and the purge of expired portfolios."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.application.changes import API, OPERATOR, Author
from portfolio.application.listing import Window
from portfolio.application.portfolios.manage import ManagePortfolios
from portfolio.application.portfolios.records import Editor
from portfolio.application.portfolios.revisions import History
from portfolio.application.portfolios.trash import (
    LOOK_EVERY_SECONDS,
    PURGED_AT_ONCE,
    ManageTrash,
    PurgeExpiredTrash,
)
from portfolio.domain import PortfolioNotFound, Principal, TakenMeanwhile

ALICE = Author(Principal(7, "alice", True, True, False), API)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def database(clock: Clock) -> InMemoryDatabase:
    return InMemoryDatabase(clock=clock)


@pytest.fixture
def journal() -> InMemoryJournal:
    return InMemoryJournal()


@pytest.fixture
def manage(database: InMemoryDatabase, journal: InMemoryJournal) -> ManagePortfolios:
    history = History(database.revisions, keep=50)
    return ManagePortfolios(database.portfolios, InMemoryTransactions(), journal, history)


@pytest.fixture
def trash(database: InMemoryDatabase, journal: InMemoryJournal) -> ManageTrash:
    return ManageTrash(database.portfolios, InMemoryTransactions(), journal)


async def trashed_ids(database: InMemoryDatabase) -> list[int]:
    return [t.id for t in (await database.portfolios.trashed(Window(0, 1000))).items]


def actions(journal: InMemoryJournal) -> list[tuple[str, int | None, str | None]]:
    return [(e.action, e.object_id, e.actor_username) for e in journal.entries.values()]


async def test_delete_restore_and_purge_are_journaled_with_their_author(
    manage: ManagePortfolios, trash: ManageTrash, journal: InMemoryJournal
) -> None:
    made = await manage.create({"title": "Shop"}, OPERATOR)
    await manage.delete(made.id, ALICE)
    page = await trash.list(1, 20)
    assert [(t.id, t.deleted_by) for t in page.items] == [(made.id, Editor(7, "alice"))]
    restored = await trash.restore(made.id, ALICE)
    assert restored.id == made.id and await manage.get(made.id) == restored
    await manage.delete(made.id, OPERATOR)
    await trash.purge(made.id, ALICE)
    assert actions(journal) == [
        ("create", made.id, None),
        ("delete", made.id, "alice"),
        ("restore", made.id, "alice"),
        ("delete", made.id, None),
        ("purge", made.id, "alice"),
    ]


async def test_restore_of_a_title_taken_meanwhile_is_refused_and_changes_nothing(
    manage: ManagePortfolios, trash: ManageTrash, journal: InMemoryJournal
) -> None:
    first = await manage.create({"title": "Shop"}, OPERATOR)
    await manage.delete(first.id, OPERATOR)
    await manage.create({"title": "Shop"}, OPERATOR)
    before = len(journal.entries)
    with pytest.raises(TakenMeanwhile) as refused:
        await trash.restore(first.id, ALICE)
    assert refused.value.field == "title"
    assert len(journal.entries) == before
    assert [t.id for t in (await trash.list(1, 20)).items] == [first.id]


@pytest.mark.parametrize("raw", [0, -1, 2**63, 424242])
async def test_restore_and_purge_of_what_is_not_in_the_trash_is_not_found(
    manage: ManagePortfolios, trash: ManageTrash, raw: int
) -> None:
    live = await manage.create({"title": "Live"}, OPERATOR)
    for portfolio_id in (raw, live.id):
        with pytest.raises(PortfolioNotFound):
            await trash.restore(portfolio_id, ALICE)
        with pytest.raises(PortfolioNotFound):
            await trash.purge(portfolio_id, ALICE)


async def test_the_background_work_purges_what_has_been_in_the_trash_long_enough(
    database: InMemoryDatabase,
    manage: ManagePortfolios,
    journal: InMemoryJournal,
    clock: Clock,
) -> None:
    work = PurgeExpiredTrash(
        database.portfolios, InMemoryTransactions(), journal, clock, timedelta(days=30)
    )
    old = await manage.create({"title": "Old"}, OPERATOR)
    await manage.delete(old.id, OPERATOR)
    clock.now += timedelta(days=20)
    recent = await manage.create({"title": "Recent"}, OPERATOR)
    await manage.delete(recent.id, OPERATOR)
    assert await work.run() == LOOK_EVERY_SECONDS
    assert await trashed_ids(database) == [recent.id, old.id]
    clock.now += timedelta(days=11)
    assert await work.run() == LOOK_EVERY_SECONDS
    assert await trashed_ids(database) == [recent.id]
    # Looked a moment ago: the next look is a minute after the last.
    clock.now += timedelta(seconds=LOOK_EVERY_SECONDS / 2)
    assert await work.run() == LOOK_EVERY_SECONDS / 2
    assert await trashed_ids(database) == [recent.id]
    assert actions(journal)[-1] == ("purge", old.id, None)
    assert list(journal.entries.values())[-1].via == "scheduler"


async def test_a_full_batch_of_expired_portfolios_is_followed_at_once(
    database: InMemoryDatabase, manage: ManagePortfolios, journal: InMemoryJournal, clock: Clock
) -> None:
    work = PurgeExpiredTrash(
        database.portfolios, InMemoryTransactions(), journal, clock, timedelta(days=1)
    )
    for n in range(PURGED_AT_ONCE + 1):
        made = await manage.create({"title": f"P{n}"}, OPERATOR)
        await manage.delete(made.id, OPERATOR)
    clock.now += timedelta(days=2)
    assert await work.run() == 0.0
    assert await work.run() == LOOK_EVERY_SECONDS
    assert await trashed_ids(database) == []
