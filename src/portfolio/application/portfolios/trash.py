"""The trash: portfolios deleted but not gone, listed, restored, and purged for good, at once
or by the background work once they have been there long enough."""

from __future__ import annotations

from datetime import timedelta

from portfolio.application.changes import (
    PORTFOLIO,
    PURGE,
    RESTORE,
    SCHEDULED,
    Author,
    Change,
    Journal,
)
from portfolio.application.ids import require_id
from portfolio.application.listing import Page, fetch_page
from portfolio.application.portfolios.records import Trashed
from portfolio.application.ports import Clock, Portfolios, Transactions
from portfolio.domain import DuplicateValue, Portfolio, PortfolioNotFound, TakenMeanwhile

PURGED_AT_ONCE = 100
"""How many expired portfolios one turn of the background work purges; more wait a moment."""
LOOK_EVERY_SECONDS = 60.0
"""How often the background work looks for expired portfolios when the last look found few."""


class ManageTrash:
    """List the trash, take a portfolio out of it, or purge one for good."""

    def __init__(
        self, portfolios: Portfolios, transactions: Transactions, journal: Journal
    ) -> None:
        self._portfolios = portfolios
        self._transactions = transactions
        self._journal = journal

    async def list(self, number: int, size: int) -> Page[Trashed]:
        """Page ``number`` of the trash, most recently trashed first."""
        return await fetch_page(self._portfolios.trashed, number, size)

    async def restore(self, portfolio_id: int, by: Author) -> Portfolio:
        """The portfolio back out of the trash; PortfolioNotFound when it is not in it,
        TakenMeanwhile when another portfolio took its title or slug meanwhile."""
        require_id(portfolio_id, PortfolioNotFound)
        async with self._transactions.transaction():
            try:
                restored = await self._portfolios.restore(portfolio_id)
            except DuplicateValue as error:
                raise TakenMeanwhile(error.field) from error
            if restored is None:
                raise PortfolioNotFound
            await self._journal.record(Change(RESTORE, PORTFOLIO, portfolio_id), by)
        return restored

    async def purge(self, portfolio_id: int, by: Author) -> None:
        """Remove a trashed portfolio for good; PortfolioNotFound when it is not in the trash."""
        require_id(portfolio_id, PortfolioNotFound)
        async with self._transactions.transaction():
            if not await self._portfolios.purge(portfolio_id):
                raise PortfolioNotFound
            await self._journal.record(Change(PURGE, PORTFOLIO, portfolio_id), by)


class PurgeExpiredTrash:
    """Background work: purge the portfolios trashed longer ago than the trash keeps them."""

    name = "trash purge"

    def __init__(
        self,
        portfolios: Portfolios,
        transactions: Transactions,
        journal: Journal,
        clock: Clock,
        kept_for: timedelta,
    ) -> None:
        self._portfolios = portfolios
        self._transactions = transactions
        self._journal = journal
        self._clock = clock
        self._kept_for = kept_for
        self._next_look = self._clock()

    async def run(self) -> float | None:
        """Purge a batch of expired portfolios when it is time to look; the seconds until
        the next look (at once when the batch was full)."""
        now = self._clock()
        if now < self._next_look:
            return (self._next_look - now).total_seconds()
        async with self._transactions.transaction():
            purged = await self._portfolios.purge_trashed_before(
                now - self._kept_for, PURGED_AT_ONCE
            )
            for portfolio_id in purged:
                await self._journal.record(Change(PURGE, PORTFOLIO, portfolio_id), SCHEDULED)
        wait = 0.0 if len(purged) == PURGED_AT_ONCE else LOOK_EVERY_SECONDS
        self._next_look = now + timedelta(seconds=wait)
        return wait
