"""Writes, deletes and lists behave the same on the in-memory and the Postgres adapters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from portfolio.application.fields import EmployerFields, LinkFields, MetaFields, TagFields
from portfolio.application.fields import PortfolioFields as Fields
from portfolio.application.listing import PortfolioFilter, SortField, SortKey, Window
from portfolio.application.ports import SharedObjects
from portfolio.domain import DuplicateValue, InUse, MissingReference, Portfolio
from portfolio.entrypoints.http.errors import in_use_message
from tests.builders import add_document, add_full_portfolio, add_image
from tests.integration.conftest import Stores

EVERYTHING = Window(offset=0, limit=100)


async def titles(
    stores: Stores, criteria: PortfolioFilter, window: Window = EVERYTHING
) -> list[str]:
    """The titles of the matching portfolios, in the order the adapter lists them."""
    found = await stores.portfolios.find(criteria, window)
    return [portfolio.title for portfolio in found.items]


async def add(stores: Stores, title: str, **values: Any) -> Portfolio:
    """A portfolio whose slug is its lower-cased title."""
    return await stores.portfolios.add(Fields(title=title, slug=title.lower(), **values))


# Updating portfolios


async def test_update_changes_only_the_given_fields_and_moves_updated_at(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    before = full.portfolio
    after = await stores.portfolios.update(before.id, {"title": "Renamed", "order": 9})
    assert after is not None
    assert (after.title, after.order) == ("Renamed", 9)
    assert after.slug == before.slug and after.tags == before.tags and after.meta == before.meta
    assert after.created_at == before.created_at
    assert after.updated_at > before.updated_at
    assert await stores.portfolios.get(before.id) == after


async def test_update_with_no_changes_still_moves_updated_at(stores: Stores) -> None:
    added = await add(stores, "A")
    first = await stores.portfolios.update(added.id, {})
    second = await stores.portfolios.update(added.id, {})
    assert first is not None and second is not None
    assert added.updated_at < first.updated_at < second.updated_at


async def test_update_replaces_given_attachment_lists_in_their_new_order(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    new_tags = (full.tags[0].id, full.tags[1].id)
    after = await stores.portfolios.update(
        full.portfolio.id, {"tag_ids": new_tags, "image_ids": ()}
    )
    assert after is not None
    assert tuple(tag.id for tag in after.tags) == new_tags
    assert after.images == ()
    assert tuple(link.id for link in after.links) == full.link_ids


async def test_update_clears_nullable_references(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    after = await stores.portfolios.update(
        full.portfolio.id, {"image_id": None, "employer_id": None, "completed_at": None}
    )
    assert after is not None
    assert (after.image, after.employer, after.completed_at) == (None, None, None)


@pytest.mark.parametrize("field", ["title", "slug"])
async def test_update_to_a_taken_title_or_slug_is_refused(stores: Stores, field: str) -> None:
    await add(stores, "One")
    two = await add(stores, "Two")
    with pytest.raises(DuplicateValue) as raised:
        await stores.portfolios.update(two.id, {field: "One" if field == "title" else "one"})
    assert raised.value.field == field
    assert await stores.portfolios.get(two.id) == two


async def test_update_to_its_own_title_is_no_clash(stores: Stores) -> None:
    one = await add(stores, "One")
    after = await stores.portfolios.update(one.id, {"title": "One", "slug": "one"})
    assert after is not None and after.title == "One"


async def test_failed_update_changes_nothing(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    with pytest.raises(MissingReference) as raised:
        await stores.portfolios.update(
            full.portfolio.id, {"title": "Renamed", "tag_ids": (), "meta_ids": (999,)}
        )
    assert (raised.value.field, raised.value.value) == ("meta", 999)
    assert await stores.portfolios.get(full.portfolio.id) == full.portfolio


async def test_update_of_a_missing_portfolio_is_none(stores: Stores) -> None:
    assert await stores.portfolios.update(424242, {"title": "X"}) is None


# Deleting portfolios


async def test_purge_removes_the_portfolio_but_not_what_it_holds(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    assert await stores.portfolios.trash(full.portfolio.id, None) is True
    assert await stores.portfolios.purge(full.portfolio.id) is True
    assert await stores.portfolios.get(full.portfolio.id) is None
    assert await stores.employers.get(full.employer.id) == full.employer
    assert [await stores.tags.get(tag.id) for tag in full.tags] == list(full.tags)
    assert [await stores.meta.get(meta.id) for meta in full.metas] == list(full.metas)
    # The join rows went with it: the tags it held are free to delete now.
    assert await stores.tags.delete(full.tags[0].id) is True
    assert await stores.portfolios.purge(full.portfolio.id) is False


# Listing portfolios


async def test_default_order_is_order_then_id_with_total_and_window(stores: Stores) -> None:
    await add(stores, "C", order=2)
    await add(stores, "A", order=1)
    await add(stores, "B", order=1)
    await add(stores, "D", order=0)
    assert await titles(stores, PortfolioFilter()) == ["D", "A", "B", "C"]
    second = await stores.portfolios.find(PortfolioFilter(), Window(offset=2, limit=2))
    assert [p.title for p in second.items] == ["B", "C"] and second.total == 4
    past = await stores.portfolios.find(PortfolioFilter(), Window(offset=8, limit=2))
    assert past.items == () and past.total == 4


async def test_title_order_ignores_case_and_descending_reverses(stores: Stores) -> None:
    for title in ("banana", "Apple", "cherry", "apricot"):
        await add(stores, title)
    by_title = PortfolioFilter(ordering=(SortKey(SortField.TITLE),))
    assert await titles(stores, by_title) == ["Apple", "apricot", "banana", "cherry"]
    backwards = PortfolioFilter(ordering=(SortKey(SortField.TITLE, descending=True),))
    assert await titles(stores, backwards) == ["cherry", "banana", "apricot", "Apple"]


async def test_completed_at_order_puts_nulls_last_ascending_and_first_descending(
    stores: Stores,
) -> None:
    await add(stores, "Never")
    await add(stores, "Late", completed_at=datetime(2026, 5, 1, tzinfo=UTC))
    await add(stores, "Early", completed_at=datetime(2025, 1, 1, tzinfo=UTC))
    ascending = PortfolioFilter(ordering=(SortKey(SortField.COMPLETED_AT),))
    assert await titles(stores, ascending) == ["Early", "Late", "Never"]
    descending = PortfolioFilter(ordering=(SortKey(SortField.COMPLETED_AT, descending=True),))
    assert await titles(stores, descending) == ["Never", "Late", "Early"]


async def test_several_keys_and_time_orders(stores: Stores) -> None:
    first = await add(stores, "First", order=1)
    await add(stores, "Second", order=1)
    await add(stores, "Third", order=0)
    await stores.portfolios.update(first.id, {"excerpt": "touched"})
    newest = PortfolioFilter(ordering=(SortKey(SortField.CREATED_AT, descending=True),))
    assert await titles(stores, newest) == ["Third", "Second", "First"]
    touched = PortfolioFilter(ordering=(SortKey(SortField.UPDATED_AT, descending=True),))
    assert (await titles(stores, touched))[0] == "First"
    mixed = PortfolioFilter(
        ordering=(SortKey(SortField.ORDER, descending=True), SortKey(SortField.TITLE))
    )
    assert await titles(stores, mixed) == ["First", "Second", "Third"]


async def test_filters_by_activity_tag_employer_and_slug(stores: Stores) -> None:
    tag = await stores.tags.add(TagFields(name="web"))
    employer = await stores.employers.add(EmployerFields(name="digikala"))
    await add(stores, "Tagged", tag_ids=(tag.id,))
    await add(stores, "Employed", employer_id=employer.id, is_active=False)
    await add(stores, "Plain")
    assert await titles(stores, PortfolioFilter(is_active=False)) == ["Employed"]
    assert await titles(stores, PortfolioFilter(is_active=True)) == ["Tagged", "Plain"]
    assert await titles(stores, PortfolioFilter(tag_id=tag.id)) == ["Tagged"]
    assert await titles(stores, PortfolioFilter(employer_id=employer.id)) == ["Employed"]
    assert await titles(stores, PortfolioFilter(slug="plain")) == ["Plain"]
    assert await titles(stores, PortfolioFilter(slug="plai")) == []
    assert await titles(stores, PortfolioFilter(tag_id=999)) == []


async def test_search_needs_every_term_in_title_excerpt_or_description_ignoring_case(
    stores: Stores,
) -> None:
    await add(stores, "Shop Redesign", excerpt="An online STORE")
    await add(stores, "Blog", description="A personal shop window")
    await add(stores, "Landing", description=None)
    assert await titles(stores, PortfolioFilter(search=("shop",))) == ["Shop Redesign", "Blog"]
    assert await titles(stores, PortfolioFilter(search=("SHOP", "store"))) == ["Shop Redesign"]
    assert await titles(stores, PortfolioFilter(search=("100%",))) == []
    assert await titles(stores, PortfolioFilter(search=("_",))) == []


async def test_search_takes_wildcards_literally_and_matches_any_script(stores: Stores) -> None:
    await add(stores, "100% organic", excerpt="a_b", description="c\\d")
    await add(stores, "1000 organic", excerpt="axb", description="cd")
    await add(stores, "طراحی وبسایت", description="فروشگاه اینترنتی")
    await add(stores, "Café CRÈME", excerpt="Studio")
    assert await titles(stores, PortfolioFilter(search=("100%",))) == ["100% organic"]
    assert await titles(stores, PortfolioFilter(search=("A_B",))) == ["100% organic"]
    assert await titles(stores, PortfolioFilter(search=("c\\d",))) == ["100% organic"]
    assert await titles(stores, PortfolioFilter(search=("وبسایت", "فروشگاه"))) == ["طراحی وبسایت"]
    assert await titles(stores, PortfolioFilter(search=("crème", "CAFÉ"))) == ["Café CRÈME"]
    # Short terms match too, and no term matches across two fields.
    assert await titles(stores, PortfolioFilter(search=("é",))) == ["Café CRÈME"]
    assert await titles(stores, PortfolioFilter(search=("crèmestudio",))) == []


async def test_lists_read_back_whole_portfolios(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    found = await stores.portfolios.find(PortfolioFilter(), EVERYTHING)
    assert found.items == (full.portfolio,)


async def test_slugs_in_use_are_the_base_and_its_suffixed_forms(stores: Stores) -> None:
    for slug in ("web", "web-2", "web-design", "webby", "other"):
        await stores.portfolios.add(Fields(title=slug, slug=slug))
    assert await stores.portfolios.slugs_in_use("web", None) == {"web", "web-2", "web-design"}
    own = (await stores.portfolios.find(PortfolioFilter(slug="web"), EVERYTHING)).items[0]
    assert await stores.portfolios.slugs_in_use("web", own.id) == {"web-2", "web-design"}


# Shared objects


def store_of(stores: Stores, kind: str) -> SharedObjects[Any, Any]:
    """The SharedObjects port for one kind."""
    store: SharedObjects[Any, Any] = getattr(stores, kind)
    return store


NEW: dict[str, Any] = {
    "employers": EmployerFields(name="digikala", description="a store"),
    "tags": TagFields(name="web"),
    "links": LinkFields(name="github", url="https://github.com", description=""),
    "meta": MetaFields(key="client", value_text="quote"),
}
NAMED = {"employers": "name", "tags": "name", "links": "name", "meta": "key"}
JOIN = {"employers": "employer_id", "tags": "tag_ids", "links": "link_ids", "meta": "meta_ids"}


@pytest.mark.parametrize("kind", list(NEW))
async def test_shared_object_round_trip(stores: Stores, kind: str) -> None:
    store = store_of(stores, kind)
    added = await store.add(NEW[kind])
    assert await store.get(added.id) == added
    changed = await store.update(added.id, {NAMED[kind]: "renamed"})
    assert changed is not None and getattr(changed, NAMED[kind]) == "renamed"
    assert await store.get(added.id) == changed
    assert await store.delete(added.id) is True
    assert await store.get(added.id) is None
    assert await store.delete(added.id) is False
    assert await store.update(added.id, {NAMED[kind]: "gone"}) is None


@pytest.mark.parametrize("kind", list(NEW))
async def test_shared_object_in_use_cannot_be_deleted(stores: Stores, kind: str) -> None:
    store = store_of(stores, kind)
    added = await store.add(NEW[kind])
    reference = added.id if kind == "employers" else (added.id,)
    web = await add(stores, "Web design", **{JOIN[kind]: reference})
    shop = await add(stores, "Shop", **{JOIN[kind]: reference})
    with pytest.raises(InUse) as raised:
        await store.delete(added.id)
    assert raised.value.total == 2
    assert [(r.kind, r.id, r.name) for r in raised.value.referrers] == [
        ("portfolio", web.id, "Web design"),
        ("portfolio", shop.id, "Shop"),
    ]
    entity = {"employers": "employer", "tags": "tag", "links": "link", "meta": "meta"}[kind]
    assert (raised.value.kind, raised.value.object_id) == (entity, added.id)
    assert in_use_message(raised.value) == (
        f'Cannot delete this {entity}: it is used by portfolio {web.id} "Web design", '
        f'portfolio {shop.id} "Shop".'
    )
    assert await store.get(added.id) == added


async def test_in_use_names_five_referrers_and_counts_the_rest(stores: Stores) -> None:
    tag = await stores.tags.add(TagFields(name="web"))
    added = [await add(stores, f"P{n}", tag_ids=(tag.id,)) for n in range(7)]
    with pytest.raises(InUse) as raised:
        await stores.tags.delete(tag.id)
    assert [r.id for r in raised.value.referrers] == [p.id for p in added[:5]]
    assert in_use_message(raised.value) == (
        "Cannot delete this tag: it is used by "
        + ", ".join(f'portfolio {p.id} "{p.title}"' for p in added[:5])
        + " and 2 more."
    )


@pytest.mark.parametrize("kind", ["employers", "tags"])
async def test_renaming_to_a_taken_name_is_refused(stores: Stores, kind: str) -> None:
    store = store_of(stores, kind)
    await store.add(NEW[kind])
    other = await store.add(type(NEW[kind])(name="other"))
    with pytest.raises(DuplicateValue) as raised:
        await store.update(other.id, {"name": NEW[kind].name})
    assert raised.value.field == "name"
    assert await store.get(other.id) == other
    assert await store.update(other.id, {"name": "other"}) is not None


@pytest.mark.parametrize(
    ("kind", "attribute", "field"),
    [
        ("employers", "image_id", "image"),
        ("tags", "image_id", "image"),
        ("links", "image_id", "image"),
        ("meta", "value_file_id", "value_file"),
    ],
)
async def test_missing_media_is_a_missing_reference(
    stores: Stores, kind: str, attribute: str, field: str
) -> None:
    store = store_of(stores, kind)
    with pytest.raises(MissingReference) as raised:
        await store.add(type(NEW[kind])(**{NAMED[kind]: "x", attribute: 999}))
    assert (raised.value.field, raised.value.value) == (field, 999)
    added = await store.add(NEW[kind])
    with pytest.raises(MissingReference):
        await store.update(added.id, {attribute: 999})
    assert await store.get(added.id) == added


async def test_shared_objects_attach_media(stores: Stores) -> None:
    logo = await add_image(stores.media, "logo.png")
    brochure = await add_document(stores.media, "brochure.pdf")
    tag = await stores.tags.add(TagFields(name="web", image_id=logo.id))
    meta = await stores.meta.add(MetaFields(key="brochure", value_file_id=brochure.id))
    assert tag.image == logo and meta.value_file == brochure


@pytest.mark.parametrize("kind", list(NEW))
async def test_shared_lists_go_by_id_and_search_their_name_ignoring_case(
    stores: Stores, kind: str
) -> None:
    store = store_of(stores, kind)
    names = ["Web Design", "webshop", "Mobile", "WEB"]
    added = [await store.add(type(NEW[kind])(**{NAMED[kind]: name})) for name in names]
    everything = await store.find((), EVERYTHING)
    assert everything.items == tuple(added) and everything.total == 4
    found = await store.find(("web",), Window(offset=1, limit=1))
    assert [getattr(item, NAMED[kind]) for item in found.items] == ["webshop"]
    assert found.total == 3
    both = await store.find(("web", "design"), EVERYTHING)
    assert [getattr(item, NAMED[kind]) for item in both.items] == ["Web Design"]
