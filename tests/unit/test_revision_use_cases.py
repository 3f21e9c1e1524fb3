"""Revisions through the use cases, over the in-memory adapters: every save records one with
the fields it changed, a restore writes the revision back (or nothing at all), and retention
keeps the newest."""

from __future__ import annotations

import pytest

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.application.changes import API, OPERATOR, Author
from portfolio.application.fields import TagFields
from portfolio.application.portfolios.manage import ManagePortfolios
from portfolio.application.portfolios.records import Editor
from portfolio.application.portfolios.revisions import History, ManageRevisions
from portfolio.application.portfolios.trash import ManageTrash
from portfolio.domain import MissingReference, PortfolioNotFound, Principal, RevisionNotFound

ALICE = Author(Principal(7, "alice", True, True, False), API)
KEEP = 4


class World:
    """The use cases over one in-memory database."""

    def __init__(self) -> None:
        self.database = InMemoryDatabase()
        self.journal = InMemoryJournal()
        transactions = InMemoryTransactions()
        history = History(self.database.revisions, keep=KEEP)
        portfolios = self.database.portfolios
        self.manage = ManagePortfolios(portfolios, transactions, self.journal, history)
        self.revisions = ManageRevisions(
            portfolios, self.database.revisions, history, transactions, self.journal
        )
        self.trash = ManageTrash(portfolios, transactions, self.journal)


@pytest.fixture
def world() -> World:
    return World()


async def test_every_save_records_a_revision_with_the_fields_it_changed(world: World) -> None:
    made = await world.manage.create({"title": "Shop"}, OPERATOR)
    await world.manage.update(made.id, {"excerpt": "New", "title": "Shop"}, ALICE)
    await world.manage.replace(made.id, {"title": "Shop", "order": 3}, ALICE)
    page = await world.revisions.list(made.id, 1, 20)
    newest, patched, created = page.items
    assert "title" in created.changes and created.user is None
    assert patched.changes == ("excerpt",) and patched.user == Editor(7, "alice")
    # The replace set the excerpt back to its default and the order to 3.
    assert newest.changes == ("excerpt", "order")
    assert newest.document == await world.manage.get(made.id)


async def test_a_restore_writes_the_revision_back_as_a_new_revision(world: World) -> None:
    made = await world.manage.create({"title": "Shop", "excerpt": "First"}, OPERATOR)
    first = (await world.revisions.list(made.id, 1, 20)).items[0]
    await world.manage.update(made.id, {"excerpt": "Second", "order": 5}, OPERATOR)
    restored = await world.revisions.restore(made.id, first.id, ALICE)
    assert (restored.excerpt, restored.order) == ("First", 0)
    newest = (await world.revisions.list(made.id, 1, 20)).items[0]
    assert newest.changes == ("excerpt", "order") and newest.document == restored
    assert [e.action for e in world.journal.entries.values()][-1] == "restore"


async def test_a_restore_referring_to_something_gone_changes_nothing(world: World) -> None:
    tag = await world.database.tags.add(TagFields(name="Gone"))
    made = await world.manage.create({"title": "Shop", "tag_ids": (tag.id,)}, OPERATOR)
    first = (await world.revisions.list(made.id, 1, 20)).items[0]
    await world.manage.update(made.id, {"tag_ids": (), "excerpt": "Later"}, OPERATOR)
    await world.database.tags.delete(tag.id)
    before = (await world.manage.get(made.id), len(world.journal.entries))
    with pytest.raises(MissingReference) as refused:
        await world.revisions.restore(made.id, first.id, ALICE)
    assert (refused.value.field, refused.value.value) == ("tags", tag.id)
    assert (await world.manage.get(made.id), len(world.journal.entries)) == before
    assert (await world.revisions.list(made.id, 1, 20)).total == 2


async def test_a_revision_of_another_or_a_purged_portfolio_is_not_found(world: World) -> None:
    one = await world.manage.create({"title": "One"}, OPERATOR)
    other = await world.manage.create({"title": "Other"}, OPERATOR)
    theirs = (await world.revisions.list(other.id, 1, 20)).items[0]
    with pytest.raises(RevisionNotFound):
        await world.revisions.restore(one.id, theirs.id, ALICE)
    await world.manage.delete(other.id, OPERATOR)
    with pytest.raises(PortfolioNotFound):
        await world.revisions.restore(other.id, theirs.id, ALICE)
    with pytest.raises(PortfolioNotFound):
        await world.revisions.list(other.id, 1, 20)
    await world.trash.purge(other.id, OPERATOR)
    with pytest.raises(RevisionNotFound):
        await world.revisions.restore(other.id, theirs.id, ALICE)


async def test_only_the_newest_revisions_are_kept(world: World) -> None:
    made = await world.manage.create({"title": "Shop"}, OPERATOR)
    for n in range(10):
        await world.manage.update(made.id, {"order": n}, OPERATOR)
    page = await world.revisions.list(made.id, 1, 20)
    assert page.total == KEEP
    assert [r.document.order for r in page.items] == [9, 8, 7, 6]
