"""Scheduled publishing on the admin API: the fields written and read back through the
documented opt-in, the list filtered by where each portfolio stands, and refusals; on the
in-memory and the Postgres wiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container
from tests.e2e.conftest import headers_of

Client = AsyncTestClient  # type: ignore[type-arg]


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def admin(container: Container) -> dict[str, str]:
    return (await headers_of(container, 4201))["admin"]


async def make(client: Client, headers: dict[str, str], title: str, **fields: Any) -> int:
    created = await client.post(
        "/api/portfolios/", headers=headers, json={"title": title, **fields}
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def test_moments_are_written_and_read_back_only_when_asked_for(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    soon = datetime.now(UTC) + timedelta(days=1)
    later = soon + timedelta(days=30)
    portfolio = await make(
        client, headers, "Shop", publish_at=stamp(soon), unpublish_at=stamp(later)
    )
    plain = (await client.get(f"/api/portfolios/{portfolio}", headers=headers)).json()
    assert "publish_at" not in plain and "unpublish_at" not in plain
    assert list(plain)[-1] == "meta"  # the API document's shape, as before
    expanded = await client.get(f"/api/portfolios/{portfolio}?expand=publishing", headers=headers)
    body = expanded.json()
    assert list(body)[-2:] == ["publish_at", "unpublish_at"]
    assert datetime.fromisoformat(body["publish_at"]) == soon
    assert datetime.fromisoformat(body["unpublish_at"]) == later

    cleared = await client.patch(
        f"/api/portfolios/{portfolio}?expand=publishing", headers=headers, json={"publish_at": None}
    )
    assert cleared.json()["publish_at"] is None


async def test_lists_filter_by_where_each_portfolio_stands_now(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    now = datetime.now(UTC)
    await make(client, headers, "Live")
    await make(client, headers, "Scheduled", publish_at=stamp(now + timedelta(hours=1)))
    await make(client, headers, "Expired", unpublish_at=stamp(now - timedelta(hours=1)))
    await make(client, headers, "Off", is_active=False)
    await make(client, headers, "Was scheduled", publish_at=stamp(now - timedelta(hours=1)))
    expected = {
        "live": ["Live", "Was scheduled"],
        "scheduled": ["Scheduled"],
        "expired": ["Expired"],
        "inactive": ["Off"],
    }
    for status, titles in expected.items():
        page = await client.get(f"/api/portfolios/?status={status}&ordering=title", headers=headers)
        assert sorted(item["title"] for item in page.json()["results"]) == sorted(titles), status
    everything = await client.get("/api/portfolios/?expand=publishing", headers=headers)
    assert all("publish_at" in item for item in everything.json()["results"])


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"publish_at": "2027-01-02T00:00:00Z", "unpublish_at": "2027-01-01T00:00:00Z"},
            {"unpublish_at": ["Ensure this date-time is after publish_at."]},
        ),
        (
            {"publish_at": "2027-01-01T00:00:00Z", "unpublish_at": "2027-01-01T00:00:00Z"},
            {"unpublish_at": ["Ensure this date-time is after publish_at."]},
        ),
        (
            {"publish_at": "tomorrow"},
            {
                "publish_at": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
        (
            {"unpublish_at": 5},
            {
                "unpublish_at": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
    ],
)
async def test_moments_out_of_order_or_malformed_are_field_errors(
    wired: tuple[Container, Client], fields: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    container, client = wired
    headers = await admin(container)
    refused = await client.post("/api/portfolios/", headers=headers, json={"title": "X", **fields})
    assert (refused.status_code, refused.json()) == (400, errors)
    listed = await client.get("/api/portfolios/", headers=headers)
    assert listed.json()["count"] == 0


async def test_a_patch_is_checked_against_the_moment_it_leaves_in_place(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    portfolio = await make(client, headers, "Shop", publish_at="2027-06-01T00:00:00Z")
    refused = await client.patch(
        f"/api/portfolios/{portfolio}",
        headers=headers,
        json={"unpublish_at": "2027-05-01T00:00:00Z"},
    )
    assert refused.status_code == 400
    assert refused.json() == {"unpublish_at": ["Ensure this date-time is after publish_at."]}


@pytest.mark.parametrize(("query", "field"), [("status=soon", "status"), ("expand=all", "expand")])
async def test_unknown_choices_in_the_query_are_400(
    wired: tuple[Container, Client], query: str, field: str
) -> None:
    container, client = wired
    headers = await admin(container)
    refused = await client.get(f"/api/portfolios/?{query}", headers=headers)
    assert refused.status_code == 400
    assert refused.json() == {
        field: ["Select a valid choice. That choice is not one of the available choices."]
    }
