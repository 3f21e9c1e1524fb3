"""The trash behaves the same on the in-memory and the Postgres adapters: a trashed portfolio
is read by nothing but the trash, frees its title and slug, and still protects what it holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portfolio.application.fields import PortfolioFields as Fields
from portfolio.application.listing import PortfolioFilter, Window
from portfolio.application.portfolios.records import Editor
from portfolio.domain import DuplicateValue, InUse, Publication
from tests.builders import add_full_portfolio
from tests.integration.conftest import Stores

EVERYTHING = Window(offset=0, limit=100)
ALICE = Editor(7, "alice")


async def found_ids(stores: Stores, criteria: PortfolioFilter) -> list[int]:
    return [p.id for p in (await stores.portfolios.find(criteria, EVERYTHING)).items]


async def test_a_trashed_portfolio_is_read_by_nothing_but_the_trash(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    kept = await stores.portfolios.add(Fields(title="Kept", slug="kept"))
    trashed_id = full.portfolio.id
    assert await stores.portfolios.trash(trashed_id, ALICE) is True
    assert await stores.portfolios.get(trashed_id) is None
    every_filter = [
        PortfolioFilter(),
        PortfolioFilter(slug=full.portfolio.slug),
        PortfolioFilter(tag_id=full.tags[0].id),
        PortfolioFilter(employer_id=full.employer.id),
        PortfolioFilter(is_active=True),
        PortfolioFilter(publication=Publication.LIVE),
        PortfolioFilter(search=("web",)),
    ]
    for criteria in every_filter:
        assert trashed_id not in await found_ids(stores, criteria), criteria
    listed = await stores.portfolios.find(PortfolioFilter(), EVERYTHING)
    assert [p.id for p in listed.items] == [kept.id] and listed.total == 1
    trash = await stores.portfolios.trashed(EVERYTHING)
    assert trash.total == 1
    (entry,) = trash.items
    assert (entry.id, entry.title, entry.slug, entry.deleted_by) == (
        trashed_id,
        full.portfolio.title,
        full.portfolio.slug,
        ALICE,
    )
    assert abs(entry.deleted_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert await stores.portfolios.update(trashed_id, {"title": "X"}) is None
    assert await stores.portfolios.trash(trashed_id, ALICE) is False


async def test_a_trashed_portfolio_still_protects_what_it_refers_to(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    await stores.portfolios.trash(full.portfolio.id, None)
    with pytest.raises(InUse):
        await stores.tags.delete(full.tags[0].id)
    with pytest.raises(InUse):
        await stores.employers.delete(full.employer.id)
    with pytest.raises(InUse):
        await stores.media.delete(full.gallery[0].id)


async def test_a_trashed_portfolio_frees_its_title_and_slug_until_restored(
    stores: Stores,
) -> None:
    first = await stores.portfolios.add(Fields(title="Shop", slug="shop"))
    await stores.portfolios.trash(first.id, None)
    assert await stores.portfolios.slugs_in_use("shop", None) == set()
    second = await stores.portfolios.add(Fields(title="Shop", slug="shop"))
    with pytest.raises(DuplicateValue) as refused:
        await stores.portfolios.restore(first.id)
    assert refused.value.field == "title"
    await stores.portfolios.update(second.id, {"title": "Other shop"})
    with pytest.raises(DuplicateValue) as refused:
        await stores.portfolios.restore(first.id)
    assert refused.value.field == "slug"
    # Refused, it is still in the trash and out of every list.
    assert [t.id for t in (await stores.portfolios.trashed(EVERYTHING)).items] == [first.id]
    await stores.portfolios.update(second.id, {"slug": "other-shop"})
    restored = await stores.portfolios.restore(first.id)
    assert restored is not None and restored.updated_at > first.updated_at
    assert await stores.portfolios.get(first.id) == restored
    assert (await stores.portfolios.trashed(EVERYTHING)).total == 0


async def test_restore_and_purge_know_only_trashed_portfolios(stores: Stores) -> None:
    live = await stores.portfolios.add(Fields(title="Live", slug="live"))
    assert await stores.portfolios.restore(live.id) is None
    assert await stores.portfolios.purge(live.id) is False
    assert await stores.portfolios.get(live.id) == live
    assert await stores.portfolios.restore(424242) is None
    assert await stores.portfolios.purge(424242) is False


async def test_the_trash_lists_the_latest_first_and_purges_the_oldest_first(
    stores: Stores,
) -> None:
    ids = []
    for title in ("A", "B", "C"):
        added = await stores.portfolios.add(Fields(title=title, slug=title.lower()))
        await stores.portfolios.trash(added.id, None)
        ids.append(added.id)
    page = await stores.portfolios.trashed(Window(offset=0, limit=2))
    assert [t.id for t in page.items] == [ids[2], ids[1]] and page.total == 3
    assert (
        await stores.portfolios.purge_trashed_before(datetime.now(UTC) - timedelta(days=1), 10)
        == []
    )
    later = datetime.now(UTC) + timedelta(days=1)
    assert list(await stores.portfolios.purge_trashed_before(later, 2)) == ids[:2]
    assert [t.id for t in (await stores.portfolios.trashed(EVERYTHING)).items] == [ids[2]]
    assert list(await stores.portfolios.purge_trashed_before(later, 2)) == [ids[2]]
    assert (await stores.portfolios.trashed(EVERYTHING)).total == 0
