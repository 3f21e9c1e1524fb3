"""Revisions behave the same on the in-memory and the Postgres adapters: newest first, the
document read back whole, pruned as they are written, removed with a purged portfolio."""

from __future__ import annotations

from portfolio.application.fields import PortfolioFields as Fields
from portfolio.application.listing import Window
from portfolio.application.portfolios.records import Editor
from tests.builders import add_full_portfolio
from tests.integration.conftest import Stores

EVERYTHING = Window(offset=0, limit=100)
ALICE = Editor(7, "alice")


async def test_a_revision_keeps_the_whole_portfolio_and_who_saved_it(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    added = await stores.revisions.add(full.portfolio, ALICE, ("title", "tags"), keep=50)
    for read in (
        await stores.revisions.latest(full.portfolio.id),
        await stores.revisions.get(full.portfolio.id, added.id),
    ):
        assert read is not None
        assert (read.id, read.user, read.changes) == (added.id, ALICE, ("title", "tags"))
        assert read.document == full.portfolio
        assert read.created_at == added.created_at


async def test_revisions_are_listed_newest_first_and_pruned_as_written(stores: Stores) -> None:
    one = await stores.portfolios.add(Fields(title="One", slug="one"))
    other = await stores.portfolios.add(Fields(title="Other", slug="other"))
    ids = [(await stores.revisions.add(one, None, (), keep=3)).id for _ in range(5)]
    theirs = await stores.revisions.add(other, None, (), keep=3)
    page = await stores.revisions.of(one.id, EVERYTHING)
    assert [r.id for r in page.items] == ids[:1:-1] and page.total == 3
    assert (await stores.revisions.of(other.id, EVERYTHING)).total == 1
    assert await stores.revisions.get(one.id, ids[0]) is None  # pruned
    assert await stores.revisions.get(one.id, theirs.id) is None  # another portfolio's
    assert await stores.revisions.get(other.id, theirs.id) is not None
    second = await stores.revisions.of(one.id, Window(offset=1, limit=1))
    assert [r.id for r in second.items] == [ids[3]]


async def test_a_purged_portfolio_takes_its_revisions_with_it(stores: Stores) -> None:
    made = await stores.portfolios.add(Fields(title="Gone", slug="gone"))
    revision = await stores.revisions.add(made, None, (), keep=50)
    await stores.portfolios.trash(made.id, None)
    assert await stores.revisions.get(made.id, revision.id) is not None
    await stores.portfolios.purge(made.id)
    assert await stores.revisions.get(made.id, revision.id) is None
    assert await stores.revisions.latest(made.id) is None
