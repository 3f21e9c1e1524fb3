"""What every MediaRepository does, on the in-memory and the Postgres adapter."""

from __future__ import annotations

import pytest

from portfolio.application.fields import (
    EmployerFields,
    LinkFields,
    MetaFields,
    NewThumbnail,
    PortfolioFields,
    TagFields,
)
from portfolio.application.listing import Window
from portfolio.domain import (
    DuplicateValue,
    InUse,
    MediaNotFound,
    Referrer,
)
from tests.builders import add_document, add_image
from tests.integration.conftest import Stores


async def test_get_returns_the_object_with_its_thumbnails(stores: Stores) -> None:
    added = await add_image(stores.media, "a.bmp")

    got = await stores.media.get(added.id)

    assert got is not None
    assert (got.key, got.type, got.width, got.height, got.mode) == (
        added.key,
        "image/bmp",
        156,
        156,
        "RGB",
    )
    assert [(thumb.size, thumb.key) for thumb in got.thumbnails] == [
        (thumb.size, thumb.key) for thumb in added.thumbnails
    ]


async def test_referenced_keys_are_those_an_original_or_a_thumbnail_names(stores: Stores) -> None:
    image = await add_image(stores.media, "kept.bmp")
    document = await add_document(stores.media, "paper.pdf")
    thumbnail = image.thumbnails[0].key
    stray = "core_media/2026/03/02/stray.png"

    found = await stores.media.referenced_keys([image.key, thumbnail, stray, document.key])

    assert found == {image.key, thumbnail, document.key}
    assert await stores.media.referenced_keys([]) == frozenset()


async def test_get_of_an_unknown_id_is_none(stores: Stores) -> None:
    assert await stores.media.get(424242) is None


async def test_pages_come_newest_first_with_the_total(stores: Stores) -> None:
    added = [await add_image(stores.media, f"m{index}.bmp") for index in range(5)]
    newest_first = [media.id for media in reversed(added)]

    first = await stores.media.find(Window(0, 2))
    second = await stores.media.find(Window(2, 2))
    last = await stores.media.find(Window(4, 2))

    assert [media.id for media in first.items] == newest_first[:2]
    assert [media.id for media in second.items] == newest_first[2:4]
    assert [media.id for media in last.items] == newest_first[4:]
    assert first.total == second.total == last.total == 5
    assert len(first.items[0].thumbnails) == 4


async def test_a_page_past_the_end_is_empty_but_still_counts(stores: Stores) -> None:
    await add_document(stores.media, "only.pdf")

    page = await stores.media.find(Window(10, 5))

    assert (page.items, page.total) == ((), 1)


async def test_an_empty_library_has_an_empty_first_page(stores: Stores) -> None:
    page = await stores.media.find(Window(0, 20))
    assert (page.items, page.total) == ((), 0)


async def test_image_ids_skip_documents_and_resume_after_an_id(stores: Stores) -> None:
    first = await add_image(stores.media, "one.bmp")
    await add_document(stores.media, "doc.pdf")
    second = await add_image(stores.media, "two.bmp")
    third = await add_image(stores.media, "three.bmp")

    assert await stores.media.image_ids(0, 10) == (first.id, second.id, third.id)
    assert await stores.media.image_ids(first.id, 1) == (second.id,)
    assert await stores.media.image_ids(third.id, 10) == ()


async def test_delete_removes_the_object_and_returns_its_keys(stores: Stores) -> None:
    added = await add_image(stores.media, "gone.bmp")
    kept = await add_document(stores.media, "kept.pdf")

    deleted = await stores.media.delete(added.id)

    assert deleted.key == added.key
    assert {thumb.key for thumb in deleted.thumbnails} == {thumb.key for thumb in added.thumbnails}
    assert await stores.media.get(added.id) is None
    assert (await stores.media.find(Window(0, 10))).total == 1
    assert await stores.media.get(kept.id) is not None


async def test_delete_of_an_unknown_id_is_not_found(stores: Stores) -> None:
    with pytest.raises(MediaNotFound):
        await stores.media.delete(424242)


async def test_delete_is_refused_naming_the_first_five_referrers_and_counting_all(
    stores: Stores,
) -> None:
    media = await add_image(stores.media, "shared.bmp")
    employer = await stores.employers.add(EmployerFields("digikala", image_id=media.id))
    tag = await stores.tags.add(TagFields("web", image_id=media.id))
    link = await stores.links.add(LinkFields("site", image_id=media.id))
    meta = await stores.meta.add(MetaFields("brief", value_file_id=media.id))
    cover = await stores.portfolios.add(PortfolioFields("Cover", "cover", image_id=media.id))
    gallery = await stores.portfolios.add(
        PortfolioFields("Gallery", "gallery", image_ids=(media.id,))
    )

    with pytest.raises(InUse) as refused:
        await stores.media.delete(media.id)

    assert (refused.value.kind, refused.value.object_id) == ("media", media.id)
    assert refused.value.referrers == (
        Referrer("employer", employer.id, field="image"),
        Referrer("link", link.id, field="image"),
        Referrer("meta", meta.id, field="value_file"),
        Referrer("portfolio", cover.id, field="image"),
        Referrer("portfolio", gallery.id, field="images"),
    )
    assert refused.value.total == 6  # the tag is counted, not named
    assert ("tag", tag.id) not in [(r.kind, r.id) for r in refused.value.referrers]
    assert await stores.media.get(media.id) is not None


async def test_one_reference_is_enough_to_refuse(stores: Stores) -> None:
    media = await add_document(stores.media, "brief.pdf")
    meta = await stores.meta.add(MetaFields("brief", value_file_id=media.id))

    with pytest.raises(InUse) as refused:
        await stores.media.delete(media.id)
    assert refused.value.referrers == (Referrer("meta", meta.id, field="value_file"),)


async def test_replace_thumbnails_swaps_every_thumbnail_record(stores: Stores) -> None:
    media = await add_image(stores.media, "redo.bmp")
    new = [NewThumbnail(f"core_media/new_{size}.png", size) for size in (1080, 64)]

    replaced = await stores.media.replace_thumbnails(media.id, new)

    assert [(thumb.size, thumb.key) for thumb in replaced.thumbnails] == [
        (64, "core_media/new_64.png"),
        (1080, "core_media/new_1080.png"),
    ]
    assert not {thumb.id for thumb in replaced.thumbnails} & {
        thumb.id for thumb in media.thumbnails
    }
    assert await stores.media.get(media.id) == replaced


async def test_replace_thumbnails_may_reuse_the_object_s_own_keys(stores: Stores) -> None:
    media = await add_image(stores.media, "same.bmp")
    same = [NewThumbnail(thumb.key, thumb.size) for thumb in media.thumbnails]

    replaced = await stores.media.replace_thumbnails(media.id, same)

    assert [thumb.key for thumb in replaced.thumbnails] == [thumb.key for thumb in media.thumbnails]


async def test_replace_thumbnails_refuses_a_key_of_another_object(stores: Stores) -> None:
    media = await add_image(stores.media, "mine.bmp")
    other = await add_image(stores.media, "theirs.bmp")

    with pytest.raises(DuplicateValue):
        await stores.media.replace_thumbnails(media.id, [NewThumbnail(other.thumbnails[0].key, 64)])
    assert await stores.media.get(media.id) == media


async def test_replace_thumbnails_of_an_unknown_id_is_not_found(stores: Stores) -> None:
    with pytest.raises(MediaNotFound):
        await stores.media.replace_thumbnails(424242, [NewThumbnail("k.png", 64)])


async def test_add_refuses_a_key_another_record_holds(stores: Stores) -> None:
    first = await add_image(stores.media, "taken.bmp")

    with pytest.raises(DuplicateValue):
        await add_image(stores.media, "taken.bmp")

    assert (await stores.media.find(Window(0, 10))).items == (first,)


async def test_alt_and_placeholder_default_to_empty_and_null_and_are_updated(
    stores: Stores,
) -> None:
    image = await add_image(stores.media, "alt.bmp")
    assert (image.alt, image.placeholder) == ("", None)

    changed = await stores.media.update(image.id, {"alt": "A bridge", "placeholder": "L00000"})
    only_alt = await stores.media.update(image.id, {"alt": "A river"})
    unchanged = await stores.media.update(image.id, {})

    assert changed is not None and (changed.alt, changed.placeholder) == ("A bridge", "L00000")
    assert only_alt is not None and (only_alt.alt, only_alt.placeholder) == ("A river", "L00000")
    assert unchanged == only_alt
    assert await stores.media.get(image.id) == only_alt
    assert await stores.media.update(424242, {"alt": "x"}) is None


async def test_the_owner_of_a_thumbnail_is_found_by_its_key(stores: Stores) -> None:
    image = await add_image(stores.media, "owner.bmp")
    thumbnail = image.thumbnails[1]

    found = await stores.media.owner_of_thumbnail(thumbnail.key)

    assert found is not None
    assert (found[0].id, found[1]) == (image.id, thumbnail)
    assert await stores.media.owner_of_thumbnail(image.key) is None
    assert await stores.media.owner_of_thumbnail("core_media/none.png") is None
