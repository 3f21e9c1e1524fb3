"""The public read API (``/api/public/``): only live portfolios, the same bytes for every
caller, shared caching headers naming everything shown, and refusals that tell nothing; on
the in-memory and the Postgres wiring."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from portfolio.application.fields import PortfolioFields
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.builders import add_full_portfolio, stores_of
from tests.e2e.conftest import headers_of
from tests.e2e.test_publishing import make, stamp
from tests.memory_container import cheap_passwords

Client = AsyncTestClient  # type: ignore[type-arg]

NOT_FOUND = {"detail": "Not found."}
SHARED = "public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"
# What differs between two answers to the same request, whoever asks.
_PER_REQUEST = {"x-request-id", "date"}


async def admin(container: Container) -> dict[str, str]:
    return (await headers_of(container, 4201))["admin"]


def keys(response: httpx.Response) -> set[str]:
    return set(response.headers["surrogate-key"].split())


def same_answer(one: httpx.Response, other: httpx.Response) -> None:
    assert one.status_code == other.status_code
    assert one.content == other.content
    assert {k: v for k, v in one.headers.items() if k not in _PER_REQUEST} == {
        k: v for k, v in other.headers.items() if k not in _PER_REQUEST
    }


async def test_only_live_portfolios_are_listed_in_display_order(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    now = datetime.now(UTC)
    await make(client, headers, "Second", order=2)
    await make(client, headers, "First", order=1)
    await make(client, headers, "Also second", order=2)
    await make(client, headers, "Scheduled", publish_at=stamp(now + timedelta(hours=1)))
    await make(client, headers, "Expired", unpublish_at=stamp(now - timedelta(seconds=1)))
    await make(client, headers, "Off", is_active=False)
    await make(client, headers, "Was scheduled", order=9, publish_at=stamp(now - timedelta(1)))

    page = await client.get("/api/public/portfolios/")

    assert page.status_code == 200
    body = page.json()
    assert [item["title"] for item in body["results"]] == [
        "First",
        "Second",
        "Also second",
        "Was scheduled",
    ]
    assert body["count"] == 4 and body["next"] is None and body["previous"] is None
    assert "publish_at" not in body["results"][0]  # the API document's shape


async def test_a_live_portfolio_reads_as_the_admin_retrieve_shows_it(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    full = await add_full_portfolio(stores_of(container))

    public = await client.get(f"/api/public/portfolios/{full.portfolio.slug}")
    private = await client.get(f"/api/portfolios/{full.portfolio.id}", headers=headers)

    assert public.status_code == 200
    assert private.json() == without_web_image_fields(public.json())
    # Every image object of the public answer carries its alt text, placeholder and variants.
    cover = public.json()["image_data"]
    assert cover["alt"] == "" and "placeholder" in cover
    assert all("variants" in thumb for thumb in cover["thumbnails"])


def without_web_image_fields(document: object) -> object:
    """``document`` less the image fields only the public (and media) API show."""
    if isinstance(document, dict):
        return {
            key: without_web_image_fields(value)
            for key, value in document.items()
            if key not in {"alt", "placeholder", "variants"}
        }
    if isinstance(document, list):
        return [without_web_image_fields(item) for item in document]
    return document


async def test_every_portfolio_not_live_is_what_a_slug_that_never_existed_is(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    now = datetime.now(UTC)
    await make(client, headers, "Off", slug="off", is_active=False)
    await make(client, headers, "Soon", slug="soon", publish_at=stamp(now + timedelta(hours=1)))
    await make(client, headers, "Gone", slug="gone", unpublish_at=stamp(now - timedelta(hours=1)))
    deleted = await make(client, headers, "Deleted", slug="deleted")
    assert (await client.delete(f"/api/portfolios/{deleted}", headers=headers)).status_code == 204

    never = await client.get("/api/public/portfolios/never-was")
    assert never.status_code == 404 and never.json() == NOT_FOUND
    for slug in ("off", "soon", "gone", "deleted"):
        same_answer(await client.get(f"/api/public/portfolios/{slug}"), never)


@pytest.mark.parametrize(
    "slug",
    [
        "x" * 5000,
        "%00",
        "%FF%FE",
        "caf%C3%A9",
        "..%2F..%2Fetc",
        "UPPER",
        "a%20b",
        "%E2%80%AE",
        "-",
    ],
)
async def test_a_slug_of_any_bytes_is_simply_not_found(
    wired: tuple[Container, Client], slug: str
) -> None:
    _, client = wired
    answer = await client.get(f"/api/public/portfolios/{slug}")
    assert answer.status_code == 404
    assert answer.json() == NOT_FOUND
    assert "portfolios" in keys(answer)


async def test_credentials_are_never_looked_at(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers = await admin(container)
    full = await add_full_portfolio(stores_of(container))
    for path in (
        "/api/public/portfolios/",
        f"/api/public/portfolios/{full.portfolio.slug}",
        "/api/public/portfolios/missing",
        "/api/public/tags/",
        "/api/public/employers/",
    ):
        anonymous = await client.get(path)
        for authorization in (
            headers["Authorization"],
            "Token not-a-token",
            "Token a b c",
            "Bearer abc",
            b"Token \xff",
        ):
            same_answer(await client.get(path, headers={"Authorization": authorization}), anonymous)


async def test_answers_are_shared_and_revalidated(wired: tuple[Container, Client]) -> None:
    container, client = wired
    full = await add_full_portfolio(stores_of(container))
    path = f"/api/public/portfolios/{full.portfolio.slug}"

    first = await client.get(path, headers={"Accept-Encoding": "identity"})

    assert first.headers["cache-control"] == SHARED
    assert first.headers["vary"] == "Accept-Encoding"
    assert first.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in first.headers
    tag = first.headers["etag"]
    assert tag.startswith('"') and not tag.startswith("W/")
    again = await client.get(path, headers={"If-None-Match": tag, "Accept-Encoding": "identity"})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    assert again.headers["cache-control"] == SHARED
    assert again.headers["vary"] == "Accept-Encoding"

    compressed = await client.get(path, headers={"Accept-Encoding": "br"})
    assert compressed.headers["content-encoding"] == "br"
    encoded = compressed.headers["etag"]
    assert encoded == tag.removesuffix('"') + '.br"'  # strong, one per encoding
    held = await client.get(path, headers={"If-None-Match": encoded, "Accept-Encoding": "br"})
    assert held.status_code == 304 and held.headers["etag"] == encoded


async def test_each_answer_names_everything_it_shows(wired: tuple[Container, Client]) -> None:
    container, client = wired
    full = await add_full_portfolio(stores_of(container))
    shown = {
        f"portfolio-{full.portfolio.id}",
        f"employer-{full.employer.id}",
        *(f"tag-{tag.id}" for tag in full.tags),
        *(f"link-{link.id}" for link in full.links),
        *(f"meta-{meta.id}" for meta in full.metas),
        *(f"media-{media.id}" for media in (full.cover, full.logo, full.brochure, *full.gallery)),
    }

    one = await client.get(f"/api/public/portfolios/{full.portfolio.slug}")
    listed = await client.get("/api/public/portfolios/")
    missing = await client.get("/api/public/portfolios/nothing-here")
    tags = await client.get("/api/public/tags/")
    employers = await client.get("/api/public/employers/")

    assert keys(one) == shown
    assert keys(listed) == {"portfolios", *shown}
    assert keys(missing) == {"portfolios"}
    assert keys(tags) == {
        "portfolios",
        *(f"tag-{t.id}" for t in full.tags),
        f"media-{full.logo.id}",
    }
    assert keys(employers) == {
        "portfolios",
        f"employer-{full.employer.id}",
        f"media-{full.logo.id}",
    }


async def test_the_list_takes_the_admin_lists_filters_and_pages(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    full = await add_full_portfolio(stores_of(container))
    tag = full.tags[0].id
    await make(client, headers, "Tagged but off", tags=[tag], is_active=False)
    await make(client, headers, "Plain shop", order=1)
    await make(client, headers, "Another shop", order=2)

    async def titles(query: str) -> list[str]:
        answer = await client.get(f"/api/public/portfolios/?{query}")
        assert answer.status_code == 200, answer.text
        return [item["title"] for item in answer.json()["results"]]

    assert await titles(f"tag={tag}") == ["Web design"]
    assert await titles(f"employer={full.employer.id}") == ["Web design"]
    assert await titles("search=shop") == ["Plain shop", "Another shop"]
    assert await titles("ordering=-title") == ["Web design", "Plain shop", "Another shop"]
    # What the admin list takes beyond those is not the website's: it changes nothing.
    assert await titles("is_active=false&status=inactive&slug=x") == [
        "Plain shop",
        "Another shop",
        "Web design",
    ]
    second = await client.get("/api/public/portfolios/?page=2&page_size=2")
    assert second.json()["previous"] == "http://testserver.local/api/public/portfolios/?page_size=2"
    assert [item["title"] for item in second.json()["results"]] == ["Web design"]

    bad_tag = await client.get("/api/public/portfolios/?tag=abc")
    assert bad_tag.status_code == 400
    assert bad_tag.json() == {
        "tag": ["Select a valid choice. That choice is not one of the available choices."]
    }
    past_the_end = await client.get("/api/public/portfolios/?page=9")
    assert past_the_end.status_code == 404 and past_the_end.json() == {"detail": "Invalid page."}
    assert keys(past_the_end) == {"portfolios"}
    assert past_the_end.headers["cache-control"] == SHARED


async def test_menus_count_the_live_portfolios_using_each(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    tags = [
        (await client.post("/api/tags/", headers=headers, json={"name": name})).json()["id"]
        for name in ("beta", "Alpha", "unused", "hidden")
    ]
    beta, alpha, _, hidden = tags
    shop = (await client.post("/api/employers/", headers=headers, json={"name": "Shop"})).json()
    await make(client, headers, "One", tags=[beta, alpha], employer=shop["id"])
    await make(client, headers, "Two", tags=[beta])
    await make(client, headers, "Off", tags=[hidden, beta], employer=shop["id"], is_active=False)
    now = datetime.now(UTC)
    for title, moment in (
        ("Soon", {"publish_at": stamp(now + timedelta(hours=1))}),
        ("Gone", {"unpublish_at": stamp(now - timedelta(hours=1))}),
    ):
        await make(client, headers, title, tags=[hidden, alpha], employer=shop["id"], **moment)

    listed = (await client.get("/api/public/tags/")).json()
    assert listed["count"] == 2
    assert listed["results"] == [
        {"id": alpha, "name": "Alpha", "image_data": None, "portfolio_count": 1},
        {"id": beta, "name": "beta", "image_data": None, "portfolio_count": 2},
    ]
    employers = (await client.get("/api/public/employers/")).json()
    assert employers["results"] == [
        {
            "id": shop["id"],
            "name": "Shop",
            "image_data": None,
            "description": None,
            "portfolio_count": 1,
        }
    ]
    paged = (await client.get("/api/public/tags/?page=2&page_size=1")).json()
    assert [tag["name"] for tag in paged["results"]] == ["beta"]


async def test_a_scheduled_portfolio_appears_at_its_moment_and_304s_honour_it(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    soon = datetime.now(UTC) + timedelta(seconds=1.5)
    await make(client, headers, "Launch", slug="launch", publish_at=stamp(soon))
    before = await client.get("/api/public/portfolios/")
    assert before.json()["count"] == 0
    tag = before.headers["etag"]
    # Remembered: answered 304 from memory while nothing changes.
    assert (
        await client.get("/api/public/portfolios/", headers={"If-None-Match": tag})
    ).status_code == 304
    assert (await client.get("/api/public/portfolios/launch")).status_code == 404

    await asyncio.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)

    after = await client.get("/api/public/portfolios/", headers={"If-None-Match": tag})
    assert after.status_code == 200
    assert [item["slug"] for item in after.json()["results"]] == ["launch"]
    assert (await client.get("/api/public/portfolios/launch")).status_code == 200


async def test_preflights_from_any_origin_are_answered(wired: tuple[Container, Client]) -> None:
    _, client = wired
    preflight = await client.options(
        "/api/public/portfolios/",
        headers={
            "Origin": "https://anyone.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "If-None-Match" in preflight.headers["access-control-allow-headers"]
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert "origin" not in preflight.headers.get("vary", "").lower()


async def test_other_methods_are_not_allowed(wired: tuple[Container, Client]) -> None:
    _, client = wired
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        answer = await client.request(method, "/api/public/portfolios/", json={})
        assert answer.status_code == 405, method


@pytest.fixture
async def behind_public_origin(clean_database: str, tmp_path: Path) -> Any:
    """An application whose public origin is set, over the emptied test database."""
    settings = Settings(
        media_root=tmp_path,
        public_url="https://www.example.com",
        allowed_hosts=("api.example.com", "evil.example"),
    )
    container = Container(settings=settings, database_url=clean_database)
    container.passwords.override(providers.Object(cheap_passwords()))
    async with SameLoopClient(create_app(container), base_url="http://api.example.com") as client:
        yield container, client


@pytest.mark.postgres
async def test_no_header_ever_reaches_the_urls_of_a_public_answer(
    behind_public_origin: tuple[Container, Client],
) -> None:
    container, client = behind_public_origin
    full = await add_full_portfolio(stores_of(container))
    for index in range(25):  # more than a page: the links are URLs too
        await stores_of(container).portfolios.add(
            PortfolioFields(title=f"Bare {index}", slug=f"bare-{index}")
        )
    hostile = {
        "Host": "evil.example",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "gopher",
        "Forwarded": "host=evil.example",
    }
    for path in (f"/api/public/portfolios/{full.portfolio.slug}", "/api/public/portfolios/"):
        honest = await client.get(path)
        forged = await client.get(path, headers=hostile)
        assert forged.content == honest.content
        assert b"evil" not in forged.content
        assert b"https://www.example.com/" in forged.content
