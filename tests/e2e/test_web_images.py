"""Images for the web over HTTP (issue 21): thumbnails negotiated to AVIF or WebP at the same
URL, their variants in the media API, alternative text and placeholders."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from portfolio.domain import ALT_MAX_LENGTH
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests import media_samples
from tests.app_client import SameLoopClient
from tests.e2e.conftest import Callers, make_callers

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]
ORIGIN = "http://portfolio.test"
MEDIA = "/api/media/"
CHROMIUM_IMG_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"


async def uploaded(client: Client, callers: Callers, data: bytes, name: str) -> dict[str, Any]:
    """The media API's answer to uploading ``data``."""
    response = await client.post(MEDIA, headers=callers.admin, files={"file": (name, data)})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def path_of(url: str) -> str:
    """The path of a URL the app serves."""
    assert url.startswith(ORIGIN), url
    return url.removeprefix(ORIGIN)


@pytest.fixture
async def photo(client: Client, callers: Callers) -> dict[str, Any]:
    """An uploaded 2000x1500 JPEG."""
    return await uploaded(client, callers, media_samples.jpeg((2000, 1500)), "photo.jpg")


def thumbnail_path(photo: dict[str, Any], size: int = 512) -> str:
    """The served path of the photo's thumbnail of ``size``."""
    (thumb,) = [thumb for thumb in photo["thumbnails"] if thumb["size"] == size]
    return path_of(thumb["f"])


def decoded(response: httpx.Response) -> Image.Image:
    """The image a response carries."""
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


@pytest.mark.parametrize(
    ("accept", "media_type", "image_format"),
    [
        (CHROMIUM_IMG_ACCEPT, "image/avif", "AVIF"),
        ("image/avif", "image/avif", "AVIF"),
        ("image/webp,*/*", "image/webp", "WEBP"),
        ("image/avif;q=0, image/webp;q=0.5", "image/webp", "WEBP"),
        ("image/avif;q=0.1, image/webp", "image/avif", "AVIF"),
        ("image/avif;q=0.0, image/webp;q=0", "image/jpeg", "JPEG"),
        ("*/*", "image/jpeg", "JPEG"),
        ("image/*", "image/jpeg", "JPEG"),
        (";;,,=q=,image/avif;q=", "image/avif", "AVIF"),
        ("\x7fgarbage;;;q=zz, , ,", "image/jpeg", "JPEG"),
        ("", "image/jpeg", "JPEG"),
    ],
)
async def test_a_thumbnail_is_negotiated_at_its_own_url(
    client: Client,
    photo: dict[str, Any],
    accept: str,
    media_type: str,
    image_format: str,
) -> None:
    path = thumbnail_path(photo)
    stored = decoded(await client.get(path, headers={"Accept": "image/jpeg"}))

    response = await client.get(path, headers={"Accept": accept})

    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["vary"] == "Accept"
    image = decoded(response)
    assert (image.format, image.size) == (image_format, stored.size)
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["content-disposition"].startswith("inline")


async def test_without_an_accept_header_the_stored_format_is_sent(
    client: Client, photo: dict[str, Any]
) -> None:
    response = await client.get(thumbnail_path(photo), headers={"Accept": ""})
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["vary"] == "Accept"


async def test_each_variant_has_its_own_etag_and_is_stored_once_made(
    client: Client, photo: dict[str, Any], media_root: Path
) -> None:
    path = thumbnail_path(photo)
    tags = set()
    for accept in ("image/avif", "image/webp", "image/jpeg"):
        first = await client.get(path, headers={"Accept": accept})
        again = await client.get(path, headers={"Accept": accept})
        assert first.headers["etag"] == again.headers["etag"]
        assert first.content == again.content
        tags.add(first.headers["etag"])
    assert len(tags) == 3
    key = path.removeprefix("/media/")
    assert (media_root / f"{key}.avif").is_file()
    assert (media_root / f"{key}.webp").is_file()


async def test_a_conditional_get_of_a_variant_is_304_with_its_headers(
    client: Client, photo: dict[str, Any]
) -> None:
    path = thumbnail_path(photo)
    avif = await client.get(path, headers={"Accept": "image/avif"})

    same = await client.get(
        path, headers={"Accept": "image/avif", "If-None-Match": avif.headers["etag"]}
    )
    other = await client.get(
        path, headers={"Accept": "image/webp", "If-None-Match": avif.headers["etag"]}
    )

    assert (same.status_code, same.content) == (304, b"")
    assert same.headers["etag"] == avif.headers["etag"]
    assert "Accept" in same.headers["vary"].split(", ")
    assert other.status_code == 200
    assert other.headers["content-type"] == "image/webp"


async def test_head_and_ranges_of_a_variant_are_those_of_its_own_bytes(
    client: Client, photo: dict[str, Any]
) -> None:
    path = thumbnail_path(photo, 1080)
    avif = await client.get(path, headers={"Accept": "image/avif"})
    size = len(avif.content)

    head = await client.head(path, headers={"Accept": "image/avif"})
    part = await client.get(path, headers={"Accept": "image/avif", "Range": "bytes=10-19"})
    past = await client.get(path, headers={"Accept": "image/avif", "Range": f"bytes={size}-"})

    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(size)
    assert head.headers["content-type"] == "image/avif"
    assert head.headers["etag"] == avif.headers["etag"]
    assert part.status_code == 206
    assert part.content == avif.content[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{size}"
    assert part.headers["vary"] == "Accept"
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{size}"
    assert past.headers["vary"] == "Accept"


async def test_an_original_is_served_as_uploaded_whatever_the_accept(
    client: Client, photo: dict[str, Any]
) -> None:
    response = await client.get(path_of(photo["f"]), headers={"Accept": CHROMIUM_IMG_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert "vary" not in response.headers
    assert response.content == media_samples.jpeg((2000, 1500))


async def test_a_webp_original_has_an_avif_variant_only(client: Client, callers: Callers) -> None:
    data = media_samples.encoded(media_samples.quadrants((800, 600)), "WEBP")
    body = await uploaded(client, callers, data, "picture.webp")
    thumb = body["thumbnails"][0]

    assert [variant["type"] for variant in thumb["variants"]] == ["image/avif"]
    webp = await client.get(path_of(thumb["f"]), headers={"Accept": "image/webp"})
    assert webp.headers["content-type"] == "image/webp"


async def test_a_thumbnail_with_transparency_keeps_it_in_its_variants(
    client: Client, callers: Callers
) -> None:
    body = await uploaded(client, callers, media_samples.png((300, 200), "RGBA"), "logo.png")
    path = path_of(body["thumbnails"][1]["f"])
    for accept in ("image/avif", "image/webp"):
        image = decoded(await client.get(path, headers={"Accept": accept}))
        assert image.mode == "RGBA"


async def test_the_media_api_says_where_each_variant_is_for_a_picture_element(
    client: Client, callers: Callers, photo: dict[str, Any]
) -> None:
    retrieved = (await client.get(f"{MEDIA}{photo['id']}", headers=callers.admin)).json()

    assert retrieved == photo
    assert retrieved["alt"] == ""
    assert isinstance(retrieved["placeholder"], str) and len(retrieved["placeholder"]) == 28
    for thumb in retrieved["thumbnails"]:
        assert thumb["variants"] == [
            {"type": "image/avif", "f": f"{thumb['f']}.avif"},
            {"type": "image/webp", "f": f"{thumb['f']}.webp"},
        ]
        for variant in thumb["variants"]:
            # Fetched by its own URL (as <source srcset> does), the variant is what it says.
            response = await client.get(path_of(variant["f"]), headers={"Accept": "*/*"})
            assert response.status_code == 200
            assert response.headers["content-type"] == variant["type"]
            assert "vary" not in response.headers


async def test_a_file_that_is_not_an_image_has_a_null_placeholder(
    client: Client, callers: Callers
) -> None:
    body = await uploaded(client, callers, b"%PDF-1.7 minutes", "minutes.pdf")
    assert (body["placeholder"], body["alt"], body["thumbnails"]) == (None, "", [])


async def test_alt_text_is_changed_with_patch(
    client: Client, callers: Callers, photo: dict[str, Any]
) -> None:
    url = f"{MEDIA}{photo['id']}"
    alt = "The team on the roof of the new office"

    changed = await client.patch(url, headers=callers.admin, json={"alt": f"  {alt} "})
    longest = await client.patch(url, headers=callers.admin, json={"alt": "x" * ALT_MAX_LENGTH})
    nothing = await client.patch(url, headers=callers.admin, json={})

    assert changed.status_code == 200
    assert changed.json() == {**photo, "alt": alt}
    assert longest.json()["alt"] == "x" * ALT_MAX_LENGTH
    assert (nothing.status_code, nothing.json()["alt"]) == (200, "x" * ALT_MAX_LENGTH)
    retrieved = await client.get(url, headers=callers.admin)
    assert retrieved.json()["alt"] == "x" * ALT_MAX_LENGTH


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"alt": "x" * (ALT_MAX_LENGTH + 1)},
            {"alt": [f"Ensure this field has no more than {ALT_MAX_LENGTH} characters."]},
        ),
        ({"alt": None}, {"alt": ["This field may not be null."]}),
        ({"alt": 7}, {"alt": ["Not a valid string."]}),
        ({"name": "other"}, {"name": ["This field is read-only."]}),
        ({"placeholder": "x"}, {"placeholder": ["This field is read-only."]}),
    ],
)
async def test_a_refused_alt_change_is_400_and_changes_nothing(
    client: Client,
    callers: Callers,
    photo: dict[str, Any],
    body: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    url = f"{MEDIA}{photo['id']}"
    response = await client.patch(url, headers=callers.admin, json=body)

    assert (response.status_code, response.json()) == (400, errors)
    assert (await client.get(url, headers=callers.admin)).json() == photo


async def test_a_malformed_patch_body_is_400(
    client: Client, callers: Callers, photo: dict[str, Any]
) -> None:
    response = await client.patch(
        f"{MEDIA}{photo['id']}", headers=callers.admin, content=b"{not json"
    )
    assert response.status_code == 400


async def test_deleting_a_media_removes_its_variants_from_disk(
    client: Client, callers: Callers, photo: dict[str, Any], media_root: Path
) -> None:
    for thumb in photo["thumbnails"]:
        for accept in ("image/avif", "image/webp"):
            await client.get(path_of(thumb["f"]), headers={"Accept": accept})
    assert len(list(media_root.rglob("*.avif"))) == 4

    deleted = await client.delete(f"{MEDIA}{photo['id']}", headers=callers.admin)

    assert deleted.status_code == 204
    assert [path for path in media_root.rglob("*") if path.is_file()] == []


async def test_a_thumbnail_key_without_a_record_is_served_as_stored_or_404(
    client: Client, media_root: Path
) -> None:
    key = "core_media/2026/03/02/thumbnails/x_thumbnail_64x64.png"
    (media_root / key).parent.mkdir(parents=True)
    (media_root / key).write_bytes(media_samples.png((64, 40)))

    stray = await client.get(f"/media/{key}", headers={"Accept": "image/avif"})
    missing = await client.get(f"/media/{key}.x.png", headers={"Accept": "image/avif"})
    gone = await client.get(
        "/media/core_media/2026/03/02/thumbnails/y_thumbnail_64x64.png",
        headers={"Accept": "image/avif"},
    )

    assert (stray.status_code, stray.headers["content-type"]) == (200, "image/png")
    assert stray.headers["vary"] == "Accept"
    assert missing.status_code == 404
    assert gone.status_code == 404


async def test_when_a_cdn_serves_the_files_the_upload_makes_every_variant(
    clean_database: str, media_root: Path
) -> None:
    settings = Settings(media_root=media_root, media_base_url="https://cdn.example/media/")
    container = Container(settings=settings, database_url=clean_database)
    async with SameLoopClient(create_app(container), base_url=ORIGIN) as client:
        callers = await make_callers(container)
        body = await uploaded(client, callers, media_samples.jpeg((900, 600)), "cdn.jpg")

    for thumb in body["thumbnails"]:
        for variant in thumb["variants"]:
            assert variant["f"].startswith("https://cdn.example/media/")
            key = variant["f"].removeprefix("https://cdn.example/media/")
            assert (media_root / key).is_file()


@pytest.mark.parametrize(
    "path",
    [
        "/media/core_media/thumbnails/%00_thumbnail_64x64.jpg",
        "/media/core_media/thumbnails/a\\b_thumbnail_64x64.jpg",
        "/media/core_media/thumbnails/" + "x" * 300 + "_thumbnail_64x64.jpg",
        "/media/core_media/thumbnails/x_thumbnail_64x64.jpg.avif",
        "/media/core_media/thumbnails/x_thumbnail_64x64.webp.webp",
        "/media/../thumbnails/x_thumbnail_64x64.jpg",
    ],
)
async def test_hostile_thumbnail_keys_are_404_never_500(client: Client, path: str) -> None:
    response = await client.get(path, headers={"Accept": CHROMIUM_IMG_ACCEPT})
    assert response.status_code == 404
