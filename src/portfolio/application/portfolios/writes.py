"""What every write of one portfolio goes through: the store, one unit of work, and the
revision and journal entry the write leaves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portfolio.application.changes import PORTFOLIO, Author, Change, Journal

if TYPE_CHECKING:
    from portfolio.application.portfolios.revisions import History
    from portfolio.application.ports import Portfolios, Transactions
    from portfolio.domain import Portfolio


class PortfolioWrites:
    """The collaborators of a use case that writes portfolios, and how it records a write."""

    def __init__(
        self,
        portfolios: Portfolios,
        transactions: Transactions,
        journal: Journal,
        history: History,
    ) -> None:
        self._portfolios = portfolios
        self._transactions = transactions
        self._journal = journal
        self._history = history

    async def _recorded(
        self, action: str, portfolio: Portfolio, fields: tuple[str, ...], by: Author
    ) -> Portfolio:
        """``portfolio``, once its revision and its journal entry (``action`` on ``fields``,
        by ``by``) are written in the caller's unit of work."""
        await self._history.record(portfolio, by, fields)
        await self._journal.record(Change(action, PORTFOLIO, portfolio.id, fields), by)
        return portfolio
