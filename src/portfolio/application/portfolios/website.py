"""What the company's website reads: live portfolios, and the tags and employers they use.

Anyone may read it, so it tells nothing about what is not live: a portfolio that is inactive,
scheduled, expired or deleted is as absent as one that never existed, and a tag or employer
counts only the live portfolios that use it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from portfolio.application.changes import EMPLOYER, LINK, MEDIA, META, PORTFOLIO, TAG
from portfolio.application.listing import Page, PortfolioFilter, Slice, Window, fetch_page
from portfolio.application.ports import Portfolios
from portfolio.domain import Employer, Media, Portfolio, PortfolioNotFound, Publication, Tag

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

LISTS = "portfolios"
"""The key of every answer that lists portfolios or counts them, and of every answer that says
a portfolio is not there: any portfolio's change may change them."""


def surrogate_key(resource: str, object_id: int) -> str:
    """The key naming one object in the answers an edge cache keeps (``portfolio-12``)."""
    return f"{resource}-{object_id}"


def kind_key(resource: str) -> str:
    """The key of the answers that show too many objects of a kind to name each one
    (``media-all``): any change of that kind touches them."""
    return f"{resource}-all"


@dataclass(frozen=True, slots=True)
class Counted(Generic[T_co]):
    """An object and how many live portfolios use it."""

    item: T_co
    portfolios: int


class WebsiteMenus(Protocol):
    """The tags and employers live portfolios use, for a website's filter menus."""

    async def tags(self, window: Window) -> Slice[Counted[Tag]]:
        """Tags used by at least one live portfolio, by name then id, inside ``window``."""
        ...

    async def employers(self, window: Window) -> Slice[Counted[Employer]]:
        """Employers of at least one live portfolio, by name then id, inside ``window``."""
        ...


class ShowWebsite:
    """Read what the website shows."""

    def __init__(self, portfolios: Portfolios, menus: WebsiteMenus) -> None:
        self._portfolios = portfolios
        self._menus = menus

    async def list(self, criteria: PortfolioFilter, number: int, size: int) -> Page[Portfolio]:
        """Page ``number`` of the live portfolios among those ``criteria`` select."""
        live = dataclasses.replace(criteria, publication=Publication.LIVE)
        return await fetch_page(lambda window: self._portfolios.find(live, window), number, size)

    async def portfolio(self, slug: str) -> Portfolio:
        """The live portfolio with ``slug``; PortfolioNotFound for any other slug."""
        criteria = PortfolioFilter(slug=slug, publication=Publication.LIVE)
        found = await self._portfolios.find(criteria, Window(offset=0, limit=1))
        if not found.items:
            raise PortfolioNotFound
        return found.items[0]

    async def tags(self, number: int, size: int) -> Page[Counted[Tag]]:
        """Page ``number`` of the tags live portfolios use."""
        return await fetch_page(self._menus.tags, number, size)

    async def employers(self, number: int, size: int) -> Page[Counted[Employer]]:
        """Page ``number`` of the employers of live portfolios."""
        return await fetch_page(self._menus.employers, number, size)


def keys_of_portfolio(portfolio: Portfolio) -> Iterator[str]:
    """The keys of everything ``portfolio`` shows: itself, its employer, tags, links, meta
    and every image or file among them."""
    yield surrogate_key(PORTFOLIO, portfolio.id)
    yield from _media_keys(portfolio.image, *portfolio.images)
    if portfolio.employer is not None:
        yield from keys_of_employer(portfolio.employer)
    for tag in portfolio.tags:
        yield from keys_of_tag(tag)
    for link in portfolio.links:
        yield surrogate_key(LINK, link.id)
        yield from _media_keys(link.image)
    for meta in portfolio.meta:
        yield surrogate_key(META, meta.id)
        yield from _media_keys(meta.value_file)


def keys_of_tag(tag: Tag) -> Iterator[str]:
    """The keys of a tag as shown: itself and its image."""
    yield surrogate_key(TAG, tag.id)
    yield from _media_keys(tag.image)


def keys_of_employer(employer: Employer) -> Iterator[str]:
    """The keys of an employer as shown: itself and its image."""
    yield surrogate_key(EMPLOYER, employer.id)
    yield from _media_keys(employer.image)


def _media_keys(*media: Media | None) -> Iterator[str]:
    for item in media:
        if item is not None:
            yield surrogate_key(MEDIA, item.id)
