"""Images for the web, without I/O: BlurHash placeholders, the Accept negotiation, variant
keys, and changing a media object's alternative text."""

from __future__ import annotations

import pytest
from PIL import Image

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.adapters.pillow.blurhash import blurhash
from portfolio.application.changes import MEDIA, OPERATOR, UPDATE
from portfolio.application.media.keys import WebFormat, thumbnail_of_variant, variant_of
from portfolio.application.media.library import ChangeMedia
from portfolio.domain import MediaNotFound, Thumbnail
from portfolio.entrypoints.http.media.negotiation import chosen_variant
from portfolio.entrypoints.http.wire import ThumbnailData, VariantData, presenter
from tests.builders import add_document


def test_blurhash_matches_the_reference_encoder() -> None:
    # Expected values computed once with the reference implementation's Python port
    # (PyPI blurhash 1.1.5) on the same pixels; images up to 32 px are hashed as they are.
    gradient = Image.radial_gradient("L").resize((32, 24)).convert("RGB")
    assert blurhash(gradient) == "LVHC1Rt7~qxut7j[ofj[~qofofof"
    assert blurhash(Image.new("RGB", (10, 10), (255, 0, 0))) == "LWTI:j|cfQ|c|csUfQsUfQfQfQfQ"


def test_a_flat_image_has_no_detail_in_its_hash_and_4x3_components() -> None:
    hashed = blurhash(Image.new("RGBA", (300, 200), (10, 200, 30, 0)))
    assert len(hashed) == 28
    assert hashed[0] == "L"  # (4 - 1) + (3 - 1) * 9 = 21, base 83


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, None),
        ("", None),
        ("image/avif", WebFormat.AVIF),
        ("IMAGE/AVIF ; Q=1", WebFormat.AVIF),
        ("image/webp", WebFormat.WEBP),
        ("image/webp, image/avif;q=0.001", WebFormat.AVIF),
        ("image/avif;q=0", None),
        ("image/avif;q=0.000, image/webp", WebFormat.WEBP),
        ("image/avif;level=1;q=0, image/webp;q=0.", None),
        ("image/*, */*", None),
        ("text/html,application/xhtml+xml", None),
        ("\x00\xff;q=q;;,", None),
    ],
)
def test_the_negotiation_follows_the_edge_cache_s_rules(
    accept: str | None, chosen: WebFormat | None
) -> None:
    assert chosen_variant(accept) is chosen


def test_variant_keys_name_their_thumbnail() -> None:
    thumbnail = "core_media/2026/03/02/thumbnails/p_thumbnail_512x512.jpg"
    assert variant_of(f"{thumbnail}.avif") == (thumbnail, WebFormat.AVIF)
    assert thumbnail_of_variant(f"{thumbnail}.webp") == thumbnail
    assert thumbnail_of_variant(thumbnail) is None
    assert thumbnail_of_variant("core_media/2026/03/02/p.jpg.avif") is None
    webp = "core_media/2026/03/02/thumbnails/p_thumbnail_64x64.webp"
    assert thumbnail_of_variant(f"{webp}.webp") is None
    assert thumbnail_of_variant(f"{webp}.avif") == webp


async def test_an_alt_change_is_journalled_and_a_missing_media_is_not_found() -> None:
    database, journal = InMemoryDatabase(), InMemoryJournal()
    change = ChangeMedia(database.media, InMemoryTransactions(), journal)
    with pytest.raises(MediaNotFound):
        await change(424242, {"alt": "x"}, OPERATOR)
    with pytest.raises(MediaNotFound):
        await change(0, {"alt": "x"}, OPERATOR)
    document = await add_document(database.media, "a.pdf")

    assert (await change(document.id, {"alt": "Minutes"}, OPERATOR)).alt == "Minutes"
    await change(document.id, {}, OPERATOR)

    assert [
        (entry.action, entry.resource, entry.object_id, entry.changes)
        for entry in journal.entries.values()
    ] == [(UPDATE, MEDIA, document.id, ("alt",))]


# The cases tests/e2e/test_edge_cache.py sends through deploy/varnish/portfolio.vcl: the
# service chooses what the VCL reduces each Accept to, so the edge and the service agree.
VCL_CASES = [
    ("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", WebFormat.AVIF),
    ("image/avif,image/webp,*/*", WebFormat.AVIF),
    ("image/webp,image/avif,video/*;q=0.8,image/png,image/*;q=0.8,*/*;q=0.5", WebFormat.AVIF),
    ("IMAGE/AVIF", WebFormat.AVIF),
    ("image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5", WebFormat.WEBP),
    ("image/avif;q=0, image/webp", WebFormat.WEBP),
    ("image/avif ; level=1 ; q=0.0,image/webp;q=0.5", WebFormat.WEBP),
    ("*/*", None),
    ("image/*", None),
    ("image/avifx, image/webpy", None),
    ("text/html;;;,,,garbage ===", None),
    ("", None),
]


@pytest.mark.parametrize(("accept", "chosen"), VCL_CASES)
def test_the_service_chooses_what_the_vcl_normalizes_accept_to(
    accept: str, chosen: WebFormat | None
) -> None:
    assert chosen_variant(accept) is chosen
    # And the VCL's normalized value leads to the same choice once it reaches the service.
    assert chosen_variant(None if chosen is None else chosen.value) is chosen


@pytest.mark.parametrize(
    ("key", "formats"),
    [
        ("t/p_thumbnail_64x64.jpg", ["image/avif", "image/webp"]),
        ("t/p_thumbnail_64x64.webp", ["image/avif"]),
        ("t/p_thumbnail_64x64.avif", ["image/webp"]),
    ],
)
def test_a_thumbnail_is_presented_with_a_variant_in_each_other_web_format(
    key: str, formats: list[str]
) -> None:
    thumbnail = Thumbnail(id=7, key=key, size=64)
    shown = presenter(ThumbnailData, expand=True)(thumbnail, lambda stored: f"/media/{stored}")
    assert [variant.type for variant in thumbnail.variants] == formats
    assert shown.variants == [
        VariantData(variant.type, f"/media/{variant.key}") for variant in thumbnail.variants
    ]
    assert [variant.key for variant in thumbnail.variants] == [
        key + suffix for _, suffix in thumbnail.variant_formats
    ]
