"""``/api/portfolios``: the portfolio resource."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath

from application import GetPortfolio, MediaStorage
from domain import RETRIEVE_PORTFOLIO
from entrypoints.http.auth import permission
from entrypoints.http.injection import Injected
from entrypoints.http.origin import request_origin
from entrypoints.http.presenters import portfolio_data
from entrypoints.http.schemas import PortfolioData


class PortfolioReads:
    """The read use cases with what turns their results into wire objects.

    Handed to handlers as one dependency: Litestar resolves several in a task group, which
    costs more per request than the whole mapping.
    """

    def __init__(self, get_portfolio: GetPortfolio, media_storage: MediaStorage) -> None:
        self._get_portfolio = get_portfolio
        self._media_storage = media_storage

    async def retrieve(self, raw_id: str, origin: str) -> PortfolioData:
        """The wire form of one portfolio; PortfolioNotFound for any id that names none."""
        portfolio = await self._get_portfolio(raw_id)
        public_url = self._media_storage.public_url
        return portfolio_data(portfolio, lambda key: public_url(key, origin))


class PortfolioController(Controller):
    """Read portfolios."""

    path = "/api/portfolios"
    tags = ["portfolios"]

    @get(
        "/{portfolio_id:str}",
        opt=permission(RETRIEVE_PORTFOLIO),
        summary="Retrieve a portfolio",
        description=(
            "The whole portfolio with its images, employer, tags, links, gallery and meta. "
            "Needs an active admin, or active staff granted permission 4202."
        ),
    )
    async def retrieve(
        self,
        request: Request[Any, Any, Any],
        portfolio_id: FromPath[str],
        portfolio_reads: Injected[PortfolioReads],
    ) -> PortfolioData:
        """One portfolio by id; any id that names none (malformed too) is a 404."""
        return await portfolio_reads.retrieve(portfolio_id, request_origin(request))
