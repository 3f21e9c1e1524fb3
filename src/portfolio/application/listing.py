"""Lists in pages, with Django REST Framework's page-number rules, search terms and ordering."""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from portfolio.domain import PageNotFound

T = TypeVar("T")
# Covariant so that a Slice of tags is a Slice of objects, as a read-only tuple is.
T_co = TypeVar("T_co", covariant=True)

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Page numbers beyond this many digits could only ever be past the end (and would
# overflow an SQL OFFSET), so they are refused before any query.
_MAX_PAGE_DIGITS = 15
_SEARCH_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True)
class Window:
    """Which part of a list to fetch: skip ``offset`` items and return at most ``limit``."""

    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class Slice(Generic[T_co]):
    """The items inside one window and how many items the whole list holds.

    A store may estimate ``total`` for a very long list, but never so that it contradicts the
    window: it exceeds the window's end when more items follow and ends with the window's last
    item otherwise.
    """

    items: tuple[T_co, ...]
    total: int


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One numbered page of a list."""

    items: tuple[T, ...]
    total: int
    number: int
    size: int

    @property
    def last_number(self) -> int:
        """The number of the last page; an empty list still has page 1."""
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_next(self) -> bool:
        """Whether a page follows this one."""
        return self.number < self.last_number

    @property
    def has_previous(self) -> bool:
        """Whether a page comes before this one."""
        return self.number > 1


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


async def fetch_page(
    fetch: Callable[[Window], Awaitable[Slice[T]]], number: int, size: int
) -> Page[T]:
    """Page ``number`` of ``size`` items; PageNotFound when it lies past the last page."""
    found = await fetch(Window(offset=(number - 1) * size, limit=size))
    page = Page(items=found.items, total=found.total, number=number, size=size)
    if number > page.last_number:
        raise PageNotFound
    return page


def search_terms(raw: str | None) -> tuple[str, ...]:
    """The words of a ``?search=``: split on white space and commas, NUL characters dropped.

    Every term must match (in any of the searched fields), case-insensitively, as DRF's
    SearchFilter does.
    """
    if not raw:
        return ()
    return tuple(term for term in _SEARCH_SEPARATORS.split(raw.replace("\x00", "")) if term)


class SortField(StrEnum):
    """What portfolios can be ordered by, spelled as in ``?ordering=``."""

    ORDER = "order"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    COMPLETED_AT = "completed_at"
    TITLE = "title"


@dataclass(frozen=True, slots=True)
class SortKey:
    """One ordering term; nulls sort last ascending and first descending, as in Postgres."""

    field: SortField
    descending: bool = False


DEFAULT_PORTFOLIO_ORDER = (SortKey(SortField.ORDER),)
_SORT_FIELDS = {field.value: field for field in SortField}


def portfolio_ordering(raw: str | None) -> tuple[SortKey, ...]:
    """The terms of ``?ordering=a,-b``; unknown terms are ignored, as DRF's OrderingFilter does.

    With no usable term the default order (``order``) applies; the id always breaks ties.
    """
    keys: list[SortKey] = []
    for term in (raw or "").split(","):
        name = term.strip()
        descending = name.startswith("-")
        name = name.removeprefix("-")
        if name in _SORT_FIELDS:
            keys.append(SortKey(_SORT_FIELDS[name], descending))
    return tuple(keys) or DEFAULT_PORTFOLIO_ORDER


@dataclass(frozen=True, slots=True)
class PortfolioFilter:
    """Which portfolios a list holds and in what order; None means "any"."""

    is_active: bool | None = None
    tag_id: int | None = None
    employer_id: int | None = None
    slug: str | None = None
    search: tuple[str, ...] = ()
    ordering: tuple[SortKey, ...] = DEFAULT_PORTFOLIO_ORDER
