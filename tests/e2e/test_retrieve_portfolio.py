"""``GET /api/portfolios/{id}`` over HTTP against Postgres: shape, values and every status."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.application.fields import PortfolioFields
from portfolio.domain import Media
from portfolio.entrypoints.container import Container
from tests.app_client import SameLoopClient
from tests.builders import add_full_portfolio, stores_of
from tests.e2e.conftest import Callers

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]
BASE = "http://portfolio.test/media/core_media/2026/03/02/"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")

PORTFOLIO_FIELDS = [
    "id",
    "title",
    "slug",
    "excerpt",
    "order",
    "image_data",
    "employer_data",
    "tags_data",
    "links_data",
    "is_active",
    "completed_at",
    "created_at",
    "updated_at",
    "description",
    "images_data",
    "meta",
]
IMAGE_FIELDS = [
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
]


def image(media: Media, stem: str, ext: str, human: str) -> dict[str, Any]:
    """The expected image object for a test image with four thumbnails."""
    return {
        "id": media.id,
        "type": "image/bmp",
        "name": stem,
        "size": media.size,
        "human_readable_size": human,
        "f": f"{BASE}{stem}{ext}",
        "width": 156,
        "height": 156,
        "mode": "RGB",
        "thumbnails": [
            {"id": thumb.id, "f": f"{BASE}thumbnails/{stem}_thumbnail_{s}x{s}{ext}", "size": s}
            for thumb, s in zip(media.thumbnails, (64, 128, 512, 1080), strict=True)
        ],
    }


async def test_full_portfolio_is_exact_to_the_byte_shape(
    client: Client, container: Container, callers: Callers
) -> None:
    full = await add_full_portfolio(stores_of(container), "Web design")
    response = await client.get(f"/api/portfolios/{full.portfolio.id}", headers=callers.admin)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == PORTFOLIO_FIELDS
    cover = image(full.cover, "web_design_cover", ".bmp", "71.35 KB")
    logo = image(full.logo, "web_design_logo", ".png", "512.00 B")
    tag_1, tag_2 = full.tags
    github, site = full.links
    gallery_1, gallery_2 = full.gallery
    quote, brochure = full.metas
    expected = {
        "id": full.portfolio.id,
        "title": "Web design",
        "slug": "web-design",
        "excerpt": "Short description",
        "order": 3,
        "image_data": cover,
        "employer_data": {
            "id": full.employer.id,
            "name": "Web design client",
            "image_data": logo,
            "description": "some store",
        },
        "tags_data": [
            {"id": tag_2.id, "name": "Web design tag 2", "image_data": None},
            {"id": tag_1.id, "name": "Web design tag 1", "image_data": logo},
        ],
        "links_data": [
            {
                "id": site.id,
                "name": "site_url",
                "url": None,
                "image_data": logo,
                "description": None,
            },
            {
                "id": github.id,
                "name": "github",
                "url": "https://example.com/repo",
                "image_data": None,
                "description": "",
            },
        ],
        "is_active": True,
        "completed_at": "2026-03-03T17:26:28Z",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "description": "Full description",
        "images_data": [
            image(gallery_2, "web_design_gallery_2", ".bmp", "71.35 KB"),
            image(gallery_1, "web_design_gallery_1", ".bmp", "71.35 KB"),
        ],
        "meta": [
            {
                "id": brochure.id,
                "key": "brochure",
                "value_text": None,
                "value_file": {
                    "id": full.brochure.id,
                    "type": "application/pdf",
                    "name": "web_design_brochure.pdf",
                    "size": 2048,
                    "human_readable_size": "2.00 KB",
                    "f": f"{BASE}web_design_brochure.pdf",
                },
            },
            {"id": quote.id, "key": "client_quote", "value_text": "Great work", "value_file": None},
        ],
    }
    assert body == expected
    assert list(body["image_data"]) == IMAGE_FIELDS
    assert list(body["employer_data"]) == ["id", "name", "image_data", "description"]
    assert list(body["links_data"][0]) == ["id", "name", "url", "image_data", "description"]
    assert list(body["meta"][0]["value_file"]) == [
        "id",
        "type",
        "name",
        "size",
        "human_readable_size",
        "f",
    ]
    assert TIMESTAMP.match(body["created_at"]) and TIMESTAMP.match(body["updated_at"])


async def test_portfolio_without_attachments_has_nulls_and_empty_lists(
    client: Client, container: Container, callers: Callers
) -> None:
    added = await container.portfolios().add(PortfolioFields(title="Bare", slug="bare"))
    body = (await client.get(f"/api/portfolios/{added.id}", headers=callers.admin)).json()
    assert body["image_data"] is None
    assert body["employer_data"] is None
    assert body["completed_at"] is None
    assert body["description"] is None
    assert (body["tags_data"], body["links_data"], body["images_data"], body["meta"]) == (
        [],
        [],
        [],
        [],
    )
    assert body["excerpt"] == ""
    assert body["order"] == 0


async def test_media_base_url_replaces_the_request_origin(
    clean_database: str, settings: Any
) -> None:
    from dataclasses import replace

    from portfolio.entrypoints.http.app import create_app

    cdn = Container(
        settings=replace(settings, media_base_url="https://cdn.example.com/m/"),
        database_url=clean_database,
    )
    async with SameLoopClient(create_app(cdn)) as cdn_client:
        callers = await _callers(cdn)
        full = await add_full_portfolio(stores_of(cdn))
        body = (
            await cdn_client.get(f"/api/portfolios/{full.portfolio.id}", headers=callers.admin)
        ).json()
    assert (
        body["image_data"]["f"]
        == "https://cdn.example.com/m/core_media/2026/03/02/web_design_cover.bmp"
    )


async def _callers(container: Container) -> Callers:
    from tests.e2e.conftest import make_callers

    return await make_callers(container)


@pytest.mark.parametrize("suffix", ["", "/"])
async def test_staff_with_4202_and_admins_get_200(
    client: Client, container: Container, callers: Callers, suffix: str
) -> None:
    added = await container.portfolios().add(PortfolioFields(title="T", slug="t"))
    for headers in (callers.admin, callers.staff_with_code):
        response = await client.get(f"/api/portfolios/{added.id}{suffix}", headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == added.id


@pytest.mark.parametrize("caller", ["staff_without_code", "non_staff_with_code"])
async def test_staff_without_4202_and_non_staff_get_403(
    client: Client, container: Container, callers: Callers, caller: str
) -> None:
    added = await container.portfolios().add(PortfolioFields(title="T", slug="t"))
    response = await client.get(f"/api/portfolios/{added.id}", headers=getattr(callers, caller))
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "Authentication credentials were not provided."),
        ("Bearer abc", "Authentication credentials were not provided."),
        ("Basic YWRtaW46YWRtaW4=", "Authentication credentials were not provided."),
        ("Token", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
        ("Token 0123456789abcdef0123456789abcdef01234567", "Invalid token."),
        ("Token ' OR 1=1 --", "Invalid token header. Token string should not contain spaces."),
        ("Token 'OR'1'='1", "Invalid token."),
    ],
)
async def test_missing_or_bad_credentials_get_401_with_challenge(
    client: Client, callers: Callers, authorization: str | None, message: str
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await client.get("/api/portfolios/1", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": message}
    assert response.headers["www-authenticate"] == "Token"


async def test_inactive_user_gets_401_user_inactive(client: Client, callers: Callers) -> None:
    response = await client.get("/api/portfolios/1", headers=callers.inactive_admin)
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}
    assert response.headers["www-authenticate"] == "Token"


async def test_revoked_token_gets_401_invalid_token(
    client: Client, container: Container, callers: Callers
) -> None:
    await container.manage_tokens().revoke(callers.admin["Authorization"].split()[1])
    response = await client.get("/api/portfolios/1", headers=callers.admin)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.parametrize(
    "raw_id",
    [
        "999",
        "abc",
        "0",
        "-1",
        "1.5",
        "1e3",
        "%20",
        "%201",
        "%EF%BC%91",  # a full-width digit one
        "9223372036854775807",
        "9223372036854775808",
        "0" * 30 + "1",
        "9" * 400,
        "%F0%9F%98%80",
    ],
)
async def test_ids_that_name_nothing_get_404(client: Client, callers: Callers, raw_id: str) -> None:
    response = await client.get(f"/api/portfolios/{raw_id}", headers=callers.admin)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("spelling", ["{}", "0{}", "0" * 28 + "{}"])
async def test_an_id_with_leading_zeros_names_the_same_portfolio(
    client: Client, container: Container, callers: Callers, spelling: str
) -> None:
    added = await container.portfolios().add(PortfolioFields(title="T", slug="t"))
    response = await client.get(
        f"/api/portfolios/{spelling.format(added.id)}", headers=callers.admin
    )
    assert (response.status_code, response.json()["id"]) == (200, added.id)


@pytest.mark.parametrize("raw_id", ["999", "abc", "-1"])
async def test_not_found_is_decided_after_authentication_and_permission(
    client: Client, callers: Callers, raw_id: str
) -> None:
    anonymous = await client.get(f"/api/portfolios/{raw_id}")
    assert anonymous.status_code == 401
    stranger = await client.get(f"/api/portfolios/{raw_id}", headers=callers.staff_without_code)
    assert stranger.status_code == 403


async def test_other_methods_get_405_with_allow(client: Client, callers: Callers) -> None:
    response = await client.post("/api/portfolios/1", headers=callers.admin)
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
    assert "GET" in response.headers["allow"]


async def test_unknown_routes_get_404_json(client: Client) -> None:
    response = await client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("host", ["evil.com/x", "a b", "exa mple.com:80", "<script>", "x" * 300])
async def test_malformed_host_header_is_400_not_echoed(
    client: Client, container: Container, callers: Callers, host: str
) -> None:
    added = await container.portfolios().add(PortfolioFields(title="T", slug="t"))
    response = await client.get(
        f"/api/portfolios/{added.id}", headers={**callers.admin, "Host": host}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid host header"}
