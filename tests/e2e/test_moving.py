"""``POST /api/portfolios/{id}/move/`` over HTTP, on the in-memory and the Postgres wiring:
the lists show the portfolio where it was put, one row is written while a gap is left, the
refusals name their field, and twenty concurrent moves lose nothing (Postgres)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.errors import MOVED_BESIDE_ITSELF
from portfolio.entrypoints.http.portfolios import ONE_OF_BEFORE_AND_AFTER
from tests.e2e.conftest import EXPECTED, headers_of

Client = AsyncTestClient  # type: ignore[type-arg]


async def make(
    client: Client, headers: dict[str, str], titles: list[str], **body: Any
) -> list[int]:
    ids = []
    for n, title in enumerate(titles):
        values = {"title": title, "order": n * 1024, **body}
        made = await client.post("/api/portfolios/", headers=headers, json=values)
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    return ids


async def listed(client: Client, headers: dict[str, str], path: str = "/api/portfolios/") -> Any:
    page = (await client.get(f"{path}?page_size=100", headers=headers)).json()
    return [(p["title"], p["order"]) for p in page["results"]]


async def move(client: Client, headers: dict[str, str], moved: int, body: Any) -> Any:
    return await client.post(f"/api/portfolios/{moved}/move/", headers=headers, json=body)


async def test_a_moved_portfolio_is_listed_where_it_was_put(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = (await headers_of(container, 4204))["admin"]
    a, b, c = await make(client, headers, ["A", "B", "C"])
    answer = await move(client, headers, c, {"before": b})
    assert answer.status_code == 200, answer.text
    retrieved = await client.get(f"/api/portfolios/{c}", headers=headers)
    assert answer.json() == retrieved.json()
    # One row written: the others kept their orders.
    assert await listed(client, headers) == [("A", 0), ("C", 512), ("B", 1024)]
    public = await listed(client, {}, "/api/public/portfolios/")
    assert [title for title, _ in public] == ["A", "C", "B"]
    assert (await move(client, headers, a, {"after": b})).status_code == 200
    assert await listed(client, headers) == [("C", 512), ("B", 1024), ("A", 2048)]
    assert isinstance(answer.json()["order"], int)


async def test_a_move_into_a_full_gap_renumbers(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers = (await headers_of(container, 4204))["admin"]
    ids = await make(client, headers, ["A", "B", "C"], order=0)
    assert (await move(client, headers, ids[2], {"after": ids[0]})).status_code == 200
    assert await listed(client, headers) == [("A", 1024), ("C", 1536), ("B", 2048)]


async def test_a_move_refused_names_its_field(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers = (await headers_of(container, 4204))["admin"]
    a, b, trashed = await make(client, headers, ["A", "B", "T"])
    await client.delete(f"/api/portfolios/{trashed}", headers=headers)
    refusals = [
        ({"before": 424242}, {"before": ['Invalid pk "424242" - object does not exist.']}),
        ({"after": trashed}, {"after": [f'Invalid pk "{trashed}" - object does not exist.']}),
        ({"after": a}, {"after": [MOVED_BESIDE_ITSELF]}),
        ({"before": a}, {"before": [MOVED_BESIDE_ITSELF]}),
        ({"before": b, "after": b}, {"non_field_errors": [ONE_OF_BEFORE_AND_AFTER]}),
        ({}, {"non_field_errors": [ONE_OF_BEFORE_AND_AFTER]}),
        ({"before": "x"}, {"before": ["Incorrect type. Expected pk value, received str."]}),
        ({"before": None}, {"before": ["This field may not be null."]}),
        ({"beside": b}, {"beside": ["Unknown field."]}),
    ]
    before = await listed(client, headers)
    for body, expected in refusals:
        answer = await move(client, headers, a, body)
        assert (answer.status_code, answer.json()) == (400, expected), body
    assert await listed(client, headers) == before
    for missing in (trashed, 424242, "abc"):
        answer = await client.post(
            f"/api/portfolios/{missing}/move/", headers=headers, json={"before": b}
        )
        assert answer.status_code == 404, missing


async def test_who_may_move(wired: tuple[Container, Client]) -> None:
    container, client = wired
    callers = await headers_of(container, 4204)
    a, b = await make(client, callers["admin"], ["A", "B"])
    for caller, (status, body) in EXPECTED.items():
        answer = await move(client, callers[caller], a, {"after": b})
        assert (answer.status_code, answer.json()) == (status, body), caller
    assert (await move(client, callers["editor"], a, {"after": b})).status_code == 200


@pytest.mark.parametrize("spacing", [0, 1024])
async def test_twenty_concurrent_moves_lose_and_duplicate_nothing(
    wired: tuple[Container, Client], spacing: int
) -> None:
    container, client = wired
    headers = (await headers_of(container, 4204))["admin"]
    titles = [f"P{n:02}" for n in range(40)]
    ids = []
    for n, title in enumerate(titles):
        body = {"title": title, "order": n * spacing}
        ids.append((await client.post("/api/portfolios/", headers=headers, json=body)).json()["id"])
    # Each of the second half goes just before one of the first half: no move's portfolio is
    # another's target, so every move must hold at the end, whatever order they ran in (with
    # every order 0 the moves renumber, with gaps of 1024 none does).
    pairs = [(ids[20 + n], ids[n]) for n in range(20)]
    answers = await asyncio.gather(
        *(move(client, headers, moved, {"before": target}) for moved, target in pairs)
    )
    assert [answer.status_code for answer in answers] == [200] * 20
    page = (await client.get("/api/portfolios/?page_size=100", headers=headers)).json()
    order = [p["id"] for p in page["results"]]
    assert sorted(order) == sorted(ids) and page["count"] == 40
    for moved, target in pairs:
        assert order.index(moved) == order.index(target) - 1, (moved, target)
