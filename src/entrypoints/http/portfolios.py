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
        get_portfolio: Injected[GetPortfolio],
        media_storage: Injected[MediaStorage],
    ) -> PortfolioData:
        """One portfolio by id; any id that names none (malformed too) is a 404."""
        portfolio = await get_portfolio(portfolio_id)
        origin = request_origin(request)
        return portfolio_data(portfolio, lambda key: media_storage.public_url(key, origin))
