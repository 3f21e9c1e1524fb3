"""The same behaviour from the in-memory and the Postgres stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portfolio.application.fields import EmployerFields, LinkFields, PortfolioFields, TagFields
from portfolio.domain import DuplicateValue, MissingReference
from tests.builders import add_full_portfolio, add_image
from tests.integration.conftest import Stores


async def test_whole_portfolio_reads_back_with_every_nested_kind(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    found = await stores.portfolios.get(full.portfolio.id)
    assert found == full.portfolio
    assert found is not None
    assert found.employer is not None and found.employer.image is not None
    assert len(found.employer.image.thumbnails) == 4
    assert found.image is not None and found.image.is_image
    assert found.meta[0].value_file is not None and not found.meta[0].value_file.is_image
    assert found.completed_at == datetime(2026, 3, 3, 17, 26, 28, tzinfo=UTC)


async def test_nested_lists_keep_attachment_order(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    found = await stores.portfolios.get(full.portfolio.id)
    assert found is not None
    assert tuple(tag.id for tag in found.tags) == full.tag_ids
    assert tuple(link.id for link in found.links) == full.link_ids
    assert tuple(image.id for image in found.images) == full.image_ids
    assert tuple(meta.id for meta in found.meta) == full.meta_ids
    assert full.tag_ids != tuple(sorted(full.tag_ids))


async def test_thumbnails_come_smallest_first(stores: Stores) -> None:
    image = await add_image(stores.media, "cover.bmp")
    assert [thumb.size for thumb in image.thumbnails] == [64, 128, 512, 1080]
    assert image.thumbnails[0].key == "core_media/2026/03/02/thumbnails/cover_thumbnail_64x64.bmp"


async def test_empty_portfolio_has_empty_lists_and_nulls(stores: Stores) -> None:
    added = await stores.portfolios.add(PortfolioFields(title="Bare", slug="bare"))
    found = await stores.portfolios.get(added.id)
    assert found is not None
    assert (found.image, found.employer, found.completed_at, found.description) == (None,) * 4
    assert (found.tags, found.links, found.images, found.meta) == ((), (), (), ())
    assert found.created_at == found.updated_at
    assert found.created_at.tzinfo is not None and found.created_at.utcoffset().total_seconds() == 0


async def test_unknown_portfolio_is_none(stores: Stores) -> None:
    assert await stores.portfolios.get(424242) is None


@pytest.mark.parametrize("field", ["title", "slug"])
async def test_titles_and_slugs_are_unique(stores: Stores, field: str) -> None:
    await stores.portfolios.add(PortfolioFields(title="One", slug="one"))
    clash = {"title": "Two", "slug": "two", field: "one" if field == "slug" else "One"}
    with pytest.raises(DuplicateValue) as raised:
        await stores.portfolios.add(PortfolioFields(**clash))
    assert (raised.value.entity, raised.value.field) == ("portfolio", field)


async def test_employer_and_tag_names_are_unique_but_link_names_are_not(stores: Stores) -> None:
    await stores.employers.add(EmployerFields(name="digikala"))
    with pytest.raises(DuplicateValue) as employer_clash:
        await stores.employers.add(EmployerFields(name="digikala"))
    assert (employer_clash.value.entity, employer_clash.value.field) == ("employer", "name")
    await stores.tags.add(TagFields(name="web"))
    with pytest.raises(DuplicateValue) as tag_clash:
        await stores.tags.add(TagFields(name="web"))
    assert (tag_clash.value.entity, tag_clash.value.field) == ("tag", "name")
    await stores.links.add(LinkFields(name="github"))
    await stores.links.add(LinkFields(name="github"))


async def test_reference_to_a_missing_id_names_field_and_id(stores: Stores) -> None:
    with pytest.raises(MissingReference) as raised:
        await stores.portfolios.add(PortfolioFields(title="T", slug="t", tag_ids=(999,)))
    assert (raised.value.field, raised.value.value) == ("tags", 999)


async def test_failed_write_leaves_nothing_behind(stores: Stores) -> None:
    tag = await stores.tags.add(TagFields(name="web"))
    with pytest.raises(MissingReference):
        await stores.portfolios.add(
            PortfolioFields(title="T", slug="t", tag_ids=(tag.id,), link_ids=(999,))
        )
    # The same title is free again: the failed insert left no row.
    added = await stores.portfolios.add(PortfolioFields(title="T", slug="t"))
    found = await stores.portfolios.get(added.id)
    assert found is not None and found.tags == ()


async def test_shared_objects_show_their_current_state_in_every_portfolio(stores: Stores) -> None:
    tag = await stores.tags.add(TagFields(name="shared"))
    first = await stores.portfolios.add(PortfolioFields(title="A", slug="a", tag_ids=(tag.id,)))
    second = await stores.portfolios.add(PortfolioFields(title="B", slug="b", tag_ids=(tag.id,)))
    for portfolio_id in (first.id, second.id):
        found = await stores.portfolios.get(portfolio_id)
        assert found is not None and found.tags[0] == tag
