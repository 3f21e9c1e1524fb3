"""Use cases on portfolios: read one, list them, and create, change or delete them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from portfolio.application.changes import (
    CREATE,
    DELETE,
    PORTFOLIO,
    UPDATE,
    Author,
    Change,
)
from portfolio.application.fields import PortfolioFields, as_changes
from portfolio.application.ids import require_id
from portfolio.application.listing import Page, PortfolioFilter, fetch_page
from portfolio.application.portfolios.records import editor_of
from portfolio.application.portfolios.slugs import free_slug, random_variant, slugify
from portfolio.application.portfolios.writes import PortfolioWrites
from portfolio.application.ports import Portfolios
from portfolio.domain import DuplicateValue, Portfolio, PortfolioNotFound

# A made slug can lose a race to a concurrent write; it is chosen again. The first tries take
# the next free number; after that many writers are racing for one title, and a random
# suffix (24 bits) ends the contest instead of every writer counting up in step.
NUMBERED_SLUG_ATTEMPTS = 3
SLUG_ATTEMPTS = 12


class GetPortfolio:
    """Fetch one whole portfolio by id."""

    def __init__(self, portfolios: Portfolios) -> None:
        self._portfolios = portfolios

    async def __call__(self, portfolio_id: int) -> Portfolio:
        """The portfolio, or PortfolioNotFound for any id that names none (malformed ones too)."""
        portfolio = await self._portfolios.get(require_id(portfolio_id, PortfolioNotFound))
        if portfolio is None:
            raise PortfolioNotFound
        return portfolio


Written = TypeVar("Written", Portfolio, Portfolio | None)
"""What a write answers: the portfolio, or None when it names one that has gone."""


class ManagePortfolios(PortfolioWrites):
    """Create, replace, change, delete and list portfolios.

    ``values`` and ``changes`` map PortfolioFields attribute names to valid values. A slug
    that is missing, None or empty is made from the title and kept unique. Each write is one
    unit of work with its revision and its entry in the journal, made by ``by``.
    """

    async def get(self, portfolio_id: int) -> Portfolio:
        """The whole portfolio; PortfolioNotFound when there is none."""
        # GetPortfolio's rule, without making one per read: the busiest route comes here.
        return _found(await self._portfolios.get(require_id(portfolio_id, PortfolioNotFound)))

    async def create(self, values: Mapping[str, Any], by: Author) -> Portfolio:
        """Add a portfolio."""

        async def add(slug: str) -> Portfolio:
            return await self._portfolios.add(PortfolioFields(**{**values, "slug": slug}))

        async with self._transactions.transaction():
            made = await self._with_slug(values.get("slug"), values["title"], None, add)
            await self._history.record(made, by, ())
            await self._journal.record(Change(CREATE, PORTFOLIO, made.id, tuple(values)), by)
        return made

    async def replace(self, portfolio_id: int, values: Mapping[str, Any], by: Author) -> Portfolio:
        """Make the portfolio exactly ``values``; left-out fields take their defaults."""
        require_id(portfolio_id, PortfolioNotFound)

        async def write(slug: str) -> Portfolio | None:
            fields = PortfolioFields(**{**values, "slug": slug})
            return await self._portfolios.update(portfolio_id, as_changes(fields))

        async with self._transactions.transaction():
            replaced = _found(
                await self._with_slug(values.get("slug"), values["title"], portfolio_id, write)
            )
            everything = tuple(as_changes(PortfolioFields(title="", slug="")))
            return await self._recorded(UPDATE, replaced, everything, by)

    async def update(self, portfolio_id: int, changes: Mapping[str, Any], by: Author) -> Portfolio:
        """Change the given fields only; a slug set to None is made afresh from the title."""
        require_id(portfolio_id, PortfolioNotFound)
        async with self._transactions.transaction():
            changed = await self._changed(portfolio_id, changes)
            return await self._recorded(UPDATE, changed, tuple(changes), by)

    async def _changed(self, portfolio_id: int, changes: Mapping[str, Any]) -> Portfolio:
        if "slug" in changes and not changes["slug"]:
            title = changes.get("title")
            if title is None:
                current = _found(await self._portfolios.get(portfolio_id))
                title = current.title

            async def write(slug: str) -> Portfolio | None:
                return await self._portfolios.update(portfolio_id, {**changes, "slug": slug})

            return _found(await self._made_slug(title, portfolio_id, write))
        return _found(await self._portfolios.update(portfolio_id, changes))

    async def delete(self, portfolio_id: int, by: Author) -> None:
        """Move a portfolio to the trash: gone from every read but the trash's, its title and
        slug free, while the employer, tags, links, images and meta it names stay protected."""
        require_id(portfolio_id, PortfolioNotFound)
        async with self._transactions.transaction():
            if not await self._portfolios.trash(portfolio_id, editor_of(by.user)):
                raise PortfolioNotFound
            await self._journal.record(Change(DELETE, PORTFOLIO, portfolio_id), by)

    async def list(self, criteria: PortfolioFilter, number: int, size: int) -> Page[Portfolio]:
        """Page ``number`` of the portfolios matching ``criteria``."""
        return await fetch_page(
            lambda window: self._portfolios.find(criteria, window), number, size
        )

    async def _with_slug(
        self,
        given: str | None,
        title: str,
        excluding: int | None,
        write: Callable[[str], Awaitable[Written]],
    ) -> Written:
        if given:
            return await write(given)
        return await self._made_slug(title, excluding, write)

    async def _made_slug(
        self, title: str, excluding: int | None, write: Callable[[str], Awaitable[Written]]
    ) -> Written:
        base = slugify(title)
        clash = DuplicateValue("portfolio", "slug")
        for attempt in range(SLUG_ATTEMPTS):
            if attempt < NUMBERED_SLUG_ATTEMPTS:
                slug = free_slug(base, await self._portfolios.slugs_in_use(base, excluding))
            else:
                slug = random_variant(base)
            try:
                return await write(slug)
            except DuplicateValue as error:
                # Someone else took the slug between our look and our write: look again.
                if error.field != "slug":
                    raise
                clash = error
        raise clash


def _found(portfolio: Portfolio | None) -> Portfolio:
    if portfolio is None:
        raise PortfolioNotFound
    return portfolio
