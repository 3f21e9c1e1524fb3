"""Moving in the display order over the in-memory adapters: the order chosen between two
neighbours, one row written while a gap is left, renumbering once none is, and the refusals."""

from __future__ import annotations

import pytest

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.application.changes import OPERATOR
from portfolio.application.fields import PortfolioFields
from portfolio.application.listing import PortfolioFilter, Window
from portfolio.application.portfolios.moving import (
    LARGEST_ORDER,
    SMALLEST_ORDER,
    SPACING,
    MovePortfolio,
    order_between,
)
from portfolio.application.portfolios.records import Position
from portfolio.application.portfolios.revisions import History
from portfolio.domain import MissingReference, MovedBesideItself, PortfolioNotFound


@pytest.mark.parametrize(
    ("lower", "upper", "moving", "expected"),
    [
        (Position(0, 1), Position(1024, 2), 3, 512),
        (Position(0, 1), Position(2, 2), 3, 1),
        # Equal orders are told apart by id: an order equal to a neighbour's will do on the
        # right side of its id.
        (Position(5, 1), Position(6, 9), 3, 5),
        (Position(5, 1), Position(6, 9), 12, 5),
        (Position(5, 4), Position(6, 9), 3, 6),
        (Position(5, 4), Position(6, 2), 3, None),
        (Position(5, 1), Position(5, 9), 3, 5),
        (Position(5, 4), Position(5, 9), 3, None),
        (None, Position(0, 2), 3, -SPACING),
        (Position(7, 2), None, 3, 7 + SPACING),
        (None, Position(SMALLEST_ORDER, 2), 3, None),
        (None, Position(SMALLEST_ORDER, 2), 1, SMALLEST_ORDER),
        (Position(LARGEST_ORDER, 2), None, 3, LARGEST_ORDER),
        (Position(LARGEST_ORDER, 4), None, 3, None),
    ],
)
def test_the_order_between_two_neighbours(
    lower: Position | None, upper: Position | None, moving: int, expected: int | None
) -> None:
    chosen = order_between(lower, upper, moving)
    assert chosen == expected
    if chosen is not None:
        assert lower is None or lower < Position(chosen, moving)
        assert upper is None or Position(chosen, moving) < upper


class World:
    def __init__(self) -> None:
        self.database = InMemoryDatabase()
        self.journal = InMemoryJournal(consumers=("edge",))
        self.history = History(self.database.revisions, keep=50)
        self.move = MovePortfolio(
            self.database.portfolios, InMemoryTransactions(), self.journal, self.history
        )

    async def add(self, title: str, order: int) -> int:
        fields = PortfolioFields(title=title, slug=title.lower(), order=order)
        return (await self.database.portfolios.add(fields)).id

    async def listed(self) -> list[tuple[str, int]]:
        found = await self.database.portfolios.find(PortfolioFilter(), Window(0, 100))
        return [(p.title, p.order) for p in found.items]


@pytest.fixture
def world() -> World:
    return World()


async def test_a_move_into_a_gap_writes_the_moved_portfolio_only(world: World) -> None:
    a, b, c = [await world.add(t, o) for t, o in (("A", 1024), ("B", 2048), ("C", 3072))]
    moved = await world.move(c, "before", b, OPERATOR)
    assert moved.order == 1536
    assert await world.listed() == [("A", 1024), ("C", 1536), ("B", 2048)]
    await world.move(a, "after", b, OPERATOR)
    assert await world.listed() == [("C", 1536), ("B", 2048), ("A", 2048 + SPACING)]
    entries = list(world.journal.entries.values())
    assert [(e.action, e.object_id, e.changes) for e in entries] == [
        ("move", c, ("order",)),
        ("move", a, ("order",)),
    ]
    (revision,) = (await world.database.revisions.of(c, Window(0, 10))).items
    assert revision.changes == ("order",) and revision.document.order == 1536


async def test_a_move_with_no_gap_left_renumbers_every_portfolio_first(world: World) -> None:
    ids = [await world.add(t, 0) for t in ("A", "B", "C", "D")]
    trashed = await world.add("Trashed", 0)
    await world.database.portfolios.trash(trashed, None)
    await world.move(ids[3], "after", ids[0], OPERATOR)
    assert await world.listed() == [("A", 1024), ("D", 1536), ("B", 2048), ("C", 3072)]
    # A trashed portfolio keeps its order: it is in no list to be renumbered in.
    assert world.database.portfolio_rows[trashed][0].order == 0
    # The renumbered ones show another order: the feed hears of each, with no audit entry.
    queued = sorted(event.object_id for _, event, _ in world.journal.queued.values())
    assert queued == sorted(ids)
    assert [e.object_id for e in world.journal.entries.values()] == [ids[3]]


async def test_moving_to_an_unknown_or_trashed_portfolio_or_itself_names_the_field(
    world: World,
) -> None:
    a, b = await world.add("A", 0), await world.add("B", 10)
    await world.database.portfolios.trash(b, None)
    for field, other in (("before", 424242), ("after", b), ("before", 0), ("after", 2**63)):
        with pytest.raises(MissingReference) as refused:
            await world.move(a, field, other, OPERATOR)
        assert (refused.value.field, refused.value.value) == (field, other)
    with pytest.raises(MovedBesideItself) as beside:
        await world.move(a, "after", a, OPERATOR)
    assert beside.value.field == "after"
    for missing in (b, 424242, 0):
        with pytest.raises(PortfolioNotFound):
            await world.move(missing, "before", a, OPERATOR)
    assert world.journal.entries == {}
