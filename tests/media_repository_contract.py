"""MediaRepository contract tests, run against the in-memory and the Postgres adapter.

A test class inherits MediaRepositoryContract and provides ``catalogue`` (a Catalogue) and
``repository`` (a MediaRepository over the same records), both empty.
"""

from __future__ import annotations

import pytest

from portfolio.application import (
    Catalogue,
    EmployerFields,
    LinkFields,
    MediaRepository,
    MetaFields,
    NewMedia,
    NewThumbnail,
    PortfolioFields,
    TagFields,
    Window,
)
from portfolio.domain import (
    THUMBNAIL_SIZES,
    DuplicateValue,
    InUse,
    Media,
    MediaNotFound,
    Referrer,
)


async def add_image(catalogue: Catalogue, stem: str) -> Media:
    """Record an image with its four thumbnails (the files themselves are not needed here)."""
    return await catalogue.add_media(
        NewMedia(
            key=f"core_media/2026/03/02/{stem}.png",
            type="image/png",
            name=f"{stem}.png",
            size=1234,
            width=200,
            height=100,
            mode="RGB",
            thumbnails=tuple(
                NewThumbnail(f"core_media/2026/03/02/thumbnails/{stem}_thumbnail_{s}x{s}.png", s)
                for s in THUMBNAIL_SIZES
            ),
        )
    )


async def add_document(catalogue: Catalogue, stem: str) -> Media:
    """Record a plain file."""
    return await catalogue.add_media(
        NewMedia(
            key=f"core_media/2026/03/02/{stem}.pdf",
            type="application/pdf",
            name=f"{stem}.pdf",
            size=99,
        )
    )


class MediaRepositoryContract:
    """What every MediaRepository does."""

    async def test_get_returns_the_object_with_its_thumbnails(
        self, catalogue: Catalogue, repository: MediaRepository
    ) -> None:
        added = await add_image(catalogue, "a")

        got = await repository.get(added.id)

        assert got is not None
        assert (got.key, got.type, got.width, got.height, got.mode) == (
            added.key,
            "image/png",
            200,
            100,
            "RGB",
        )
        assert [(thumb.size, thumb.key) for thumb in got.thumbnails] == [
            (thumb.size, thumb.key) for thumb in added.thumbnails
        ]

    async def test_referenced_keys_are_those_an_original_or_a_thumbnail_names(
        self, catalogue: Catalogue, repository: MediaRepository
    ) -> None:
        image = await add_image(catalogue, "kept")
        document = await add_document(catalogue, "paper")
        thumbnail = image.thumbnails[0].key
        stray = "core_media/2026/03/02/stray.png"

        found = await repository.referenced_keys([image.key, thumbnail, stray, document.key])

        assert found == {image.key, thumbnail, document.key}
        assert await repository.referenced_keys([]) == frozenset()

    async def test_get_of_an_unknown_id_is_none(self, repository: MediaRepository) -> None:
        assert await repository.get(424242) is None

    async def test_pages_come_newest_first_with_the_total(
        self, catalogue: Catalogue, repository: MediaRepository
    ) -> None:
        added = [await add_image(catalogue, f"m{index}") for index in range(5)]
        newest_first = [media.id for media in reversed(added)]

        first = await repository.find(Window(0, 2))
        second = await repository.find(Window(2, 2))
        last = await repository.find(Window(4, 2))

        assert [media.id for media in first.items] == newest_first[:2]
        assert [media.id for media in second.items] == newest_first[2:4]
        assert [media.id for media in last.items] == newest_first[4:]
        assert first.total == second.total == last.total == 5
        assert len(first.items[0].thumbnails) == 4

    async def test_a_page_past_the_end_is_empty_but_still_counts(
        self, catalogue: Catalogue, repository: MediaRepository
    ) -> None:
        await add_document(catalogue, "only")

        page = await repository.find(Window(10, 5))

        assert (page.items, page.total) == ((), 1)

    async def test_an_empty_library_has_an_empty_first_page(
        self, repository: MediaRepository
    ) -> None:
        page = await repository.find(Window(0, 20))
        assert (page.items, page.total) == ((), 0)

    async def test_image_ids_skip_documents_and_resume_after_an_id(
        self, catalogue: Catalogue, repository: MediaRepository
    ) -> None:
        first = await add_image(catalogue, "one")
        await add_document(catalogue, "doc")
        second = await add_image(catalogue, "two")
        third = await add_image(catalogue, "three")

        assert await repository.image_ids(0, 10) == (first.id, second.id, third.id)
        assert await repository.image_ids(first.id, 1) == (second.id,)
        assert await repository.image_ids(third.id, 10) == ()

    async def test_delete_removes_the_object_and_returns_its_keys(
        self, catalogue: Catalogue, repository: MediaRepository
    ) -> None:
        added = await add_image(catalogue, "gone")
        kept = await add_document(catalogue, "kept")

        deleted = await repository.delete(added.id)

        assert deleted.key == added.key
        assert {thumb.key for thumb in deleted.thumbnails} == {
            thumb.key for thumb in added.thumbnails
        }
        assert await repository.get(added.id) is None
        assert (await repository.find(Window(0, 10))).total == 1
        assert await repository.get(kept.id) is not None

    async def test_delete_of_an_unknown_id_is_not_found(self, repository: MediaRepository) -> None:
        with pytest.raises(MediaNotFound):
            await repository.delete(424242)

    async def test_delete_is_refused_naming_the_first_five_referrers_and_counting_all(
        self, catalogue: Catalogue, repository: MediaRepository
    ) -> None:
        media = await add_image(catalogue, "shared")
        employer = await catalogue.add_employer(EmployerFields("digikala", image_id=media.id))
        tag = await catalogue.add_tag(TagFields("web", image_id=media.id))
        link = await catalogue.add_link(LinkFields("site", image_id=media.id))
        meta = await catalogue.add_meta(MetaFields("brief", value_file_id=media.id))
        cover = await catalogue.add_portfolio(PortfolioFields("Cover", "cover", image_id=media.id))
        gallery = await catalogue.add_portfolio(
            PortfolioFields("Gallery", "gallery", image_ids=(media.id,))
        )

        with pytest.raises(InUse) as refused:
            await repository.delete(media.id)

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
        assert await repository.get(media.id) is not None

    async def test_one_reference_is_enough_to_refuse(
        self, catalogue: Catalogue, repository: MediaRepository
    ) -> None:
        media = await add_document(catalogue, "brief")
        meta = await catalogue.add_meta(MetaFields("brief", value_file_id=media.id))

        with pytest.raises(InUse) as refused:
            await repository.delete(media.id)
        assert refused.value.referrers == (Referrer("meta", meta.id, field="value_file"),)

    async def test_replace_thumbnails_swaps_every_thumbnail_record(
        self, catalogue: Catalogue, repository: MediaRepository
    ) -> None:
        media = await add_image(catalogue, "redo")
        new = [NewThumbnail(f"core_media/new_{size}.png", size) for size in (1080, 64)]

        replaced = await repository.replace_thumbnails(media.id, new)

        assert [(thumb.size, thumb.key) for thumb in replaced.thumbnails] == [
            (64, "core_media/new_64.png"),
            (1080, "core_media/new_1080.png"),
        ]
        assert not {thumb.id for thumb in replaced.thumbnails} & {
            thumb.id for thumb in media.thumbnails
        }
        assert await repository.get(media.id) == replaced

    async def test_replace_thumbnails_may_reuse_the_object_s_own_keys(
        self, catalogue: Catalogue, repository: MediaRepository
    ) -> None:
        media = await add_image(catalogue, "same")
        same = [NewThumbnail(thumb.key, thumb.size) for thumb in media.thumbnails]

        replaced = await repository.replace_thumbnails(media.id, same)

        assert [thumb.key for thumb in replaced.thumbnails] == [
            thumb.key for thumb in media.thumbnails
        ]

    async def test_replace_thumbnails_refuses_a_key_of_another_object(
        self, catalogue: Catalogue, repository: MediaRepository
    ) -> None:
        media = await add_image(catalogue, "mine")
        other = await add_image(catalogue, "theirs")

        with pytest.raises(DuplicateValue):
            await repository.replace_thumbnails(
                media.id, [NewThumbnail(other.thumbnails[0].key, 64)]
            )
        assert await repository.get(media.id) == media

    async def test_replace_thumbnails_of_an_unknown_id_is_not_found(
        self, repository: MediaRepository
    ) -> None:
        with pytest.raises(MediaNotFound):
            await repository.replace_thumbnails(424242, [NewThumbnail("k.png", 64)])
