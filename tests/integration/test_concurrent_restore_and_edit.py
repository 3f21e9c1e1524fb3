"""A revision restored while the portfolio is edited, on one Postgres, through the use cases:
both are written one after the other (the row's lock), both are recorded, and the one that
wrote last is the portfolio and its newest revision."""

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
from portfolio.application.listing import Window
from portfolio.application.portfolios.manage import ManagePortfolios
from portfolio.application.portfolios.revisions import History, ManageRevisions

pytestmark = pytest.mark.postgres


async def test_a_restore_racing_an_edit_both_are_recorded_and_the_last_wins(
    pool: AsyncConnectionPool[Any],
) -> None:
    portfolios, revisions = PostgresPortfolios(pool), PostgresRevisions(pool)
    transactions, journal = PostgresTransactions(pool), PostgresJournal(pool, ())
    history = History(revisions, keep=50)
    manage = ManagePortfolios(portfolios, transactions, journal, history)
    restore = ManageRevisions(portfolios, revisions, history, transactions, journal)
    made = await manage.create({"title": "Shop", "excerpt": "First"}, OPERATOR)
    (first,) = (await revisions.of(made.id, Window(0, 10))).items
    for n in range(10):
        restored, edited = await asyncio.gather(
            restore.restore(made.id, first.id, OPERATOR),
            manage.update(made.id, {"excerpt": f"Edit {n}"}, OPERATOR),
        )
        current = await portfolios.get(made.id)
        assert current in (restored, edited)
        newest, before = (await revisions.of(made.id, Window(0, 2))).items
        assert newest.document == current
        assert {newest.document.excerpt, before.document.excerpt} == {"First", f"Edit {n}"}
        # Each revision's changes are against the one written just before it.
        assert newest.changes == (
            ("excerpt",) if before.document.excerpt != newest.document.excerpt else ()
        )
    assert (await revisions.of(made.id, Window(0, 100))).total == 21
