"""``/api/public/``: what the company's website reads, open to anyone and shared by caches.

No credentials are looked at; only live portfolios are shown (``ShowWebsite``). Each answer
names all it shows in ``Surrogate-Key`` (``portfolio-12 media-88 tag-5``; lists, menus and
refusals also ``portfolios``) for an edge cache to purge by. URLs are built from
PORTFOLIO_PUBLIC_URL when set, never from a header a cache does not key on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter
from msgspec.structs import asdict

from portfolio.application.listing import Page as FoundPage
from portfolio.application.portfolios.slugs import SLUG_MAX_LENGTH, SLUG_PATTERN
from portfolio.application.portfolios.website import (
    LISTS,
    Counted,
    ShowWebsite,
    keys_of_employer,
    keys_of_portfolio,
    keys_of_tag,
    kind_key,
)
from portfolio.application.ports import MediaStorage
from portfolio.application.revalidation import CATALOGUE
from portfolio.domain import PortfolioNotFound
from portfolio.entrypoints.http.auth import PUBLIC_OPT
from portfolio.entrypoints.http.caching import READS_OPT
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.openapi import documented, errors
from portfolio.entrypoints.http.origin import request_origin
from portfolio.entrypoints.http.pages import PAGED, requested_page
from portfolio.entrypoints.http.portfolios import PORTFOLIO_QUERY, PortfolioData, portfolio_filter
from portfolio.entrypoints.http.resource import (
    AnyRequest,
    answering,
    media_urls,
    present_page,
)
from portfolio.entrypoints.http.shared_objects import EmployerData, TagData
from portfolio.entrypoints.http.wire import (
    WEB_IMAGE,
    Page,
    Presenter,
    UrlFor,
    named_page,
    presenter,
)

SURROGATE_KEY = "Surrogate-Key"
# The bytes of keys an answer names one by one (Varnish refuses a header line over 8 KiB by
# default, Fastly and Cloudflare take 16 KB); the rest by their kind (``tag-all``).
KEYS_BUDGET = 6 * 1024
_KINDS_ROOM = 256  # of the budget, for the six kinds' keys

PUBLIC_FILTERS = ("tag", "employer", "search", "ordering")  # read as the admin list reads them


class TagMenuEntry(TagData):
    """A tag live portfolios use, and how many do."""

    portfolio_count: int


class EmployerMenuEntry(EmployerData):
    """An employer of live portfolios, and of how many."""

    portfolio_count: int


def surrogate_keys(keys: Iterable[str]) -> str:
    """The ``Surrogate-Key`` value naming ``keys`` (each once, in order); those past the
    budget are named by their kind instead."""
    distinct = dict.fromkeys(keys)
    # Most answers' keys fit: joined at once, not weighed one by one.
    if sum(map(len, distinct)) + len(distinct) <= KEYS_BUDGET - _KINDS_ROOM:
        return " ".join(distinct)
    named: dict[str, None] = {}
    used = 0
    for key in distinct:
        if used + len(key) + 1 > KEYS_BUDGET - _KINDS_ROOM:
            named.setdefault(kind_key(key.rpartition("-")[0] or key))
            continue
        named[key] = None
        used += len(key) + 1
    return " ".join(named)


@dataclass(frozen=True, slots=True)
class PublicEndpoints:
    """What the public routes call: the website's use cases, and URLs from the public origin."""

    website: ShowWebsite
    storage: MediaStorage
    public_url: str | None

    def origin(self, request: AnyRequest) -> str:
        """Where the answer's URLs point: the public origin, or the request's own."""
        return self.public_url or request_origin(request)

    def urls(self, request: AnyRequest) -> UrlFor:
        """Keys to URLs: the store's own, or ``/media/`` at the public origin."""
        return media_urls(self.storage, self.origin(request))

    def page(
        self,
        request: AnyRequest,
        found: FoundPage[Any],
        present: Presenter[Any],
        keys: Iterable[str],
    ) -> Response[Page[Any]]:
        """A page as the wire shows it, with its links and its keys."""
        page = present_page(request, found, present, self.urls(request), self.origin(request))
        return Response(page, headers={SURROGATE_KEY: surrogate_keys((LISTS, *keys))})


# Image objects here carry alt, placeholder and the thumbnails' variants (WEB_IMAGE).
_present_portfolio: Presenter[PortfolioData] = presenter(PortfolioData, expand=WEB_IMAGE)


_OPT = {PUBLIC_OPT: True, READS_OPT: (CATALOGUE,)}
_LIST_QUERY = [
    parameter.documented()
    for parameter in (*PAGED, *PORTFOLIO_QUERY)
    if parameter.name in {"page", "page_size", *PUBLIC_FILTERS}
]


Slug = Annotated[
    str,
    Parameter(
        description="The portfolio's slug. Any other text, however long, is simply not found.",
        schema_extra={
            "pattern": SLUG_PATTERN.pattern,
            "maxLength": SLUG_MAX_LENGTH,
            "examples": ["web-design"],
        },
    ),
]
PortfolioPage = named_page(PortfolioData, "PortfolioPage")


@get(
    "/portfolios/",
    opt=_OPT,
    operation_id="list_public_portfolios",
    summary="List live portfolios",
    description="The live portfolios (active, `publish_at` passed or null, `unpublish_at` to "
    "come or null), 20 a page, by `order` then id unless `?ordering=` says otherwise; "
    "filtered and searched as the admin list is. No credentials.",
    responses=errors(304, 404, 503),
    operation_class=documented(public=True, conditional=True, query=_LIST_QUERY),
)
async def list_portfolios(
    request: AnyRequest, endpoints: Injected[PublicEndpoints]
) -> Response[PortfolioPage]:  # type: ignore[valid-type]
    query = request.query_params
    wanted = requested_page(query)
    criteria = portfolio_filter({name: query[name] for name in PUBLIC_FILTERS if name in query})
    found = await endpoints.website.list(criteria, *wanted)
    # A list: a generator over generators took as long again as making the keys.
    keys = [key for portfolio in found.items for key in keys_of_portfolio(portfolio)]
    return endpoints.page(request, found, _present_portfolio, keys)


@get(
    "/portfolios/{slug:str}",
    opt=_OPT,
    operation_id="retrieve_public_portfolio",
    summary="Retrieve a live portfolio by its slug",
    description="The portfolio in the shape of `GET /api/portfolios/{id}`. Anything not live "
    "(inactive, scheduled, expired, deleted) is 404 `Not found.`, as a slug that never "
    "existed. No credentials.",
    responses=errors(304, 404, 503),
    operation_class=documented(public=True, conditional=True),
)
async def retrieve_portfolio(
    request: AnyRequest, slug: Slug, endpoints: Injected[PublicEndpoints]
) -> Response[PortfolioData]:
    # What could never be a slug is not looked for.
    if len(slug) > SLUG_MAX_LENGTH or not SLUG_PATTERN.match(slug):
        raise PortfolioNotFound
    portfolio = await endpoints.website.portfolio(slug)
    shown = _present_portfolio(portfolio, endpoints.urls(request))
    return Response(shown, headers={SURROGATE_KEY: surrogate_keys(keys_of_portfolio(portfolio))})


def _menu(
    plural: str,
    entry: type[msgspec.Struct],
    shown: type[msgspec.Struct],
    keys_of: Callable[[Any], Iterator[str]],
    summary: str,
    description: str,
) -> HTTPRouteHandler:
    """``/<plural>/``: a page of what live portfolios use (``ShowWebsite.<plural>``), each as
    ``shown`` presents it with how many use it, as ``entry``."""
    present_item = presenter(shown, expand=WEB_IMAGE)

    def present(counted: Counted[Any], url_for: UrlFor) -> Any:
        fields = asdict(present_item(counted.item, url_for))
        return entry(**fields, portfolio_count=counted.portfolios)

    async def handler(request: AnyRequest, endpoints: Injected[PublicEndpoints]) -> Any:
        found = await getattr(endpoints.website, plural)(*requested_page(request.query_params))
        keys = (key for counted in found.items for key in keys_of(counted.item))
        return endpoints.page(request, found, present, keys)

    return get(
        f"/{plural}/",
        opt=_OPT,
        operation_id=f"list_public_{plural}",
        summary=summary,
        description=f"{description}, with how many live portfolios use each "
        "(`portfolio_count`), by name (ignoring case) then id, 20 a page. No credentials.",
        responses=errors(304, 404, 503),
        operation_class=documented(
            public=True, conditional=True, query=[parameter.documented() for parameter in PAGED]
        ),
    )(answering(handler, Response[named_page(entry, f"{entry.__name__}Page")]))  # type: ignore[misc]


list_tags = _menu(
    "tags",
    TagMenuEntry,
    TagData,
    keys_of_tag,
    "List the tags live portfolios use",
    "The tags of at least one live portfolio",
)
list_employers = _menu(
    "employers",
    EmployerMenuEntry,
    EmployerData,
    keys_of_employer,
    "List the employers of live portfolios",
    "The employers of at least one live portfolio",
)


WEBSITE = (list_portfolios, retrieve_portfolio, list_tags, list_employers)
"""The ``/api/public/`` routes, given a PublicEndpoints; no credentials anywhere."""
