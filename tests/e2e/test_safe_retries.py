"""``Idempotency-Key`` on every create and on uploads, over HTTP: a retry gets the first answer
and makes nothing twice, on the in-memory and the Postgres wiring, and across two application
instances sharing one database."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.application.ports import RetryClaim
from portfolio.application.retries import LEASE
from portfolio.domain import Action, Resource, permission_code
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.portfolios import PORTFOLIO_FORM
from portfolio.entrypoints.http.retries import (
    IDEMPOTENCY_KEY,
    IN_PROGRESS,
    KEY_REUSED,
    MALFORMED_KEY,
    ONE_KEY,
    REPLAYED,
    fingerprint,
)
from portfolio.entrypoints.http.shared_objects import EMPLOYER_FORM, LINK_FORM, META_FORM, TAG_FORM
from tests import media_samples
from tests.e2e.conftest import headers_of

Client = AsyncTestClient  # type: ignore[type-arg]
MEDIA = "/api/media/"
CREATES = {
    "/api/portfolios/": PORTFOLIO_FORM.example,
    "/api/employers/": EMPLOYER_FORM.example,
    "/api/tags/": TAG_FORM.example,
    "/api/links/": LINK_FORM.example,
    "/api/meta/": META_FORM.example,
}


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    """``headers`` with an Idempotency-Key."""
    return {**headers, IDEMPOTENCY_KEY: key}


async def admin(container: Container) -> dict[str, str]:
    """An admin's Authorization header."""
    return (await headers_of(container, 4101))["admin"]


async def count(client: Client, path: str, headers: dict[str, str]) -> int:
    """How many objects the collection at ``path`` holds."""
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["count"])


def raw_headers(headers: dict[str, str], *extra: tuple[bytes, bytes]) -> list[tuple[bytes, bytes]]:
    """``headers`` as raw pairs, with ``extra`` pairs as sent (repeated or not UTF-8-clean)."""
    return [*((name.encode(), value.encode()) for name, value in headers.items()), *extra]


def upload_files(data: bytes, file_name: str = "photo.png") -> dict[str, Any]:
    """An upload's multipart parts; httpx picks a new boundary for every request."""
    return {"file": (file_name, data, "application/octet-stream")}


@pytest.mark.parametrize("path", list(CREATES))
async def test_a_retried_create_gets_the_first_answer_and_makes_one_object(
    wired: tuple[Container, Client], path: str
) -> None:
    container, client = wired
    headers = keyed(await admin(container), "4f1c2d9e-retry-1")
    first = await client.post(path, headers=headers, json=CREATES[path])
    retry = await client.post(path, headers=headers, json=CREATES[path])

    assert first.status_code == 201, first.text
    assert (retry.status_code, retry.content) == (201, first.content)
    assert retry.headers["content-type"] == first.headers["content-type"]
    assert REPLAYED not in first.headers
    assert retry.headers[REPLAYED] == "true"
    assert await count(client, path, headers) == 1


@pytest.mark.parametrize("path", list(CREATES))
async def test_the_same_key_with_another_body_is_422(
    wired: tuple[Container, Client], path: str
) -> None:
    container, client = wired
    headers = keyed(await admin(container), "key-2")
    body = dict(CREATES[path])
    await client.post(path, headers=headers, json=body)
    changed = {**body, next(iter(body)): "Something else"}
    response = await client.post(path, headers=headers, json=changed)

    assert (response.status_code, response.json()) == (422, {"detail": KEY_REUSED})
    assert await count(client, path, headers) == 1


async def test_the_same_key_on_another_route_is_422(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers = keyed(await admin(container), "key-3")
    assert (await client.post("/api/tags/", headers=headers, json={"name": "x"})).status_code == 201
    response = await client.post("/api/employers/", headers=headers, json={"name": "x"})
    assert (response.status_code, response.json()) == (422, {"detail": KEY_REUSED})


async def test_one_users_key_never_replays_another_users_answer(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await headers_of(container, permission_code(Resource.LINKS, Action.CREATE))
    body = {"name": "Live site", "url": "https://example.com/"}
    mine = await client.post("/api/links/", headers=keyed(headers["admin"], "same"), json=body)
    theirs = await client.post("/api/links/", headers=keyed(headers["editor"], "same"), json=body)

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert REPLAYED not in theirs.headers
    assert await count(client, "/api/links/", headers["admin"]) == 2


async def test_a_refused_create_is_not_kept_so_the_corrected_body_goes_through(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = keyed(await admin(container), "key-4")
    refused = await client.post("/api/tags/", headers=headers, json={"name": ""})
    created = await client.post("/api/tags/", headers=headers, json={"name": "web"})
    assert (refused.status_code, created.status_code) == (400, 201)
    assert REPLAYED not in created.headers


async def test_without_a_key_every_create_makes_an_object(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers = await admin(container)
    for _ in range(2):
        response = await client.post("/api/links/", headers=headers, json={"name": "a"})
        assert response.status_code == 201
        assert REPLAYED not in response.headers
    assert await count(client, "/api/links/", headers) == 2


@pytest.mark.parametrize(
    "key",
    ["", " ", "x" * 256, "has space", "tab\there", "caf\u00e9"],
    ids=["empty", "blank", "too-long", "space", "tab", "non-ascii"],
)
async def test_a_malformed_key_is_400_and_creates_nothing(
    wired: tuple[Container, Client], key: str
) -> None:
    container, client = wired
    headers = await admin(container)
    raw = raw_headers(headers, (IDEMPOTENCY_KEY.encode(), key.encode("utf-8")))
    response = await client.post("/api/tags/", headers=raw, json={"name": "web"})
    assert (response.status_code, response.json()) == (400, {"detail": MALFORMED_KEY})
    assert await count(client, "/api/tags/", headers) == 0


async def test_a_key_of_255_visible_characters_is_taken(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers = keyed(await admin(container), "~!" + "k" * 253)
    first = await client.post("/api/tags/", headers=headers, json={"name": "web"})
    retry = await client.post("/api/tags/", headers=headers, json={"name": "web"})
    assert (first.status_code, retry.status_code, retry.headers[REPLAYED]) == (201, 201, "true")


async def test_two_keys_in_one_request_are_400(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers = await admin(container)
    raw = raw_headers(headers, (b"idempotency-key", b"a"), (b"idempotency-key", b"b"))
    response = await client.post("/api/tags/", headers=raw, json={"name": "web"})
    assert (response.status_code, response.json()) == (400, {"detail": ONE_KEY})


async def test_a_key_held_by_a_request_still_being_served_is_409_with_retry_after(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = keyed(await admin(container), "busy")
    admin_id = (await container.users().get_by_username("admin")).id  # type: ignore[union-attr]
    body = json.dumps({"name": "web"}).encode()
    now = datetime.now(UTC)
    # Another worker has claimed the key for the same request and not answered yet.
    await container.retry_keys().claim(
        RetryClaim(
            admin_id,
            "busy",
            fingerprint("/api/tags", body),
            now,
            expires_at=now + timedelta(days=1),
            lease_until=now + LEASE,
        )
    )
    response = await client.post(
        "/api/tags/", headers={**headers, "Content-Type": "application/json"}, content=body
    )
    assert (response.status_code, response.json()) == (409, {"detail": IN_PROGRESS})
    assert response.headers["retry-after"] == "1"
    assert await count(client, "/api/tags/", headers) == 0


# Uploads


async def test_a_retried_upload_gets_the_first_answer_and_stores_one_file(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = keyed(await admin(container), "upload-1")
    png = media_samples.png()
    first = await client.post(MEDIA, headers=headers, files=upload_files(png))
    retry = await client.post(MEDIA, headers=headers, files=upload_files(png))

    assert first.status_code == 201, first.text
    assert (retry.status_code, retry.content, retry.headers[REPLAYED]) == (
        201,
        first.content,
        "true",
    )
    assert first.request.headers["content-type"] != retry.request.headers["content-type"]
    assert await count(client, MEDIA, headers) == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"files": upload_files(media_samples.png((301, 200)))},
        {"files": upload_files(media_samples.png(), "other.png")},
        {"files": upload_files(media_samples.png()), "data": {"name": "Logo"}},
    ],
    ids=["other-bytes", "other-file-name", "added-name"],
)
async def test_the_same_key_with_another_upload_is_422(
    wired: tuple[Container, Client], changed: dict[str, Any]
) -> None:
    container, client = wired
    headers = keyed(await admin(container), "upload-2")
    await client.post(MEDIA, headers=headers, files=upload_files(media_samples.png()))
    response = await client.post(MEDIA, headers=headers, **changed)
    assert (response.status_code, response.json()) == (422, {"detail": KEY_REUSED})
    assert await count(client, MEDIA, headers) == 1


# Several processes on one database


@pytest.mark.postgres
async def test_a_retry_reaching_another_instance_gets_the_first_answer(
    two_instances: tuple[Container, Client, Client],
) -> None:
    container, one, other = two_instances
    headers = keyed(await admin(container), "across")
    png = media_samples.png()
    first = await one.post(MEDIA, headers=headers, files=upload_files(png))
    retry = await other.post(MEDIA, headers=headers, files=upload_files(png))
    changed = await other.post(MEDIA, headers=headers, files=upload_files(b"GIF89a"))

    assert (first.status_code, retry.status_code, changed.status_code) == (201, 201, 422)
    assert retry.content == first.content
    assert await count(other, MEDIA, headers) == 1


async def test_concurrent_uploads_under_one_key_store_one_file(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = keyed(await admin(container), "racing")
    photo = media_samples.jpeg((1600, 1200))

    # The client serves on this loop: the six uploads are in flight at once.
    responses = await asyncio.gather(
        *(
            client.post(MEDIA, headers=headers, files=upload_files(photo, "photo.jpg"))
            for _ in range(6)
        )
    )
    statuses = sorted(response.status_code for response in responses)
    created = [response for response in responses if response.status_code == 201]
    assert set(statuses) <= {201, 409}, statuses
    assert len({response.content for response in created}) == 1
    assert sum(REPLAYED not in response.headers for response in created) == 1
    assert await count(client, MEDIA, headers) == 1
