"""The display order's reads and renumbering behave the same on the in-memory and the
Postgres adapters."""

from __future__ import annotations

from portfolio.application.fields import PortfolioFields as Fields
from portfolio.application.listing import PortfolioFilter, Window
from portfolio.application.portfolios.records import Position
from tests.integration.conftest import Stores


async def add(stores: Stores, title: str, order: int) -> int:
    return (await stores.portfolios.add(Fields(title=title, slug=title.lower(), order=order))).id


async def test_positions_and_neighbours_leave_out_the_trash_and_the_one_moving(
    stores: Stores,
) -> None:
    a, b, c, d = [await add(stores, t, o) for t, o in (("A", 5), ("B", 5), ("C", 9), ("D", 7))]
    await stores.portfolios.trash(d, None)
    assert await stores.portfolios.position(b) == Position(5, b)
    assert await stores.portfolios.position(d) is None
    assert await stores.portfolios.position(424242) is None
    at_c = Position(9, c)
    assert await stores.portfolios.beside(at_c, after=False, excluding=a) == Position(5, b)
    assert await stores.portfolios.beside(at_c, after=False, excluding=b) == Position(5, a)
    assert await stores.portfolios.beside(at_c, after=True, excluding=a) is None
    at_a = Position(5, a)
    assert await stores.portfolios.beside(at_a, after=True, excluding=c) == Position(5, b)
    assert await stores.portfolios.beside(at_a, after=False, excluding=c) is None


async def test_renumbering_spaces_the_portfolios_out_of_the_trash_in_display_order(
    stores: Stores,
) -> None:
    ids = [await add(stores, t, o) for t, o in (("A", 3), ("B", 1), ("C", 1), ("T", 2))]
    await stores.portfolios.trash(ids[3], None)
    before = {i: await stores.portfolios.get(i) for i in ids[:3]}
    async with stores.transactions.transaction():
        await stores.portfolios.lock_order()
        await stores.portfolios.renumber(100)
    found = await stores.portfolios.find(PortfolioFilter(), Window(0, 10))
    assert [(p.title, p.order) for p in found.items] == [("B", 100), ("C", 200), ("A", 300)]
    # Renumbering is bookkeeping, not an edit: updated_at stays.
    assert all(p.updated_at == before[p.id].updated_at for p in found.items)  # type: ignore[union-attr]
    await stores.portfolios.restore(ids[3])
    assert (await stores.portfolios.position(ids[3])) == Position(2, ids[3])
