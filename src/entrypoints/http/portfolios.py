"""``/api/portfolios``: the portfolio resource (permission codes 42xx)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath

from application import GetPortfolio, ManagePortfolios, MediaStorage, page_number, page_size
from domain import Action, Portfolio, PortfolioNotFound, Resource
from entrypoints.http.auth import permission
from entrypoints.http.forms import JSON_BODY_LIMIT, values_for_existing
from entrypoints.http.ids import path_id
from entrypoints.http.injection import Injected
from entrypoints.http.openapi import SEARCH_TOO_LONG, FieldErrors, responses, with_body
from entrypoints.http.origin import request_origin
from entrypoints.http.pages import PageParameter, PageSizeParameter, SearchParameter, page_links
from entrypoints.http.portfolio_input import (
    PORTFOLIO_FORM,
    IdParameter,
    IsActiveParameter,
    OrderingParameter,
    SlugParameter,
    portfolio_filter,
)
from entrypoints.http.presenters import UrlFor, portfolio_data, public_urls
from entrypoints.http.schemas import Page, PortfolioData, PortfolioPage

AnyRequest = Request[Any, Any, Any]


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
        portfolio = await self._get_portfolio(path_id(raw_id, PortfolioNotFound))
        return portfolio_data(portfolio, public_urls(self._media_storage, origin))


class PortfolioAuthoring:
    """What the admin panel's other portfolio handlers call: listing and every write, with the
    form and the presenters (one dependency per handler, as for PortfolioReads)."""

    def __init__(
        self,
        manage_portfolios: ManagePortfolios,
        get_portfolio: GetPortfolio,
        media_storage: MediaStorage,
    ) -> None:
        self._manage = manage_portfolios
        self._get_portfolio = get_portfolio
        self._media_storage = media_storage

    async def list(
        self,
        request: AnyRequest,
        filters: dict[str, str | None],
        number: str | None,
        size: str | None,
    ) -> PortfolioPage:
        """One page of whole portfolios matching the query's filters, in its ordering."""
        criteria = portfolio_filter(**filters)
        found = await self._manage.list(criteria, page_number(number), page_size(size))
        url_for = self._url_for(request)
        following, preceding = page_links(request, found)
        return Page(
            count=found.total,
            next=following,
            previous=preceding,
            results=[portfolio_data(portfolio, url_for) for portfolio in found.items],
        )

    async def create(self, request: AnyRequest) -> PortfolioData:
        """A new portfolio from the whole body."""
        values = PORTFOLIO_FORM.values(await request.body(), partial=False)
        return self._present(request, await self._manage.create(values))

    async def replace(self, request: AnyRequest, raw_id: str) -> PortfolioData:
        """The portfolio made exactly the body (PUT)."""
        portfolio_id = path_id(raw_id, PortfolioNotFound)
        values = await self._values(request, portfolio_id, partial=False)
        return self._present(request, await self._manage.replace(portfolio_id, values))

    async def update(self, request: AnyRequest, raw_id: str) -> PortfolioData:
        """The portfolio with the body's fields changed (PATCH)."""
        portfolio_id = path_id(raw_id, PortfolioNotFound)
        changes = await self._values(request, portfolio_id, partial=True)
        return self._present(request, await self._manage.update(portfolio_id, changes))

    async def delete(self, raw_id: str) -> None:
        """Remove the portfolio and its own attachments."""
        await self._manage.delete(path_id(raw_id, PortfolioNotFound))

    async def _values(
        self, request: AnyRequest, portfolio_id: int, *, partial: bool
    ) -> dict[str, Any]:
        return await values_for_existing(
            PORTFOLIO_FORM,
            await request.body(),
            partial=partial,
            require_object=lambda: self._get_portfolio(portfolio_id),
        )

    def _present(self, request: AnyRequest, portfolio: Portfolio) -> PortfolioData:
        return portfolio_data(portfolio, self._url_for(request))

    def _url_for(self, request: AnyRequest) -> UrlFor:
        return public_urls(self._media_storage, request_origin(request))


_INVALID: FieldErrors = {
    "title": ["portfolio with this title already exists."],
    "tags": ['Invalid pk "999" - object does not exist.'],
}


class PortfolioController(Controller):
    """List, create, read, replace, change and delete portfolios."""

    path = "/api/portfolios"
    tags = ["portfolios"]
    request_max_body_size = JSON_BODY_LIMIT

    @get(
        "/",
        opt=permission(Resource.PORTFOLIOS, Action.LIST),
        summary="List portfolios",
        description=(
            "Whole portfolios (the retrieve shape), 20 a page, by `order` then id unless "
            "`?ordering=` says otherwise. `?search=` looks in the title, excerpt and "
            "description. Permission 4201."
        ),
        responses=responses(404, fields=SEARCH_TOO_LONG),
    )
    async def list_portfolios(
        self,
        request: AnyRequest,
        portfolio_authoring: Injected[PortfolioAuthoring],
        page: PageParameter = None,
        page_size: PageSizeParameter = None,
        ordering: OrderingParameter = None,
        search: SearchParameter = None,
        is_active: IsActiveParameter = None,
        tag: IdParameter = None,
        employer: IdParameter = None,
        slug: SlugParameter = None,
    ) -> PortfolioPage:
        """A page of portfolios."""
        filters = {
            "is_active": is_active,
            "tag": tag,
            "employer": employer,
            "slug": slug,
            "search": search,
            "ordering": ordering,
        }
        return await portfolio_authoring.list(request, filters, page, page_size)

    @post(
        "/",
        opt=permission(Resource.PORTFOLIOS, Action.CREATE),
        summary="Create a portfolio",
        description="Answers the retrieve shape. Permission 4203.",
        operation_class=with_body(PORTFOLIO_FORM, partial=False),
        responses=responses(413, fields=_INVALID),
    )
    async def create_portfolio(
        self, request: AnyRequest, portfolio_authoring: Injected[PortfolioAuthoring]
    ) -> PortfolioData:
        """A new portfolio."""
        return await portfolio_authoring.create(request)

    @get(
        "/{portfolio_id:str}",
        opt=permission(Resource.PORTFOLIOS, Action.RETRIEVE),
        summary="Retrieve a portfolio",
        description=(
            "The whole portfolio with its images, employer, tags, links, gallery and meta. "
            "Needs an active admin, or active staff granted permission 4202."
        ),
        responses=responses(404),
    )
    async def retrieve(
        self,
        request: AnyRequest,
        portfolio_id: FromPath[str],
        portfolio_reads: Injected[PortfolioReads],
    ) -> PortfolioData:
        """One portfolio by id; any id that names none (malformed too) is a 404."""
        return await portfolio_reads.retrieve(portfolio_id, request_origin(request))

    @put(
        "/{portfolio_id:str}",
        opt=permission(Resource.PORTFOLIOS, Action.UPDATE),
        summary="Replace a portfolio",
        description=(
            "The whole portfolio: fields left out take their defaults (a left-out slug is "
            "made from the title again). Permission 4204."
        ),
        operation_class=with_body(PORTFOLIO_FORM, partial=False),
        responses=responses(404, 413, fields=_INVALID),
    )
    async def replace_portfolio(
        self,
        request: AnyRequest,
        portfolio_id: FromPath[str],
        portfolio_authoring: Injected[PortfolioAuthoring],
    ) -> PortfolioData:
        """The portfolio, replaced."""
        return await portfolio_authoring.replace(request, portfolio_id)

    @patch(
        "/{portfolio_id:str}",
        opt=permission(Resource.PORTFOLIOS, Action.UPDATE),
        summary="Change a portfolio",
        description=(
            "Only the fields sent change; a list sent replaces that whole list. A slug set "
            "to null or empty is made afresh from the title. Permission 4204."
        ),
        operation_class=with_body(PORTFOLIO_FORM, partial=True),
        responses=responses(404, 413, fields=_INVALID),
    )
    async def update_portfolio(
        self,
        request: AnyRequest,
        portfolio_id: FromPath[str],
        portfolio_authoring: Injected[PortfolioAuthoring],
    ) -> PortfolioData:
        """The portfolio, changed."""
        return await portfolio_authoring.update(request, portfolio_id)

    @delete(
        "/{portfolio_id:str}",
        opt=permission(Resource.PORTFOLIOS, Action.DELETE),
        summary="Delete a portfolio",
        description=(
            "Removes the portfolio and its own attachment rows; the employer, tags, links, "
            "media and meta it names stay. Permission 4205."
        ),
        responses=responses(404),
    )
    async def delete_portfolio(
        self, portfolio_id: FromPath[str], portfolio_authoring: Injected[PortfolioAuthoring]
    ) -> None:
        """Remove the portfolio."""
        await portfolio_authoring.delete(portfolio_id)
