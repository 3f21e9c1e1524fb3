"""``/api/portfolios``: the portfolio resource (permission codes 42xx)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import get
from litestar.params import KwargDefinition

from portfolio.application.listing import page_number, page_size
from portfolio.application.portfolios.manage import ManagePortfolios
from portfolio.domain import Portfolio, PortfolioNotFound, Resource
from portfolio.entrypoints.http.forms import NOT_A_BOOLEAN
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.openapi import documented, read_responses
from portfolio.entrypoints.http.pages import PageParameter, PageSizeParameter, SearchParameter
from portfolio.entrypoints.http.portfolios.input import (
    BAD_CHOICE,
    PORTFOLIO_FORM,
    IdParameter,
    IsActiveParameter,
    OrderingParameter,
    SlugParameter,
    portfolio_filter,
)
from portfolio.entrypoints.http.presenters import UrlFor, image_data, optional_image_data
from portfolio.entrypoints.http.resources import (
    CREATE,
    DELETE,
    LIST,
    REPLACE,
    RETRIEVE,
    UPDATE,
    AnyRequest,
    Declared,
    FormEndpoints,
)
from portfolio.entrypoints.http.schemas import ImageData, Page
from portfolio.entrypoints.http.shared_objects import (
    EmployerData,
    LinkData,
    MetaData,
    TagData,
    employer_data,
    link_data,
    meta_data,
    tag_data,
)


class PortfolioData(msgspec.Struct):
    """A whole portfolio, exactly as ``GET /api/portfolios/{id}`` returns it."""

    id: int
    title: str
    slug: str
    excerpt: str
    order: int
    image_data: ImageData | None
    employer_data: EmployerData | None
    tags_data: list[TagData]
    links_data: list[LinkData]
    is_active: bool
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    description: str | None
    images_data: list[ImageData]
    meta: list[MetaData]


PortfolioPage = Annotated[
    Page[PortfolioData], KwargDefinition(schema_component_key="PortfolioPage")
]


def portfolio_data(portfolio: Portfolio, url_for: UrlFor) -> PortfolioData:
    """The whole portfolio as the API document shows it."""
    return PortfolioData(
        id=portfolio.id,
        title=portfolio.title,
        slug=portfolio.slug,
        excerpt=portfolio.excerpt,
        order=portfolio.order,
        image_data=optional_image_data(portfolio.image, url_for),
        employer_data=(
            None if portfolio.employer is None else employer_data(portfolio.employer, url_for)
        ),
        tags_data=[tag_data(tag, url_for) for tag in portfolio.tags],
        links_data=[link_data(link, url_for) for link in portfolio.links],
        is_active=portfolio.is_active,
        completed_at=portfolio.completed_at,
        created_at=portfolio.created_at,
        updated_at=portfolio.updated_at,
        description=portfolio.description,
        images_data=[image_data(media, url_for) for media in portfolio.images],
        meta=[meta_data(meta, url_for) for meta in portfolio.meta],
    )


PORTFOLIOS: Declared[Portfolio, PortfolioData] = Declared(
    resource=Resource.PORTFOLIOS,
    path="portfolios",
    name="Portfolio",
    singular="portfolio",
    plural="portfolios",
    data=PortfolioData,
    present=portfolio_data,
    missing=PortfolioNotFound,
    form=PORTFOLIO_FORM,
    invalid_example={
        "title": ["portfolio with this title already exists."],
        "tags": ['Invalid pk "999" - object does not exist.'],
    },
    notes={
        LIST: "Whole portfolios (the retrieve shape), 20 a page, by `order` then id unless "
        "`?ordering=` says otherwise. `?search=` looks in the title, excerpt and description.",
        CREATE: "Answers the retrieve shape.",
        RETRIEVE: "The whole portfolio with its images, employer, tags, links, gallery and meta.",
        REPLACE: "The whole portfolio: fields left out take their defaults (a left-out slug is "
        "made from the title again).",
        UPDATE: "Only the fields sent change; a list sent replaces that whole list. A slug set "
        "to null or empty is made afresh from the title.",
        DELETE: "Removes the portfolio and its own attachment rows; the employer, tags, links, "
        "media and meta it names stay.",
    },
    deletes_refused_in_use=False,
)


class PortfolioEndpoints(FormEndpoints[Portfolio, PortfolioData]):
    """Portfolios for the handlers: the form endpoints and the filtered list."""

    manage: ManagePortfolios

    async def list(
        self,
        request: AnyRequest,
        filters: dict[str, str | None],
        number: str | None,
        size: str | None,
    ) -> Page[PortfolioData]:
        """One page of whole portfolios matching the query's filters, in its ordering."""
        criteria = portfolio_filter(**filters)
        found = await self.manage.list(criteria, page_number(number), page_size(size))
        return self.page(request, found)


@get(
    "/",
    **PORTFOLIOS.operation(LIST),
    responses=read_responses(404),
    operation_class=documented(
        fields={"is_active": [NOT_A_BOOLEAN], "tag": [BAD_CHOICE]}, conditional=True
    ),
)
async def list_portfolios(
    request: AnyRequest,
    endpoints: Injected[PortfolioEndpoints],
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
    return await endpoints.list(request, filters, page, page_size)
