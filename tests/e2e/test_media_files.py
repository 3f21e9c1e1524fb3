"""``/media/``: stored files with their real type, safe headers, and nothing outside the root."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from tests.media_samples import png

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]
KEY = "core_media/2026/03/02/cover.png"


@pytest.fixture
def stored(media_root: Path) -> Path:
    """A PNG, a PDF, and stray HTML, SVG and misnamed files in the media root."""
    path = media_root / KEY
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (media_root / "core_media/2026/03/02/brochure.pdf").write_bytes(b"%PDF-1.7 ...")
    (media_root / "core_media/2026/03/02/page.html").write_bytes(b"<script>alert(1)</script>")
    (media_root / "core_media/2026/03/02/logo.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    (media_root / "core_media/2026/03/02/photo.jpg").write_bytes(png())
    return path


async def test_images_are_served_inline_with_type_nosniff_and_long_cache(
    client: Client, stored: Path
) -> None:
    response = await client.get(f"/media/{KEY}")
    assert response.status_code == 200
    assert response.content == stored.read_bytes()
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.headers["content-length"] == str(stored.stat().st_size)


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("brochure.pdf", "application/pdf"),
        ("page.html", "text/plain"),
        ("logo.svg", "text/plain"),
        ("photo.jpg", "image/png"),
    ],
)
async def test_the_type_comes_from_the_bytes_never_the_name(
    client: Client, stored: Path, name: str, media_type: str
) -> None:
    response = await client.get(f"/media/core_media/2026/03/02/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("name", ["brochure.pdf", "page.html", "logo.svg"])
async def test_anything_but_an_image_is_a_download(client: Client, stored: Path, name: str) -> None:
    response = await client.get(f"/media/core_media/2026/03/02/{name}")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "path",
    [
        "/media/core_media/2026/03/02/missing.png",
        "/media/core_media/2026/03/02",
        "/media/core_media/2026/03/02/",
        "/media/../pyproject.toml",
        "/media/%2e%2e/%2e%2e/etc/passwd",
        "/media/core_media/..%2f..%2f..%2fetc%2fpasswd",
        "/media//etc/passwd",
        "/media/core_media/2026/03/02/cover.png%00.txt",
        "/media/core_media\\..\\..\\etc\\passwd",
    ],
)
async def test_missing_files_and_escapes_from_the_root_are_404(
    client: Client, stored: Path, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


async def test_symlink_out_of_the_root_is_404(client: Client, media_root: Path) -> None:
    (media_root / "core_media").mkdir()
    (media_root / "core_media" / "escape.txt").symlink_to("/etc/hostname")
    response = await client.get("/media/core_media/escape.txt")
    assert response.status_code == 404


async def test_head_gives_the_headers_of_get_without_a_body(client: Client, stored: Path) -> None:
    response = await client.head(f"/media/{KEY}")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-length"] == str(stored.stat().st_size)


@pytest.mark.parametrize(
    ("header", "content_range", "part"),
    [
        ("bytes=0-3", "bytes 0-3/18", slice(0, 4)),
        ("bytes=4-", "bytes 4-17/18", slice(4, 18)),
        ("bytes=-5", "bytes 13-17/18", slice(13, 18)),
        ("bytes=10-1000", "bytes 10-17/18", slice(10, 18)),
    ],
)
async def test_one_byte_range_is_answered_206_with_its_content_range(
    client: Client, stored: Path, header: str, content_range: str, part: slice
) -> None:
    response = await client.get(f"/media/{KEY}", headers={"Range": header})
    assert response.status_code == 206
    assert response.content == stored.read_bytes()[part]
    assert response.headers["content-range"] == content_range
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_range_past_the_end_is_416_with_the_size(client: Client, stored: Path) -> None:
    response = await client.get(f"/media/{KEY}", headers={"Range": "bytes=18-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */18"
    assert response.content == b""


@pytest.mark.parametrize(
    "headers",
    [
        {"Range": "bytes=0-1,4-5"},
        {"Range": "lines=1-2"},
        {"Range": "bytes=5-2"},
        {"Range": "bytes=0-3", "If-Range": '"some-etag"'},
    ],
)
async def test_ranges_it_does_not_serve_get_the_whole_file(
    client: Client, stored: Path, headers: dict[str, str]
) -> None:
    response = await client.get(f"/media/{KEY}", headers=headers)
    assert response.status_code == 200
    assert response.content == stored.read_bytes()
    assert response.headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize(
    "hidden",
    [".incoming-abc123", "core_media/2026/03/02/.incoming-x1", "core_media/.cache/cover.png"],
)
async def test_hidden_files_in_the_media_root_are_never_served(
    client: Client, stored: Path, media_root: Path, hidden: str
) -> None:
    # Unfinished writes of older versions lived beside the files, named ".incoming-...";
    # no stored key ever has a part that starts with a dot.
    (media_root / hidden).parent.mkdir(parents=True, exist_ok=True)
    (media_root / hidden).write_bytes(png())
    response = await client.get(f"/media/{hidden}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
