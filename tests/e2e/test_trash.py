"""The trash over HTTP, on the in-memory and the Postgres wiring: ``DELETE`` moves a portfolio
there, where it answers 404 on every other route and is in no list or public answer, yet
still protects what it refers to; it comes back with ``restore`` (409 when its title or slug
was taken meanwhile) or goes for good with ``DELETE /api/portfolios/trash/{id}``."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.errors import TAKEN_MEANWHILE
from tests.builders import add_full_portfolio, stores_of
from tests.e2e.conftest import EXPECTED, headers_of

Client = AsyncTestClient  # type: ignore[type-arg]
NOT_FOUND = {"detail": "Not found."}


async def admin_and_trashed(container: Container, client: Client) -> tuple[dict[str, str], Any]:
    headers = (await headers_of(container, 4205))["admin"]
    full = await add_full_portfolio(stores_of(container))
    response = await client.delete(f"/api/portfolios/{full.portfolio.id}", headers=headers)
    assert response.status_code == 204 and response.content == b""
    return headers, full


async def test_a_deleted_portfolio_answers_404_everywhere_and_is_listed_nowhere(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers, full = await admin_and_trashed(container, client)
    item = f"/api/portfolios/{full.portfolio.id}"
    assert (await client.get(item, headers=headers)).json() == NOT_FOUND
    for method in ("PUT", "PATCH", "DELETE"):
        answer = await client.request(method, item, headers=headers, json={"title": "Back"})
        assert (answer.status_code, answer.json()) == (404, NOT_FOUND), method
    for query in (
        "",
        f"?tag={full.tags[0].id}",
        f"?employer={full.employer.id}",
        "?slug=web-design",
    ):
        listed = (await client.get(f"/api/portfolios/{query}", headers=headers)).json()
        assert (listed["count"], listed["results"]) == (0, []), query
    assert (await client.get("/api/public/portfolios/")).json()["count"] == 0
    assert (await client.get("/api/public/portfolios/web-design")).status_code == 404
    for menu in ("tags", "employers"):
        assert (await client.get(f"/api/public/{menu}/")).json()["count"] == 0, menu


async def test_the_trash_lists_who_deleted_what_and_when(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers, full = await admin_and_trashed(container, client)
    for path in ("/api/portfolios/trash/", "/api/portfolios/trash"):
        page = await client.get(path, headers=headers)
        assert page.status_code == 200, path
        body = page.json()
        assert (body["count"], body["next"], body["previous"]) == (1, None, None)
        (entry,) = body["results"]
        assert set(entry) == {"id", "title", "slug", "deleted_at", "deleted_by"}
        assert (entry["id"], entry["title"], entry["slug"]) == (
            full.portfolio.id,
            "Web design",
            "web-design",
        )
        assert entry["deleted_by"]["username"] == "admin"
    assert (await client.get("/api/portfolios/trash/?page=2", headers=headers)).status_code == 404


async def test_a_trashed_portfolio_still_protects_what_it_refers_to(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers, full = await admin_and_trashed(container, client)
    refused = await client.delete(f"/api/tags/{full.tags[0].id}", headers=headers)
    assert refused.status_code == 409
    purged = await client.delete(f"/api/portfolios/trash/{full.portfolio.id}", headers=headers)
    assert purged.status_code == 204
    assert (await client.delete(f"/api/tags/{full.tags[0].id}", headers=headers)).status_code == 204


async def test_restore_answers_200_with_the_retrieve_shape(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers, full = await admin_and_trashed(container, client)
    restored = await client.post(f"/api/portfolios/{full.portfolio.id}/restore/", headers=headers)
    assert restored.status_code == 200, restored.text
    retrieved = await client.get(f"/api/portfolios/{full.portfolio.id}", headers=headers)
    assert restored.json() == retrieved.json()
    assert [t["id"] for t in restored.json()["tags_data"]] == list(full.tag_ids)
    assert (await client.get("/api/portfolios/trash/", headers=headers)).json()["count"] == 0
    assert (await client.get("/api/public/portfolios/web-design")).status_code == 200


@pytest.mark.parametrize("taken", ["title", "slug"])
async def test_restore_of_a_title_or_slug_taken_meanwhile_answers_409(
    wired: tuple[Container, Client], taken: str
) -> None:
    container, client = wired
    headers, full = await admin_and_trashed(container, client)
    body = (
        {"title": "Web design", "slug": "other"}
        if taken == "title"
        else {
            "title": "Other",
            "slug": "web-design",
        }
    )
    made = await client.post("/api/portfolios/", headers=headers, json=body)
    assert made.status_code == 201, made.text
    refused = await client.post(f"/api/portfolios/{full.portfolio.id}/restore/", headers=headers)
    assert refused.status_code == 409
    assert refused.json() == {"detail": TAKEN_MEANWHILE.format(field=taken)}
    assert (await client.get("/api/portfolios/trash/", headers=headers)).json()["count"] == 1


async def test_restore_and_purge_answer_404_for_what_is_not_in_the_trash(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers, full = await admin_and_trashed(container, client)
    live = (await client.post("/api/portfolios/", headers=headers, json={"title": "Live"})).json()
    for raw in (str(live["id"]), "424242", "0", "abc", "9" * 30):
        restore = await client.post(f"/api/portfolios/{raw}/restore/", headers=headers)
        purge = await client.delete(f"/api/portfolios/trash/{raw}", headers=headers)
        assert (restore.status_code, restore.json()) == (404, NOT_FOUND), raw
        assert (purge.status_code, purge.json()) == (404, NOT_FOUND), raw
    purged = await client.delete(f"/api/portfolios/trash/{full.portfolio.id}", headers=headers)
    assert purged.status_code == 204
    for answer in (
        await client.post(f"/api/portfolios/{full.portfolio.id}/restore/", headers=headers),
        await client.delete(f"/api/portfolios/trash/{full.portfolio.id}", headers=headers),
    ):
        assert answer.status_code == 404


async def test_trash_routes_are_never_taken_for_an_id(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers, _ = await admin_and_trashed(container, client)
    # /trash is the trash's own route: never read as a (malformed) portfolio id.
    assert (await client.get("/api/portfolios/trash", headers=headers)).json()["count"] == 1
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        answer = await client.request(method, "/api/portfolios/trash/", headers=headers)
        assert answer.status_code == 405, method
    answer = await client.get("/api/portfolios/trash/1", headers=headers)
    assert answer.status_code == 405


ROUTES = [
    ("GET", "/api/portfolios/trash/", 4201),
    ("POST", "/api/portfolios/{id}/restore/", 4205),
    ("DELETE", "/api/portfolios/trash/{id}", 4205),
]


@pytest.mark.parametrize(("method", "path", "code"), ROUTES)
async def test_who_may_use_the_trash(
    wired: tuple[Container, Client], method: str, path: str, code: int
) -> None:
    container, client = wired
    callers = await headers_of(container, code)
    full = await add_full_portfolio(stores_of(container))
    item = f"/api/portfolios/{full.portfolio.id}"
    assert (await client.delete(item, headers=callers["admin"])).status_code == 204
    url = path.format(id=full.portfolio.id)
    for caller, (status, body) in EXPECTED.items():
        answer = await client.request(method, url, headers=callers[caller])
        assert (answer.status_code, answer.json()) == (status, body), caller
    allowed = await client.request(method, url, headers=callers["editor"])
    assert allowed.status_code in (200, 204), allowed.text
