"""Lists in windows and numbered pages, and what portfolios are filtered and ordered by.

How a query string spells a page, a search or an ordering is the HTTP edge's business
(``entrypoints.http.pages``); here are the values it spells.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from portfolio.domain import PageNotFound, Publication

T = TypeVar("T")
# Covariant so that a Slice of tags is a Slice of objects, as a read-only tuple is.
T_co = TypeVar("T_co", covariant=True)


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


async def fetch_page(
    fetch: Callable[[Window], Awaitable[Slice[T]]], number: int, size: int
) -> Page[T]:
    """Page ``number`` of ``size`` items; PageNotFound when it lies past the last page."""
    found = await fetch(Window(offset=(number - 1) * size, limit=size))
    page = Page(items=found.items, total=found.total, number=number, size=size)
    if number > page.last_number:
        raise PageNotFound
    return page


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


@dataclass(frozen=True, slots=True)
class PortfolioFilter:
    """Which portfolios a list holds and in what order; None means "any"."""

    is_active: bool | None = None
    tag_id: int | None = None
    employer_id: int | None = None
    slug: str | None = None
    search: tuple[str, ...] = ()
    ordering: tuple[SortKey, ...] = DEFAULT_PORTFOLIO_ORDER
    publication: Publication | None = None
    """Only portfolios standing so on the website now (live, scheduled ...)."""
