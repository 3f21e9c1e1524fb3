"""``/api/media/`` over HTTP against Postgres and a media root on disk: uploads, refusals that
leave nothing behind, the library's pages and deletes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import psycopg
import pytest
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.http.media.uploads import FRAMING_ALLOWANCE
from portfolio.entrypoints.settings import Settings
from tests import media_samples
from tests.e2e.conftest import Callers

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]
ORIGIN = "http://portfolio.test"
MEDIA = "/api/media/"
# Small enough to go over cheaply, large enough for every sample image.
LIMIT = 200_000


@pytest.fixture
def settings(media_root: Path) -> Settings:
    """Settings with a small upload limit."""
    return Settings(media_root=media_root, max_upload_bytes=LIMIT)


async def upload(
    client: Client,
    headers: dict[str, str],
    data: bytes,
    file_name: str = "photo.png",
    **fields: str,
) -> httpx.Response:
    """POST one file (and any text fields) as multipart."""
    return await client.post(MEDIA, headers=headers, files={"file": (file_name, data)}, data=fields)


def key_of(url: str) -> str:
    """The stored key inside a media URL served by the app."""
    prefix = f"{ORIGIN}/media/"
    assert url.startswith(prefix), url
    return url.removeprefix(prefix)


def stored_files(media_root: Path) -> list[Path]:
    """Every file under the media root."""
    return sorted(path for path in media_root.rglob("*") if path.is_file())


def rows(database: str) -> tuple[int, int]:
    """How many media and thumbnail rows the database holds."""
    with psycopg.connect(database) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM media), (SELECT count(*) FROM thumbnails)"
        ).fetchone()
    assert row is not None
    return row[0], row[1]


Part = tuple[str, str | None, bytes]
"""A multipart part: field name, file name (None for a text field) and content."""


def multipart(*parts: Part) -> tuple[dict[str, str], bytes]:
    """A multipart body made by hand (httpx would send text-only fields urlencoded)."""
    chunks = []
    for name, file_name, content in parts:
        disposition = f'form-data; name="{name}"'
        if file_name is not None:
            disposition += f'; filename="{file_name}"'
        chunks.append(f"--b\r\nContent-Disposition: {disposition}\r\n\r\n".encode())
        chunks.append(content + b"\r\n")
    body = b"".join(chunks) + b"--b--\r\n"
    return {"Content-Type": "multipart/form-data; boundary=b"}, body


PNG = media_samples.png()
INVALID_IMAGE = "Upload a valid image."
DAMAGED = "cannot be read: its data is damaged or incomplete."
BAD_HEADER = "cannot be read: its header is not valid."
NOT_A_FILE = "The submitted data was not a file. Check the encoding type on the form."


# Uploads


async def test_an_uploaded_image_is_on_disk_with_four_thumbnails_and_shown_the_same_everywhere(
    client: Client, callers: Callers, media_root: Path
) -> None:
    data = media_samples.jpeg((1600, 1200))
    response = await upload(client, callers.admin, data, "Team photo.jpg")

    assert response.status_code == 201
    body = response.json()
    assert list(body) == [
        "id",
        "type",
        "name",
        "size",
        "human_readable_size",
        "f",
        "width",
        "height",
        "mode",
        "thumbnails",
        "alt",
        "placeholder",
    ]
    assert {key: body[key] for key in ("type", "name", "size", "width", "height", "mode")} == {
        "type": "image/jpeg",
        "name": "Team photo.jpg",
        "size": len(data),
        "width": 1600,
        "height": 1200,
        "mode": "RGB",
    }
    assert [thumb["size"] for thumb in body["thumbnails"]] == [64, 128, 512, 1080]
    original = media_root / key_of(body["f"])
    assert original.read_bytes() == data
    thumbnails = [media_root / key_of(thumb["f"]) for thumb in body["thumbnails"]]
    assert stored_files(media_root) == sorted([original, *thumbnails])
    widths = [media_samples.thumbnail_image(path.read_bytes()).size for path in thumbnails]
    assert widths == [(64, 48), (128, 96), (512, 384), (1080, 810)]

    retrieved = await client.get(f"{MEDIA}{body['id']}", headers=callers.admin)
    assert retrieved.json() == body
    portfolio = await client.post(
        "/api/portfolios/",
        headers=callers.admin,
        json={"title": "Shown", "image": body["id"], "images": [body["id"]]},
    )
    # A portfolio shows its images in the seed's shape: without alt, placeholder, variants.
    seed_shape = {
        **{key: value for key, value in body.items() if key not in ("alt", "placeholder")},
        "thumbnails": [
            {key: value for key, value in thumb.items() if key != "variants"}
            for thumb in body["thumbnails"]
        ],
    }
    assert portfolio.json()["image_data"] == seed_shape
    assert portfolio.json()["images_data"] == [seed_shape]
    served = await client.get(f"/media/{key_of(body['f'])}")
    assert (served.status_code, served.content) == (200, data)
    assert served.headers["content-type"] == "image/jpeg"


async def test_the_name_field_sets_the_shown_name_and_the_file_name_still_names_the_key(
    client: Client, callers: Callers
) -> None:
    response = await upload(client, callers.admin, media_samples.png(), "logo.png", name=" Brand ")
    assert response.status_code == 201
    assert response.json()["name"] == "Brand"
    assert key_of(response.json()["f"]).endswith("/logo.png")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Before/After shot", "Before/After shot"),
        ("AC\\DC tour", "AC\\DC tour"),
        ("a\u202eb", "ab"),
    ],
)
async def test_a_chosen_name_is_shown_whole_but_without_hidden_characters(
    client: Client, callers: Callers, name: str, shown: str
) -> None:
    response = await upload(client, callers.admin, media_samples.png(), "x/../logo.png", name=name)
    assert response.status_code == 201
    assert response.json()["name"] == shown
    assert key_of(response.json()["f"]).endswith("/logo.png")


async def test_a_blank_name_shows_the_file_name(client: Client, callers: Callers) -> None:
    response = await upload(client, callers.admin, media_samples.png(), "logo.png", name="  ")
    assert response.json()["name"] == "logo.png"


async def test_a_document_is_stored_as_it_is_without_dimensions_or_thumbnails(
    client: Client, callers: Callers, media_root: Path
) -> None:
    response = await upload(client, callers.admin, media_samples.pdf(), "brochure.pdf")

    assert response.status_code == 201
    body = response.json()
    assert (body["type"], body["width"], body["height"], body["mode"]) == (
        "application/pdf",
        None,
        None,
        None,
    )
    assert body["thumbnails"] == []
    assert stored_files(media_root) == [media_root / key_of(body["f"])]


async def test_uploads_racing_with_one_name_get_distinct_keys(
    client: Client, callers: Callers, media_root: Path
) -> None:
    images = [media_samples.png((100 + index, 80)) for index in range(4)]

    async def race(direct: httpx.AsyncClient) -> list[httpx.Response]:
        return await asyncio.gather(
            *(
                direct.post(MEDIA, headers=callers.admin, files={"file": ("same.png", image)})
                for image in images
            )
        )

    # The client serves on this loop: the four requests are in flight at once.
    responses = await race(client)

    assert [response.status_code for response in responses] == [201] * 4
    keys = [key_of(response.json()["f"]) for response in responses]
    assert len(set(keys)) == 4
    for key, image in zip(keys, images, strict=True):
        assert (media_root / key).read_bytes() == image
    assert len(stored_files(media_root)) == 4 * 5


# Refusals: a clear 400 and nothing left behind


@pytest.mark.parametrize(
    ("file_name", "data", "message"),
    [
        ("empty.png", b"", "The submitted file is empty."),
        ("cut.png", media_samples.png()[:60], f"{INVALID_IMAGE} The PNG image {DAMAGED}"),
        ("cut.jpg", media_samples.jpeg()[:400], f"{INVALID_IMAGE} The JPEG image {DAMAGED}"),
        ("noise.gif", b"GIF89a" + b"\x00" * 40, f"{INVALID_IMAGE} The GIF image {BAD_HEADER}"),
        (
            "bomb.png",
            media_samples.png_bomb(),
            f"{INVALID_IMAGE} The image has more than the 50,000,000 pixels accepted.",
        ),
        (
            "photo.jpg",
            media_samples.png(),
            'The file name ends in ".jpg" but the content is a PNG image.',
        ),
        (
            "notes.png",
            b"plain words",
            'The file name ends in ".png" but the content is plain text.',
        ),
    ],
)
async def test_a_refused_file_gets_400_naming_the_problem_and_leaves_nothing(
    client: Client,
    callers: Callers,
    media_root: Path,
    clean_database: str,
    file_name: str,
    data: bytes,
    message: str,
) -> None:
    response = await upload(client, callers.admin, data, file_name)

    assert response.status_code == 400
    assert response.json() == {"file": [message]}
    assert stored_files(media_root) == []
    assert rows(clean_database) == (0, 0)


@pytest.mark.parametrize(
    ("parts", "errors"),
    [
        ([("name", None, b"No file")], {"file": ["No file was submitted."]}),
        ([], {"file": ["No file was submitted."]}),
        ([("file", None, b"")], {"file": ["No file was submitted."]}),
        ([("file", None, b"just text")], {"file": [NOT_A_FILE]}),
        (
            [("file", "a.png", PNG), ("file", "b.png", PNG)],
            {"file": ["Expected a single value but got 2."]},
        ),
        (
            [("file", "a.png", PNG), ("name", None, b"n" * 256)],
            {"name": ["Ensure this field has no more than 255 characters."]},
        ),
        (
            [("file", "a.png", PNG), ("name", "n.png", PNG)],
            {"name": ["Not a valid string."]},
        ),
        (
            [("file", "a.png", PNG), ("id", None, b"7"), ("caption", None, b"x")],
            {"caption": ["Unknown field."], "id": ["This field is read-only."]},
        ),
    ],
)
async def test_missing_repeated_unknown_or_malformed_fields_get_drf_field_errors(
    client: Client,
    callers: Callers,
    media_root: Path,
    clean_database: str,
    parts: list[Part],
    errors: dict[str, list[str]],
) -> None:
    headers, body = multipart(*parts)

    response = await client.post(MEDIA, headers={**callers.admin, **headers}, content=body)

    assert response.status_code == 400
    assert response.json() == errors
    assert stored_files(media_root) == []
    assert rows(clean_database) == (0, 0)


@pytest.mark.parametrize(
    ("headers", "content", "detail"),
    [
        (
            {"Content-Type": "application/json"},
            b'{"file": "x"}',
            'The body must be multipart/form-data with the file in the field "file"; '
            'it was sent as "application/json".',
        ),
        (
            {},
            b"",
            'The body must be multipart/form-data with the file in the field "file"; '
            "it was sent without a type.",
        ),
        (
            {"Content-Type": "multipart/form-data"},
            b"--x\r\n",
            "Multipart form parse error - the Content-Type names no boundary.",
        ),
        (
            {"Content-Type": "multipart/form-data; boundary=x"},
            b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG',
            "Multipart form parse error - the body is not well-formed multipart data.",
        ),
        (
            {"Content-Type": "multipart/form-data; boundary=x"},
            b"--x\r\nnot a header line\r\n\r\nx\r\n--x--\r\n",
            "Multipart form parse error - the body is not well-formed multipart data.",
        ),
        (
            {"Content-Type": "multipart/form-data; boundary=x"},
            b'--x\r\nContent-Disposition: form-data; name="name"; charset=utf-8\r\n\r\n\xff\xfe'
            b"\r\n--x--\r\n",
            "Multipart form parse error - a text part is not valid in its charset.",
        ),
        (
            {"Content-Type": "multipart/form-data; boundary=b"},
            multipart(*[(f"f{index}", None, b"x") for index in range(17)])[1],
            "Multipart form parse error - more than 16 parts.",
        ),
    ],
)
async def test_a_body_that_is_not_multipart_or_is_broken_gets_400_detail(
    client: Client,
    callers: Callers,
    media_root: Path,
    headers: dict[str, str],
    content: bytes,
    detail: str,
) -> None:
    response = await client.post(MEDIA, headers={**callers.admin, **headers}, content=content)

    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert stored_files(media_root) == []


# Too large: 413 without holding the body


async def test_a_file_of_exactly_the_limit_is_accepted(client: Client, callers: Callers) -> None:
    response = await upload(client, callers.admin, b"x" * LIMIT, "big.txt")
    assert (response.status_code, response.json()["size"]) == (201, LIMIT)


async def test_a_file_over_the_limit_is_413_and_leaves_nothing(
    client: Client, callers: Callers, media_root: Path, clean_database: str
) -> None:
    response = await upload(client, callers.admin, b"x" * (LIMIT + 1), "big.txt")

    assert response.status_code == 413
    assert response.json() == {"detail": "The file is larger than the 195.31 KB accepted."}
    assert stored_files(media_root) == []
    assert rows(clean_database) == (0, 0)


async def test_a_body_announcing_more_than_the_limit_is_413_before_it_is_read(
    client: Client, callers: Callers
) -> None:
    response = await upload(client, callers.admin, b"x" * (LIMIT + FRAMING_ALLOWANCE), "big.txt")

    assert response.status_code == 413
    assert response.json() == {"detail": "The upload is larger than the 195.31 KB accepted."}


FILE_PART = (
    b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
)


@pytest.mark.parametrize(
    ("head", "detail", "read_at_most"),
    [
        (FILE_PART, "The file is larger than the 195.31 KB accepted.", LIMIT),
        (b"", "The upload is larger than the 195.31 KB accepted.", LIMIT + FRAMING_ALLOWANCE),
    ],
    ids=["a file part", "no part at all"],
)
async def test_a_streamed_body_without_length_is_cut_off_at_the_limit(
    client: Client,
    callers: Callers,
    media_root: Path,
    clean_database: str,
    head: bytes,
    detail: str,
    read_at_most: int,
) -> None:
    chunk = 16 * 1024
    sent: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        yield head
        for _ in range(10 * LIMIT // chunk):
            sent.append(chunk)
            yield b"x" * chunk

    async def post(direct: httpx.AsyncClient) -> httpx.Response:
        request = direct.build_request(
            "POST",
            MEDIA,
            headers={**callers.admin, "Content-Type": "multipart/form-data; boundary=x"},
            content=body(),
        )
        assert "content-length" not in request.headers
        return await direct.send(request)

    response = await post(client)

    assert response.status_code == 413
    assert response.json() == {"detail": detail}
    assert sum(sent) <= read_at_most + chunk
    assert stored_files(media_root) == []
    assert rows(clean_database) == (0, 0)


async def test_a_text_part_too_large_to_be_a_name_is_413(client: Client, callers: Callers) -> None:
    headers, body = multipart(("file", "a.png", PNG), ("name", None, b"n" * 20_000))

    response = await client.post(MEDIA, headers={**callers.admin, **headers}, content=body)

    assert response.status_code == 413
    assert response.json() == {"detail": 'The part "name" is larger than the 16.00 KB accepted.'}


# The library


async def test_the_library_is_listed_newest_first_in_drf_pages(
    client: Client, callers: Callers
) -> None:
    uploaded = [
        (await upload(client, callers.admin, media_samples.png(), f"p{index}.png")).json()
        for index in range(3)
    ]

    first = await client.get(f"{MEDIA}?page_size=2", headers=callers.admin)
    second = await client.get(f"{MEDIA}?page=2&page_size=2", headers=callers.admin)

    assert first.json() == {
        "count": 3,
        "next": f"{ORIGIN}/api/media/?page=2&page_size=2",
        "previous": None,
        "results": [uploaded[2], uploaded[1]],
    }
    assert second.json() == {
        "count": 3,
        "next": None,
        "previous": f"{ORIGIN}/api/media/?page_size=2",
        "results": [uploaded[0]],
    }


async def test_an_empty_library_has_an_empty_first_page(client: Client, callers: Callers) -> None:
    response = await client.get(MEDIA, headers=callers.admin)
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


async def test_page_size_defaults_to_20_and_stops_at_100(client: Client, callers: Callers) -> None:
    for index in range(3):
        await upload(client, callers.admin, media_samples.pdf(), f"d{index}.pdf")
    for query, shown in [
        ("", 3),
        ("?page_size=1000", 3),
        ("?page_size=abc", 3),
        ("?page_size=1", 1),
    ]:
        response = await client.get(f"{MEDIA}{query}", headers=callers.admin)
        assert len(response.json()["results"]) == shown, query


@pytest.mark.parametrize("page", ["2", "0", "-1", "abc", "last", "9" * 30])
async def test_a_page_past_the_end_or_malformed_is_404_invalid_page(
    client: Client, callers: Callers, page: str
) -> None:
    await upload(client, callers.admin, media_samples.png())
    response = await client.get(f"{MEDIA}?page={page}", headers=callers.admin)
    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


async def test_deleting_removes_the_record_and_every_file(
    client: Client, callers: Callers, media_root: Path, clean_database: str
) -> None:
    body = (await upload(client, callers.admin, media_samples.png())).json()
    assert len(stored_files(media_root)) == 5

    response = await client.delete(f"{MEDIA}{body['id']}", headers=callers.admin)

    assert (response.status_code, response.content) == (204, b"")
    assert stored_files(media_root) == []
    assert rows(clean_database) == (0, 0)
    assert (await client.get(f"{MEDIA}{body['id']}", headers=callers.admin)).status_code == 404
    assert (await client.get(f"/media/{key_of(body['f'])}")).status_code == 404
    again = await client.delete(f"{MEDIA}{body['id']}", headers=callers.admin)
    assert (again.status_code, again.json()) == (404, {"detail": "Not found."})


async def test_deleting_media_still_referred_to_is_409_naming_the_referrers_and_keeps_it(
    client: Client, callers: Callers, media_root: Path
) -> None:
    body = (await upload(client, callers.admin, media_samples.png())).json()
    portfolio = await client.post(
        "/api/portfolios/", headers=callers.admin, json={"title": "Uses it", "images": [body["id"]]}
    )
    tag = await client.post(
        "/api/tags/", headers=callers.admin, json={"name": "brand", "image": body["id"]}
    )

    refused = await client.delete(f"{MEDIA}{body['id']}", headers=callers.admin)

    assert refused.status_code == 409
    assert refused.json() == {
        "detail": (
            f"Media {body['id']} cannot be deleted: it is used by "
            f"portfolio {portfolio.json()['id']} (images), tag {tag.json()['id']} (image)."
        )
    }
    assert len(stored_files(media_root)) == 5
    assert (await client.get(f"{MEDIA}{body['id']}", headers=callers.admin)).json() == body

    # In the trash a portfolio still holds its media; purged from it, it holds nothing.
    await client.delete(f"/api/portfolios/{portfolio.json()['id']}", headers=callers.admin)
    await client.delete(f"/api/portfolios/trash/{portfolio.json()['id']}", headers=callers.admin)
    await client.delete(f"/api/tags/{tag.json()['id']}", headers=callers.admin)
    deleted = await client.delete(f"{MEDIA}{body['id']}", headers=callers.admin)
    assert deleted.status_code == 204
    assert stored_files(media_root) == []


async def test_a_client_hanging_up_mid_upload_leaves_nothing_and_no_server_error(
    client: Client,
    callers: Callers,
    media_root: Path,
    clean_database: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    content_type, body = multipart(("file", "photo.png", PNG))
    headers = [
        (b"host", b"portfolio.test"),
        (b"content-type", content_type["Content-Type"].encode()),
        *((name.lower().encode(), value.encode()) for name, value in callers.admin.items()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": MEDIA,
        "raw_path": MEDIA.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("portfolio.test", 80),
        "state": {},
    }
    events = iter(
        [
            {"type": "http.request", "body": body[: len(body) // 2], "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent: list[dict[str, object]] = []

    async def hang_up() -> None:
        async def receive() -> dict[str, object]:
            return next(events, {"type": "http.disconnect"})

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        await client.app(scope, receive, send)  # type: ignore[arg-type]

    caplog.set_level("INFO")
    await hang_up()

    assert sent[0]["status"] == 400
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
    assert stored_files(media_root) == []
    assert rows(clean_database) == (0, 0)
