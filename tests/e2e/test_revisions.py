"""Revisions over HTTP, on the in-memory and the Postgres wiring: the list's shape, a restore
answered in the retrieve shape, a 400 naming the field whose object is gone (nothing
changed), 404 for a revision not the portfolio's, and a restore racing an edit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container
from tests.e2e.conftest import EXPECTED, headers_of

Client = AsyncTestClient  # type: ignore[type-arg]
NOT_FOUND = {"detail": "Not found."}


async def setup(container: Container, client: Client) -> tuple[dict[str, str], int, int]:
    """The admin's headers, a tag, and a portfolio created with it then changed twice."""
    headers = (await headers_of(container, 4204))["admin"]
    tag = (await client.post("/api/tags/", headers=headers, json={"name": "Design"})).json()
    made = await client.post(
        "/api/portfolios/", headers=headers, json={"title": "Shop", "tags": [tag["id"]]}
    )
    portfolio_id = made.json()["id"]
    item = f"/api/portfolios/{portfolio_id}"
    await client.patch(item, headers=headers, json={"excerpt": "Second"})
    await client.patch(item, headers=headers, json={"tags": [], "order": 4})
    return headers, portfolio_id, tag["id"]


async def revisions(client: Client, headers: dict[str, str], portfolio_id: int) -> Any:
    answer = await client.get(f"/api/portfolios/{portfolio_id}/revisions/", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_revisions_are_a_page_newest_first_with_each_document(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers, portfolio_id, tag_id = await setup(container, client)
    page = await revisions(client, headers, portfolio_id)
    assert (page["count"], page["next"], page["previous"]) == (3, None, None)
    newest, second, first = page["results"]
    assert set(newest) == {"id", "created_at", "user", "changes", "document"}
    assert newest["user"]["username"] == "admin"
    assert (newest["changes"], second["changes"]) == (["order", "tags"], ["excerpt"])
    current = (await client.get(f"/api/portfolios/{portfolio_id}", headers=headers)).json()
    assert newest["document"] == current
    assert [t["id"] for t in first["document"]["tags_data"]] == [tag_id]
    assert first["id"] < second["id"] < newest["id"]


async def test_a_restore_answers_200_and_is_recorded_as_a_revision(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers, portfolio_id, tag_id = await setup(container, client)
    second = (await revisions(client, headers, portfolio_id))["results"][1]
    answer = await client.post(
        f"/api/portfolios/{portfolio_id}/revisions/{second['id']}/restore/", headers=headers
    )
    assert answer.status_code == 200, answer.text
    restored = answer.json()
    assert (restored["excerpt"], restored["order"]) == ("Second", 0)
    assert [t["id"] for t in restored["tags_data"]] == [tag_id]
    current = await client.get(f"/api/portfolios/{portfolio_id}", headers=headers)
    assert restored == current.json()
    page = await revisions(client, headers, portfolio_id)
    assert page["count"] == 4 and page["results"][0]["document"] == restored
    assert page["results"][0]["changes"] == ["order", "tags"]


async def test_a_restore_of_something_gone_answers_400_naming_the_field_and_changes_nothing(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers, portfolio_id, tag_id = await setup(container, client)
    assert (await client.delete(f"/api/tags/{tag_id}", headers=headers)).status_code == 204
    first = (await revisions(client, headers, portfolio_id))["results"][2]
    before = (await client.get(f"/api/portfolios/{portfolio_id}", headers=headers)).json()
    answer = await client.post(
        f"/api/portfolios/{portfolio_id}/revisions/{first['id']}/restore/", headers=headers
    )
    assert answer.status_code == 400
    assert answer.json() == {"tags": [f'Invalid pk "{tag_id}" - object does not exist.']}
    after = (await client.get(f"/api/portfolios/{portfolio_id}", headers=headers)).json()
    assert after == before
    assert (await revisions(client, headers, portfolio_id))["count"] == 3


async def test_a_revision_of_another_or_of_a_purged_portfolio_answers_404(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers, portfolio_id, _ = await setup(container, client)
    other = (await client.post("/api/portfolios/", headers=headers, json={"title": "B"})).json()
    theirs = (await revisions(client, headers, other["id"]))["results"][0]["id"]
    mine = (await revisions(client, headers, portfolio_id))["results"][0]["id"]
    for path in (
        f"/api/portfolios/{portfolio_id}/revisions/{theirs}/restore/",
        f"/api/portfolios/{portfolio_id}/revisions/abc/restore/",
        f"/api/portfolios/{portfolio_id}/revisions/0/restore/",
        f"/api/portfolios/424242/revisions/{mine}/restore/",
    ):
        answer = await client.post(path, headers=headers)
        assert (answer.status_code, answer.json()) == (404, NOT_FOUND), path
    for raw in ("424242", "abc"):
        listed = await client.get(f"/api/portfolios/{raw}/revisions/", headers=headers)
        assert listed.status_code == 404
    await client.delete(f"/api/portfolios/{other['id']}", headers=headers)
    trashed = f"/api/portfolios/{other['id']}/revisions/"
    assert (await client.get(trashed, headers=headers)).status_code == 404
    assert (await client.post(f"{trashed}{theirs}/restore/", headers=headers)).status_code == 404
    await client.delete(f"/api/portfolios/trash/{other['id']}", headers=headers)
    assert (await client.post(f"{trashed}{theirs}/restore/", headers=headers)).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("GET", "/api/portfolios/{id}/revisions/", 4202),
        ("POST", "/api/portfolios/{id}/revisions/{revision}/restore/", 4204),
    ],
)
async def test_who_may_read_and_restore_revisions(
    wired: tuple[Container, Client], method: str, path: str, code: int
) -> None:
    container, client = wired
    callers = await headers_of(container, code)
    admin = callers["admin"]
    made = (await client.post("/api/portfolios/", headers=admin, json={"title": "A"})).json()
    revision = (await revisions(client, admin, made["id"]))["results"][0]["id"]
    url = path.format(id=made["id"], revision=revision)
    for caller, (status, body) in EXPECTED.items():
        answer = await client.request(method, url, headers=callers[caller])
        assert (answer.status_code, answer.json()) == (status, body), caller
    assert (await client.request(method, url, headers=callers["editor"])).status_code == 200


@pytest.mark.postgres
async def test_a_restore_racing_an_edit_one_wins_and_both_are_recorded(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers, portfolio_id, _ = await setup(container, client)
    first = (await revisions(client, headers, portfolio_id))["results"][2]
    item = f"/api/portfolios/{portfolio_id}"
    for _ in range(5):
        restore, edit = await asyncio.gather(
            client.post(f"{item}/revisions/{first['id']}/restore/", headers=headers),
            client.patch(item, headers=headers, json={"excerpt": "Raced", "order": 9}),
        )
        assert (restore.status_code, edit.status_code) == (200, 200)
        current = (await client.get(item, headers=headers)).json()
        # The one that wrote last is what the portfolio is, and its newest revision.
        winner = max((restore.json(), edit.json()), key=lambda answer: answer["updated_at"])
        assert current == winner
        page = await revisions(client, headers, portfolio_id)
        newest, other = page["results"][:2]
        assert newest["document"] == current
        assert {newest["document"]["excerpt"], other["document"]["excerpt"]} == {"", "Raced"}
