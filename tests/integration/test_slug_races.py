"""Many writers racing for one made slug on Postgres: every one of them gets a portfolio."""

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
from portfolio.application.portfolios.manage import ManagePortfolios
from portfolio.application.portfolios.revisions import History

pytestmark = pytest.mark.postgres


async def test_twenty_concurrent_creates_of_one_made_slug_all_succeed(
    pool: AsyncConnectionPool[Any],
) -> None:
    portfolios = ManagePortfolios(
        PostgresPortfolios(pool),
        PostgresTransactions(pool),
        PostgresJournal(pool, ()),
        History(PostgresRevisions(pool), keep=50),
    )
    titles = [f"Other slug{'!' * n}" for n in range(20)]  # all slugify to "other-slug"

    created = await asyncio.gather(
        *(portfolios.create({"title": title}, OPERATOR) for title in titles)
    )

    slugs = [portfolio.slug for portfolio in created]
    assert len(set(slugs)) == 20
    assert all(slug.startswith("other-slug") for slug in slugs)
    assert "other-slug" in slugs
