"""``POST /api/portfolios/bulk/`` over HTTP, on the in-memory and the Postgres wiring: every
action, all or nothing, a journal entry and a revision per portfolio changed, and the
refusals (every unknown id named, repeated ids, too many, a missing or unknown tag)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.errors import TAKEN_MEANWHILE
from tests.e2e.conftest import EXPECTED, headers_of

Client = AsyncTestClient  # type: ignore[type-arg]


async def make(client: Client, headers: dict[str, str], *titles: str, **body: Any) -> list[int]:
    ids = []
    for title in titles:
        made = await client.post("/api/portfolios/", headers=headers, json={"title": title, **body})
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    return ids


async def bulk(client: Client, headers: dict[str, str], **body: Any) -> Any:
    return await client.post("/api/portfolios/bulk/", headers=headers, json=body)


async def revision_count(client: Client, headers: dict[str, str], portfolio_id: int) -> int:
    page = await client.get(f"/api/portfolios/{portfolio_id}/revisions/", headers=headers)
    return int(page.json()["count"])


async def test_each_action_changes_what_it_names_and_reports_what_was_so_already(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = (await headers_of(container, 4205))["admin"]
    tag = (await client.post("/api/tags/", headers=headers, json={"name": "Design"})).json()["id"]
    a, b, c = await make(client, headers, "A", "B", "C")
    await client.patch(f"/api/portfolios/{c}", headers=headers, json={"is_active": False})
    answer = await bulk(client, headers, action="activate", ids=[a, b, c])
    assert (answer.status_code, answer.json()) == (200, {"changed": [c], "unchanged": [a, b]})
    answer = await bulk(client, headers, action="deactivate", ids=[b, a])
    assert answer.json() == {"changed": [b, a], "unchanged": []}
    assert (await bulk(client, headers, action="tag", ids=[a, c], tag=tag)).status_code == 200
    answer = await bulk(client, headers, action="tag", ids=[a, b], tag=tag)
    assert answer.json() == {"changed": [b], "unchanged": [a]}
    answer = await bulk(client, headers, action="untag", ids=[a, b, c], tag=tag)
    assert answer.json() == {"changed": [a, b, c], "unchanged": []}
    # A create and four saves of b (deactivate, tag, untag): one revision each.
    assert await revision_count(client, headers, b) == 4
    answer = await bulk(client, headers, action="delete", ids=[a, b])
    assert answer.json() == {"changed": [a, b], "unchanged": []}
    listed = (await client.get("/api/portfolios/", headers=headers)).json()
    assert [p["id"] for p in listed["results"]] == [c]
    answer = await bulk(client, headers, action="restore", ids=[b])
    assert answer.json() == {"changed": [b], "unchanged": []}
    assert (await client.get(f"/api/portfolios/{b}", headers=headers)).status_code == 200
    journal: Any = container.journal()
    if hasattr(journal, "entries"):
        actions = [(e.action, e.object_id) for e in journal.entries.values()]
        assert actions[-3:] == [("delete", a), ("delete", b), ("restore", b)]


async def test_a_bulk_action_is_all_or_nothing_and_names_every_unknown_id(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = (await headers_of(container, 4205))["admin"]
    a, b, trashed = await make(client, headers, "A", "B", "T")
    await client.delete(f"/api/portfolios/{trashed}", headers=headers)
    answer = await bulk(client, headers, action="deactivate", ids=[a, 999998, trashed, b, 999999])
    assert answer.status_code == 400
    assert answer.json() == {
        "ids": [
            'Invalid pk "999998" - object does not exist.',
            f'Invalid pk "{trashed}" - object does not exist.',
            'Invalid pk "999999" - object does not exist.',
        ]
    }
    for portfolio_id in (a, b):
        current = (await client.get(f"/api/portfolios/{portfolio_id}", headers=headers)).json()
        assert current["is_active"] is True
        assert await revision_count(client, headers, portfolio_id) == 1
    answer = await bulk(client, headers, action="restore", ids=[trashed, a])
    assert answer.json() == {"ids": [f'Invalid pk "{a}" - object does not exist.']}
    assert (await client.get(f"/api/portfolios/{trashed}", headers=headers)).status_code == 404


async def test_a_bulk_restore_of_a_taken_title_answers_409_and_restores_none(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = (await headers_of(container, 4205))["admin"]
    a, b = await make(client, headers, "A", "B")
    await bulk(client, headers, action="delete", ids=[a, b])
    await make(client, headers, "B")
    answer = await bulk(client, headers, action="restore", ids=[a, b])
    assert (answer.status_code, answer.json()) == (
        409,
        {"detail": TAKEN_MEANWHILE.format(field="title")},
    )
    assert (await client.get(f"/api/portfolios/{a}", headers=headers)).status_code == 404


async def test_bad_bulk_bodies_name_their_field(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers = (await headers_of(container, 4205))["admin"]
    (a,) = await make(client, headers, "A")
    refusals: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
        (
            {"action": "deactivate", "ids": [a, a]},
            {"ids": [f'Each id may appear only once; "{a}" is repeated.']},
        ),
        (
            {"action": "deactivate", "ids": list(range(1, 502))},
            {"ids": ["Ensure this field has no more than 500 elements."]},
        ),
        ({"action": "deactivate", "ids": []}, {"ids": ["This list may not be empty."]}),
        ({"action": "explode", "ids": [a]}, {"action": ['"explode" is not a valid choice.']}),
        ({"ids": [a]}, {"action": ["This field is required."]}),
        ({"action": "tag", "ids": [a]}, {"tag": ["This field is required."]}),
        (
            {"action": "tag", "ids": [a], "tag": 999999},
            {"tag": ['Invalid pk "999999" - object does not exist.']},
        ),
        (
            {"action": "activate", "ids": [a], "tag": 1},
            {"tag": ["Only `tag` and `untag` take a tag."]},
        ),
    ]
    for body, expected in refusals:
        answer = await bulk(client, headers, **body)
        assert (answer.status_code, answer.json()) == (400, expected), body
    assert (await revision_count(client, headers, a)) == 1


@pytest.mark.parametrize(("action", "code"), [("deactivate", 4204), ("delete", 4205)])
async def test_who_may_act_in_bulk(wired: tuple[Container, Client], action: str, code: int) -> None:
    container, client = wired
    callers = await headers_of(container, code)
    (a,) = await make(client, callers["admin"], "A")
    for caller, (status, body) in EXPECTED.items():
        answer = await bulk(client, callers[caller], action=action, ids=[a])
        assert (answer.status_code, answer.json()) == (status, body), caller
    if code == 4205:
        # 4205 alone does not reach the route, which asks 4204 of every bulk action.
        refused = await bulk(client, callers["editor"], action=action, ids=[a])
        assert refused.status_code == 403
    else:
        allowed = await bulk(client, callers["editor"], action=action, ids=[a])
        assert allowed.status_code == 200
