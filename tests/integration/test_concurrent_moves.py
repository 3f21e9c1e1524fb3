"""Twenty moves at once on one Postgres, through the use case: the order's lock makes them
run one after the other, so none is lost, whether they fit their gaps or renumber."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.postgres.journal import PostgresJournal
from portfolio.adapters.postgres.portfolios import PostgresPortfolios
from portfolio.adapters.postgres.revisions import PostgresRevisions
from portfolio.adapters.postgres.statements import PostgresTransactions
from portfolio.application.changes import OPERATOR
from portfolio.application.fields import PortfolioFields
from portfolio.application.listing import PortfolioFilter, Window
from portfolio.application.portfolios.moving import MovePortfolio
from portfolio.application.portfolios.revisions import History

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("spacing", [0, 1024])
async def test_twenty_concurrent_moves_are_all_applied(
    pool: AsyncConnectionPool[Any], spacing: int
) -> None:
    portfolios = PostgresPortfolios(pool)
    move = MovePortfolio(
        portfolios,
        PostgresTransactions(pool),
        PostgresJournal(pool, ()),
        History(PostgresRevisions(pool), keep=50),
    )
    ids = [
        (await portfolios.add(PortfolioFields(f"P{n:02}", f"p{n:02}", order=n * spacing))).id
        for n in range(40)
    ]
    # No moved portfolio is another move's target: each move must hold at the end, whatever
    # order they ran in.
    pairs = [(ids[20 + n], ids[n]) for n in range(20)]
    await asyncio.gather(*(move(moved, "before", target, OPERATOR) for moved, target in pairs))
    found = await portfolios.find(PortfolioFilter(), Window(0, 100))
    order = [p.id for p in found.items]
    assert sorted(order) == sorted(ids)
    for moved, target in pairs:
        assert order.index(moved) == order.index(target) - 1, (moved, target)
