"""A list's query string as DRF reads it (page-number pagination, SearchFilter,
OrderingFilter), its parameters declared once for parsing and OpenAPI, and its page links."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qs, quote, urlencode

from litestar import Request
from litestar.openapi.spec import OpenAPIType, Parameter, Schema

from portfolio.application.listing import Page, SortField, SortKey
from portfolio.domain import PageNotFound
from portfolio.entrypoints.http.origin import request_origin
from portfolio.entrypoints.http.request_errors import InvalidFields

PAGE = "page"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SEARCH_MAX_LENGTH = 200
# Page numbers beyond this many digits could only ever be past the end (and would overflow
# an SQL OFFSET), so they are refused before any query.
_MAX_PAGE_DIGITS = 15
_SEARCH_SEPARATORS = re.compile(r"[\s,]+")
_SORT_FIELDS = {field.value: field for field in SortField}


def page_number(raw: str | None) -> int:
    """The page asked for: 1 when absent, PageNotFound for anything but a positive whole number."""
    if raw is None:
        return 1
    if not (raw.isascii() and raw.isdigit()) or len(raw) > _MAX_PAGE_DIGITS or int(raw) < 1:
        raise PageNotFound
    return int(raw)


def page_size(raw: str | None) -> int:
    """The page size asked for, as DRF reads it: malformed or below 1 means the default,
    above the maximum means the maximum."""
    if raw is None or not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        return DEFAULT_PAGE_SIZE
    return min(int(raw), MAX_PAGE_SIZE)


def search_terms(raw: str | None) -> tuple[str, ...]:
    """The words of a ``?search=`` (split on white space and commas, NUL dropped), each to
    match as DRF's SearchFilter has it; 400 when it is longer than anyone types."""
    if raw is not None and len(raw) > SEARCH_MAX_LENGTH:
        message = f"Ensure this field has no more than {SEARCH_MAX_LENGTH} characters."
        raise InvalidFields({"search": [message]})
    if not raw:
        return ()
    return tuple(term for term in _SEARCH_SEPARATORS.split(raw.replace("\x00", "")) if term)


def ordering(raw: str | None, default: tuple[SortKey, ...]) -> tuple[SortKey, ...]:
    """The terms of ``?ordering=a,-b``; unknown terms are ignored, as DRF's OrderingFilter
    does. With no usable term, ``default``; the id always breaks ties."""
    keys: list[SortKey] = []
    for term in (raw or "").split(","):
        name = term.strip()
        descending = name.startswith("-")
        name = name.removeprefix("-")
        if name in _SORT_FIELDS:
            keys.append(SortKey(_SORT_FIELDS[name], descending))
    return tuple(keys) or default


class PageRequest(NamedTuple):
    """The page a list request asks for: its number, from 1, and its size."""

    number: int
    size: int


def requested_page(query: Mapping[str, str]) -> PageRequest:
    """``?page=`` and ``?page_size=`` of ``query``."""
    return PageRequest(page_number(query.get(PAGE)), page_size(query.get("page_size")))


def page_links(
    request: Request[Any, Any, Any], page: Page[Any], origin: str | None = None
) -> tuple[str | None, str | None]:
    """Absolute URLs of the next and previous pages (None at either end), at ``origin`` or
    else the request's own; like DRF's, other parameters kept, sorted, no ``page=1``."""
    if not (page.has_next or page.has_previous):
        return None, None
    origin = origin or request_origin(request)
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


@dataclass(frozen=True, slots=True)
class QueryParameter:
    """A query parameter a list takes, as its OpenAPI document states it: always optional,
    read as text by the list itself (so a malformed value is answered in DRF's words)."""

    name: str
    description: str
    schema: Schema

    def documented(self) -> Parameter:
        return Parameter(
            name=self.name,
            param_in="query",
            required=False,
            description=self.description,
            schema=self.schema,
        )


PAGE_PARAMETER = QueryParameter(
    PAGE,
    "Page number, from 1; a page past the last, or anything but a positive whole number, is "
    "404 `Invalid page.`",
    Schema(type=OpenAPIType.INTEGER, minimum=1, examples=[1]),
)
PAGE_SIZE_PARAMETER = QueryParameter(
    "page_size",
    f"Items per page: {DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE}. As in DRF, "
    f"larger values mean {MAX_PAGE_SIZE} and anything else the default.",
    Schema(
        type=OpenAPIType.INTEGER, minimum=1, maximum=MAX_PAGE_SIZE, examples=[DEFAULT_PAGE_SIZE]
    ),
)
SEARCH_PARAMETER = QueryParameter(
    "search",
    "Words separated by spaces or commas; each must occur in one of the searched fields, "
    f"ignoring case. At most {SEARCH_MAX_LENGTH} characters; NUL characters are dropped.",
    Schema(type=OpenAPIType.STRING, max_length=SEARCH_MAX_LENGTH, examples=["web"]),
)
PAGED = (PAGE_PARAMETER, PAGE_SIZE_PARAMETER)
"""What every list takes."""
