"""Use cases that read portfolios."""

from __future__ import annotations

from application.ports import PortfolioQueries
from domain import Portfolio, PortfolioNotFound

# Ids are Postgres bigint; anything outside can never name a portfolio.
MAX_ID = 2**63 - 1


def parse_id(raw: str) -> int | None:
    """The positive 64-bit id spelled by ``raw`` in ASCII digits, or None."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 30:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


class GetPortfolio:
    """Fetch one whole portfolio by id."""

    def __init__(self, queries: PortfolioQueries) -> None:
        self._queries = queries

    async def __call__(self, raw_id: str | int) -> Portfolio:
        """The portfolio, or PortfolioNotFound for any id that names none (malformed ones too)."""
        portfolio_id = parse_id(raw_id) if isinstance(raw_id, str) else raw_id
        if portfolio_id is None or not 0 < portfolio_id <= MAX_ID:
            raise PortfolioNotFound
        portfolio = await self._queries.get(portfolio_id)
        if portfolio is None:
            raise PortfolioNotFound
        return portfolio
