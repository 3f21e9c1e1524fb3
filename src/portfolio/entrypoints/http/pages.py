"""Page-number pagination on the wire: the query parameters and the absolute page links."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlencode

from litestar import Request
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.params import Parameter

from portfolio.application.listing import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page
from portfolio.entrypoints.http.openapi import as_parameter
from portfolio.entrypoints.http.origin import request_origin
from portfolio.entrypoints.http.request_errors import InvalidFields

PAGE = "page"
SEARCH_MAX_LENGTH = 200


def page_links(request: Request[Any, Any, Any], page: Page[Any]) -> tuple[str | None, str | None]:
    """Absolute URLs of the next and previous pages (None at either end).

    The request's other query parameters are kept; like DRF, the first page's link drops
    ``page`` and the parameters come out sorted by name.
    """
    origin = request_origin(request)
    # The path as the client sent it, so a trailing slash survives into the links (some
    # servers leave the query string on raw_path).
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else quote(request.scope["path"])
    query = parse_qs(request.url.query, keep_blank_values=True)

    def link(number: int) -> str:
        params = {name: values for name, values in query.items() if name != PAGE}
        if number > 1:
            params[PAGE] = [str(number)]
        encoded = urlencode(sorted(params.items()), doseq=True)
        return f"{origin}{path}?{encoded}" if encoded else f"{origin}{path}"

    following = link(page.number + 1) if page.has_next else None
    preceding = link(page.number - 1) if page.has_previous else None
    return following, preceding


def checked_search(raw: str | None) -> str | None:
    """``?search=`` as given; 400 when it is longer than anyone types."""
    if raw is not None and len(raw) > SEARCH_MAX_LENGTH:
        message = f"Ensure this field has no more than {SEARCH_MAX_LENGTH} characters."
        raise InvalidFields({"search": [message]})
    return raw


PageParameter = Annotated[
    str | None,
    Parameter(
        description=(
            "Page number, from 1; a page past the last, or anything but a positive whole "
            "number, is 404 `Invalid page.`"
        ),
        schema_extra=as_parameter(Schema(type=OpenAPIType.INTEGER, minimum=1, examples=[1])),
    ),
]
PageSizeParameter = Annotated[
    str | None,
    Parameter(
        description=(
            f"Items per page: {DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE}. As in "
            f"DRF, larger values mean {MAX_PAGE_SIZE} and anything else the default."
        ),
        schema_extra=as_parameter(
            Schema(
                type=OpenAPIType.INTEGER,
                minimum=1,
                maximum=MAX_PAGE_SIZE,
                examples=[DEFAULT_PAGE_SIZE],
            )
        ),
    ),
]
SearchParameter = Annotated[
    str | None,
    Parameter(
        description=(
            "Words separated by spaces or commas; each must occur in one of the searched "
            f"fields, ignoring case. At most {SEARCH_MAX_LENGTH} characters; NUL characters "
            "are dropped."
        ),
        schema_extra=as_parameter(
            Schema(type=OpenAPIType.STRING, max_length=SEARCH_MAX_LENGTH, examples=["web"])
        ),
    ),
]
