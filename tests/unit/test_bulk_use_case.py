"""Bulk actions through the use case, over the in-memory adapters: all or nothing, and one
journal entry (and revision, for content) per portfolio changed."""

from __future__ import annotations

import pytest

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.application.changes import OPERATOR
from portfolio.application.fields import PortfolioFields, TagFields
from portfolio.application.listing import Window
from portfolio.application.portfolios.bulk import BulkPortfolios
from portfolio.application.portfolios.revisions import History
from portfolio.domain import MissingReference, MissingReferences, TakenMeanwhile


class World:
    def __init__(self) -> None:
        self.database = InMemoryDatabase()
        self.journal = InMemoryJournal()
        self.bulk = BulkPortfolios(
            self.database.portfolios,
            self.database.tags,
            InMemoryTransactions(),
            self.journal,
            History(self.database.revisions, keep=50),
        )

    async def add(self, title: str, **values: object) -> int:
        fields = PortfolioFields(title=title, slug=title.lower(), **values)  # type: ignore[arg-type]
        return (await self.database.portfolios.add(fields)).id

    async def revisions(self, portfolio_id: int) -> int:
        return (await self.database.revisions.of(portfolio_id, Window(0, 100))).total


@pytest.fixture
def world() -> World:
    return World()


async def test_each_portfolio_changed_gets_one_entry_and_one_revision(world: World) -> None:
    tag = (await world.database.tags.add(TagFields(name="Design"))).id
    a = await world.add("A", tag_ids=(tag,))
    b = await world.add("B")
    result = await world.bulk("tag", [a, b], tag, OPERATOR)
    assert (result.changed, result.unchanged) == ((b,), (a,))
    assert [(e.action, e.object_id, e.changes) for e in world.journal.entries.values()] == [
        ("update", b, ("tag_ids",))
    ]
    assert (await world.revisions(a), await world.revisions(b)) == (0, 1)
    assert (await world.database.portfolios.get(b)).tags[0].id == tag  # type: ignore[union-attr]


async def test_one_unknown_id_changes_nothing_and_every_one_is_named(world: World) -> None:
    a, b = await world.add("A"), await world.add("B")
    with pytest.raises(MissingReferences) as refused:
        await world.bulk("deactivate", [a, 999, b, 998], None, OPERATOR)
    assert (refused.value.field, refused.value.values) == ("ids", (999, 998))
    for portfolio_id in (a, b):
        assert (await world.database.portfolios.get(portfolio_id)).is_active  # type: ignore[union-attr]
    assert world.journal.entries == {} and await world.revisions(a) == 0


async def test_an_unknown_tag_and_a_taken_title_refuse_the_batch(world: World) -> None:
    a, b = await world.add("A"), await world.add("B")
    with pytest.raises(MissingReference):
        await world.bulk("untag", [a], 999, OPERATOR)
    await world.bulk("delete", [a, b], None, OPERATOR)
    await world.add("B")
    with pytest.raises(TakenMeanwhile):
        await world.bulk("restore", [a, b], None, OPERATOR)
    assert await world.database.portfolios.get(a) is None
