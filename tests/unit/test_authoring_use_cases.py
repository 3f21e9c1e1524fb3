"""The authoring use cases on the in-memory adapters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from portfolio.adapters.memory.database import InMemoryDatabase, InMemoryPortfolios
from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.application.changes import OPERATOR
from portfolio.application.fields import EMPLOYERS, TAGS, PortfolioFields
from portfolio.application.listing import PortfolioFilter
from portfolio.application.portfolios.manage import ManagePortfolios
from portfolio.application.portfolios.revisions import History
from portfolio.application.shared_objects import ManageSharedObjects
from portfolio.domain import (
    DuplicateValue,
    EmployerNotFound,
    InUse,
    PageNotFound,
    PortfolioNotFound,
    TagNotFound,
)


@pytest.fixture
def portfolios(database: InMemoryDatabase) -> ManagePortfolios:
    """Portfolio use cases over the database."""
    return ManagePortfolios(
        database.portfolios,
        InMemoryTransactions(),
        InMemoryJournal(),
        History(database.revisions, keep=50),
    )


async def test_a_missing_slug_is_made_from_the_title(portfolios: ManagePortfolios) -> None:
    created = await portfolios.create({"title": "Web Design"}, OPERATOR)
    assert created.slug == "web-design"


@pytest.mark.parametrize("slug", [None, ""])
async def test_a_null_or_empty_slug_is_made_too(portfolios: ManagePortfolios, slug: Any) -> None:
    created = await portfolios.create({"title": "Web Design", "slug": slug}, OPERATOR)
    assert created.slug == "web-design"


async def test_made_slugs_get_the_first_free_numeric_suffix(portfolios: ManagePortfolios) -> None:
    slugs = [
        (await portfolios.create({"title": title}, OPERATOR)).slug
        for title in ("Web Design", "Web design!", "web: design", "WEB DESIGN?")
    ]
    assert slugs == ["web-design", "web-design-2", "web-design-3", "web-design-4"]


async def test_a_given_slug_is_kept_and_a_taken_one_is_refused(
    portfolios: ManagePortfolios,
) -> None:
    created = await portfolios.create({"title": "Web Design", "slug": "web"}, OPERATOR)
    assert created.slug == "web"
    with pytest.raises(DuplicateValue) as raised:
        await portfolios.create({"title": "Other", "slug": "web"}, OPERATOR)
    assert raised.value.field == "slug"


async def test_a_duplicate_title_is_refused_even_with_a_made_slug(
    portfolios: ManagePortfolios,
) -> None:
    await portfolios.create({"title": "Web Design"}, OPERATOR)
    with pytest.raises(DuplicateValue) as raised:
        await portfolios.create({"title": "Web Design"}, OPERATOR)
    assert raised.value.field == "title"


class RacingPortfolios(InMemoryPortfolios):
    """Portfolios whose slug look-ups miss the slugs a faster writer took, ``misses`` times."""

    def __init__(self, database: InMemoryDatabase, misses: int) -> None:
        super().__init__(database)
        self.misses = misses
        self.looks = 0

    async def slugs_in_use(self, base: str, excluding: int | None) -> set[str]:
        """Nothing while the race is being lost, the truth afterwards."""
        self.looks += 1
        if self.looks <= self.misses:
            return set()
        return await super().slugs_in_use(base, excluding)


async def test_a_made_slug_that_loses_a_race_is_chosen_again(
    database: InMemoryDatabase,
) -> None:
    await database.portfolios.add(PortfolioFields(title="Web Design", slug="web-design"))
    racing = RacingPortfolios(database, misses=2)
    history = History(database.revisions, keep=50)
    manage = ManagePortfolios(racing, InMemoryTransactions(), InMemoryJournal(), history)
    created = await manage.create({"title": "Web design!"}, OPERATOR)
    assert created.slug == "web-design-2"
    assert racing.looks == 3


async def test_a_slug_race_lost_again_and_again_ends_with_a_random_suffix(
    database: InMemoryDatabase,
) -> None:
    await database.portfolios.add(PortfolioFields(title="Web Design", slug="web-design"))
    racing = RacingPortfolios(database, misses=99)
    history = History(database.revisions, keep=50)
    manage = ManagePortfolios(racing, InMemoryTransactions(), InMemoryJournal(), history)
    created = await manage.create({"title": "Web design!"}, OPERATOR)
    assert re.fullmatch(r"web-design-[0-9a-f]{6}", created.slug)
    assert racing.looks == 3  # numbered tries; the random one needs no look


async def test_replace_resets_left_out_fields_to_their_defaults(
    portfolios: ManagePortfolios,
) -> None:
    created = await portfolios.create(
        {
            "title": "Web Design",
            "slug": "custom",
            "excerpt": "short",
            "order": 4,
            "is_active": False,
            "completed_at": datetime(2026, 1, 1, tzinfo=UTC),
        },
        OPERATOR,
    )
    replaced = await portfolios.replace(created.id, {"title": "Web Design"}, OPERATOR)
    assert (replaced.slug, replaced.excerpt, replaced.order) == ("web-design", "", 0)
    assert (replaced.is_active, replaced.completed_at) == (True, None)
    assert replaced.created_at == created.created_at
    assert replaced.updated_at > created.updated_at


async def test_replace_keeps_its_own_slug_when_the_title_makes_the_same(
    portfolios: ManagePortfolios,
) -> None:
    created = await portfolios.create({"title": "Web Design"}, OPERATOR)
    replaced = await portfolios.replace(created.id, {"title": "Web Design", "order": 2}, OPERATOR)
    assert replaced.slug == "web-design"


async def test_update_changes_only_what_is_given_and_keeps_the_slug(
    portfolios: ManagePortfolios,
) -> None:
    created = await portfolios.create({"title": "Web Design", "excerpt": "short"}, OPERATOR)
    changed = await portfolios.update(created.id, {"title": "Shop"}, OPERATOR)
    assert (changed.title, changed.slug, changed.excerpt) == ("Shop", "web-design", "short")


async def test_update_with_a_null_slug_makes_one_from_the_current_or_new_title(
    portfolios: ManagePortfolios,
) -> None:
    created = await portfolios.create({"title": "Web Design", "slug": "custom"}, OPERATOR)
    fresh = await portfolios.update(created.id, {"slug": None}, OPERATOR)
    assert fresh.slug == "web-design"
    renamed = await portfolios.update(created.id, {"slug": None, "title": "Shop"}, OPERATOR)
    assert (renamed.title, renamed.slug) == ("Shop", "shop")


@pytest.mark.parametrize("raw", [999, 0, -1, 2**63])
async def test_writes_to_ids_that_name_nothing_are_not_found(
    portfolios: ManagePortfolios, raw: int
) -> None:
    with pytest.raises(PortfolioNotFound):
        await portfolios.update(raw, {"title": "X"}, OPERATOR)
    with pytest.raises(PortfolioNotFound):
        await portfolios.update(raw, {"slug": None}, OPERATOR)
    with pytest.raises(PortfolioNotFound):
        await portfolios.replace(raw, {"title": "X"}, OPERATOR)
    with pytest.raises(PortfolioNotFound):
        await portfolios.delete(raw, OPERATOR)


async def test_delete_moves_the_portfolio_to_the_trash(portfolios: ManagePortfolios) -> None:
    created = await portfolios.create({"title": "Web Design"}, OPERATOR)
    await portfolios.delete(created.id, OPERATOR)
    with pytest.raises(PortfolioNotFound):
        await portfolios.get(created.id)
    with pytest.raises(PortfolioNotFound):
        await portfolios.delete(created.id, OPERATOR)


async def test_list_pages_and_refuses_pages_past_the_end(portfolios: ManagePortfolios) -> None:
    for n in range(5):
        await portfolios.create({"title": f"P{n}", "order": -n}, OPERATOR)
    page = await portfolios.list(PortfolioFilter(), 2, 2)
    assert [p.title for p in page.items] == ["P2", "P1"]
    assert (page.total, page.has_next, page.has_previous) == (5, True, True)
    with pytest.raises(PageNotFound):
        await portfolios.list(PortfolioFilter(), 4, 2)


async def test_shared_objects_are_created_replaced_updated_and_deleted(
    database: InMemoryDatabase,
) -> None:
    employers = ManageSharedObjects(
        database.employers, EMPLOYERS, InMemoryTransactions(), InMemoryJournal()
    )
    created = await employers.create({"name": "digikala", "description": "a store"}, OPERATOR)
    assert await employers.get(created.id) == created
    changed = await employers.update(created.id, {"name": "Digikala"}, OPERATOR)
    assert (changed.name, changed.description) == ("Digikala", "a store")
    replaced = await employers.replace(created.id, {"name": "DK"}, OPERATOR)
    assert (replaced.name, replaced.description) == ("DK", None)
    await employers.delete(created.id, OPERATOR)
    with pytest.raises(EmployerNotFound):
        await employers.get(created.id)


async def test_a_tag_in_use_cannot_be_deleted(
    database: InMemoryDatabase, portfolios: ManagePortfolios
) -> None:
    tags = ManageSharedObjects(database.tags, TAGS, InMemoryTransactions(), InMemoryJournal())
    tag = await tags.create({"name": "web"}, OPERATOR)
    await portfolios.create({"title": "Web Design", "tag_ids": (tag.id,)}, OPERATOR)
    with pytest.raises(InUse):
        await tags.delete(tag.id, OPERATOR)
    assert await tags.get(tag.id) == tag


@pytest.mark.parametrize("raw", [999, 0, -1, 2**63])
async def test_shared_ids_that_name_nothing_are_not_found(
    database: InMemoryDatabase, raw: int
) -> None:
    tags = ManageSharedObjects(database.tags, TAGS, InMemoryTransactions(), InMemoryJournal())
    changes: Mapping[str, Any] = {"name": "x"}
    with pytest.raises(TagNotFound):
        await tags.get(raw)
    with pytest.raises(TagNotFound):
        await tags.update(raw, changes, OPERATOR)
    with pytest.raises(TagNotFound):
        await tags.replace(raw, changes, OPERATOR)
    with pytest.raises(TagNotFound):
        await tags.delete(raw, OPERATOR)
