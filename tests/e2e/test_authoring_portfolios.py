"""``/api/portfolios/`` writes and lists over HTTP against Postgres."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.application.fields import PortfolioFields, TagFields
from portfolio.entrypoints.container import Container
from tests.builders import add_full_portfolio, add_image, stores_of
from tests.e2e.conftest import Callers

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]
ORIGIN = "http://portfolio.test"


async def create(client: Client, headers: dict[str, str], body: Any) -> Any:
    """POST a portfolio and return the response."""
    return await client.post("/api/portfolios/", headers=headers, json=body)


async def test_create_answers_201_with_the_retrieve_shape_and_defaults(
    client: Client, callers: Callers
) -> None:
    response = await create(client, callers.admin, {"title": "Web Design"})
    assert response.status_code == 201
    body = response.json()
    retrieved = await client.get(f"/api/portfolios/{body['id']}", headers=callers.admin)
    assert body == retrieved.json()
    assert {key: body[key] for key in ("title", "slug", "excerpt", "order", "is_active")} == {
        "title": "Web Design",
        "slug": "web-design",
        "excerpt": "",
        "order": 0,
        "is_active": True,
    }
    assert body["created_at"] == body["updated_at"]
    assert (body["tags_data"], body["images_data"], body["meta"]) == ([], [], [])


async def test_create_attaches_everything_in_the_order_given(
    client: Client, container: Container, callers: Callers
) -> None:
    full = await add_full_portfolio(stores_of(container), "Existing")
    cover = await add_image(container.media_repository(), "new_cover.bmp")
    body = {
        "title": "New",
        "slug": "brand-new",
        "excerpt": "Short",
        "order": 7,
        "image": cover.id,
        "employer": full.employer.id,
        "tags": [full.tags[0].id, full.tags[1].id],
        "links": [full.links[1].id],
        "is_active": False,
        "completed_at": "2026-03-03T17:26:28Z",
        "description": "Long",
        "images": [full.gallery[0].id, full.gallery[1].id],
        "meta": [full.metas[0].id],
    }
    response = await create(client, callers.admin, body)
    assert response.status_code == 201
    created = response.json()
    assert created["image_data"]["id"] == cover.id
    assert created["image_data"]["f"] == f"{ORIGIN}/media/core_media/2026/03/02/new_cover.bmp"
    assert created["employer_data"]["id"] == full.employer.id
    assert [tag["id"] for tag in created["tags_data"]] == body["tags"]
    assert [link["id"] for link in created["links_data"]] == body["links"]
    assert [image["id"] for image in created["images_data"]] == body["images"]
    assert [meta["id"] for meta in created["meta"]] == body["meta"]
    assert (created["slug"], created["order"], created["is_active"]) == ("brand-new", 7, False)
    assert created["completed_at"] == "2026-03-03T17:26:28Z"


async def test_titles_that_slugify_alike_get_numbered_slugs(
    client: Client, callers: Callers
) -> None:
    slugs = [
        (await create(client, callers.admin, {"title": title})).json()["slug"]
        for title in ("Web Design", "web design!", "WEB: Design")
    ]
    assert slugs == ["web-design", "web-design-2", "web-design-3"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"title": "Taken"}, {"title": ["portfolio with this title already exists."]}),
        (
            {"title": "Other", "slug": "taken"},
            {"slug": ["portfolio with this slug already exists."]},
        ),
        (
            {"title": "Other", "tags": [999]},
            {"tags": ['Invalid pk "999" - object does not exist.']},
        ),
        (
            {"title": "Other", "employer": 999},
            {"employer": ['Invalid pk "999" - object does not exist.']},
        ),
        (
            {"title": "Other", "image": 999},
            {"image": ['Invalid pk "999" - object does not exist.']},
        ),
        ({"title": "Other", "order": "first"}, {"order": ["A valid integer is required."]}),
        (
            {"title": "Other", "id": 5, "created_at": "2020-01-01T00:00:00Z"},
            {"id": ["This field is read-only."], "created_at": ["This field is read-only."]},
        ),
        ({"title": "Other", "owner": "me"}, {"owner": ["Unknown field."]}),
        ({}, {"title": ["This field is required."]}),
    ],
)
async def test_invalid_creates_get_400_with_field_errors_and_write_nothing(
    client: Client, container: Container, callers: Callers, body: Any, errors: Any
) -> None:
    await container.portfolios().add(PortfolioFields(title="Taken", slug="taken"))
    response = await create(client, callers.admin, body)
    assert response.status_code == 400
    assert response.json() == errors
    listed = await client.get("/api/portfolios/", headers=callers.admin)
    assert listed.json()["count"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[]", "Invalid data. Expected a dictionary, but got list."),
        (b"not json", "JSON parse error - the body is not valid JSON."),
    ],
)
async def test_a_body_that_is_no_json_object_gets_non_field_errors(
    client: Client, callers: Callers, content: bytes, message: str
) -> None:
    response = await client.post(
        "/api/portfolios/",
        headers={**callers.admin, "Content-Type": "application/json"},
        content=content,
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [message]}


async def test_a_body_over_a_mebibyte_gets_413(client: Client, callers: Callers) -> None:
    response = await create(client, callers.admin, {"title": "T", "description": "x" * 1_100_000})
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than the 1.00 MB accepted."}


async def test_a_content_length_that_is_no_number_gets_400_in_the_project_s_words(
    client: Client, callers: Callers
) -> None:
    headers = {**callers.admin, "Content-Type": "application/json", "Content-Length": "ten"}
    response = await client.post("/api/portfolios/", headers=headers, content=b"{}")
    assert response.status_code == 400
    assert response.json() == {"detail": "Malformed request."}


async def test_patch_changes_only_what_is_sent_and_moves_only_updated_at(
    client: Client, callers: Callers
) -> None:
    created = (
        await create(client, callers.admin, {"title": "Web Design", "excerpt": "short"})
    ).json()
    response = await client.patch(
        f"/api/portfolios/{created['id']}", headers=callers.admin, json={"title": "Shop"}
    )
    assert response.status_code == 200
    changed = response.json()
    assert (changed["title"], changed["slug"], changed["excerpt"]) == (
        "Shop",
        "web-design",
        "short",
    )
    assert changed["created_at"] == created["created_at"]
    assert changed["updated_at"] > created["updated_at"]
    again = await client.get(f"/api/portfolios/{created['id']}", headers=callers.admin)
    assert again.json() == changed


async def test_put_replaces_the_whole_portfolio(
    client: Client, container: Container, callers: Callers
) -> None:
    tag = await container.tag_store().add(TagFields(name="web"))
    created = (
        await create(
            client,
            callers.admin,
            {"title": "Web Design", "slug": "custom", "order": 3, "tags": [tag.id]},
        )
    ).json()
    response = await client.put(
        f"/api/portfolios/{created['id']}/", headers=callers.admin, json={"title": "Shop"}
    )
    assert response.status_code == 200
    replaced = response.json()
    assert (replaced["slug"], replaced["order"], replaced["tags_data"]) == ("shop", 0, [])
    assert replaced["created_at"] == created["created_at"]
    assert replaced["updated_at"] > created["updated_at"]


async def test_put_without_the_required_title_is_400(client: Client, callers: Callers) -> None:
    created = (await create(client, callers.admin, {"title": "Web Design"})).json()
    response = await client.put(
        f"/api/portfolios/{created['id']}", headers=callers.admin, json={"order": 1}
    )
    assert response.status_code == 400
    assert response.json() == {"title": ["This field is required."]}


async def test_a_failed_patch_changes_nothing(
    client: Client, container: Container, callers: Callers
) -> None:
    full = await add_full_portfolio(stores_of(container))
    path = f"/api/portfolios/{full.portfolio.id}"
    before = (await client.get(path, headers=callers.admin)).json()
    response = await client.patch(
        path, headers=callers.admin, json={"title": "Renamed", "tags": [], "meta": [424242]}
    )
    assert response.status_code == 400
    assert response.json() == {"meta": ['Invalid pk "424242" - object does not exist.']}
    assert (await client.get(path, headers=callers.admin)).json() == before


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("raw_id", ["999", "abc", "0", "-1", "9223372036854775808"])
async def test_writes_to_ids_that_name_nothing_get_404_even_with_a_bad_body(
    client: Client, callers: Callers, method: str, raw_id: str
) -> None:
    response = await client.request(
        method, f"/api/portfolios/{raw_id}", headers=callers.admin, json={"order": "x"}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


async def test_delete_answers_204_and_keeps_what_the_portfolio_held(
    client: Client, container: Container, callers: Callers
) -> None:
    full = await add_full_portfolio(stores_of(container))
    response = await client.delete(f"/api/portfolios/{full.portfolio.id}", headers=callers.admin)
    assert response.status_code == 204
    assert response.content == b""
    gone = await client.get(f"/api/portfolios/{full.portfolio.id}", headers=callers.admin)
    assert gone.status_code == 404
    for path in (
        f"/api/employers/{full.employer.id}",
        f"/api/tags/{full.tags[0].id}",
        f"/api/links/{full.links[0].id}",
        f"/api/meta/{full.metas[0].id}",
    ):
        assert (await client.get(path, headers=callers.admin)).status_code == 200


# Lists


async def test_list_pages_with_absolute_links_that_keep_the_other_parameters(
    client: Client, container: Container, callers: Callers
) -> None:
    for n in range(5):
        await container.portfolios().add(
            PortfolioFields(title=f"Project {n}", slug=f"p{n}", order=5 - n)
        )
    first = await client.get("/api/portfolios/?page_size=2&search=project", headers=callers.admin)
    assert first.status_code == 200
    body = first.json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 5
    assert body["next"] == f"{ORIGIN}/api/portfolios/?page=2&page_size=2&search=project"
    assert body["previous"] is None
    assert [p["title"] for p in body["results"]] == ["Project 4", "Project 3"]
    second = (await client.get(body["next"], headers=callers.admin)).json()
    assert second["previous"] == f"{ORIGIN}/api/portfolios/?page_size=2&search=project"
    last = (await client.get(second["next"], headers=callers.admin)).json()
    assert ([p["title"] for p in last["results"]], last["next"]) == (["Project 0"], None)
    assert last["previous"] == f"{ORIGIN}/api/portfolios/?page=2&page_size=2&search=project"


async def test_list_items_are_whole_portfolios(
    client: Client, container: Container, callers: Callers
) -> None:
    full = await add_full_portfolio(stores_of(container))
    listed = (await client.get("/api/portfolios", headers=callers.admin)).json()
    retrieved = await client.get(f"/api/portfolios/{full.portfolio.id}", headers=callers.admin)
    assert listed["results"] == [retrieved.json()]


@pytest.mark.parametrize("page", ["3", "0", "-1", "x", "1.0"])
async def test_pages_past_the_end_or_malformed_get_404_invalid_page(
    client: Client, container: Container, callers: Callers, page: str
) -> None:
    for n in range(3):
        await container.portfolios().add(PortfolioFields(title=f"P{n}", slug=f"p{n}"))
    response = await client.get(f"/api/portfolios/?page={page}&page_size=2", headers=callers.admin)
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


async def test_an_empty_list_has_a_first_page(client: Client, callers: Callers) -> None:
    response = await client.get("/api/portfolios/", headers=callers.admin)
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize(("asked", "given"), [(None, 20), ("150", 100), ("0", 20), ("7", 7)])
async def test_page_size_defaults_to_20_and_stops_at_100(
    client: Client, container: Container, callers: Callers, asked: str | None, given: int
) -> None:
    for n in range(120):
        await container.portfolios().add(PortfolioFields(title=f"P{n}", slug=f"p{n}"))
    query = "" if asked is None else f"?page_size={asked}"
    body = (await client.get(f"/api/portfolios/{query}", headers=callers.admin)).json()
    assert len(body["results"]) == given and body["count"] == 120


async def test_filters_ordering_and_search(
    client: Client, container: Container, callers: Callers
) -> None:
    stores = stores_of(container)
    tag = await stores.tags.add(TagFields(name="web"))
    full = await add_full_portfolio(stores, "Alpha")
    await stores.portfolios.add(
        PortfolioFields(title="beta", slug="beta", order=9, tag_ids=(tag.id,), is_active=False)
    )
    await stores.portfolios.add(
        PortfolioFields(title="Gamma", slug="gamma", order=1, excerpt="An online SHOP")
    )

    async def titles(query: str) -> list[str]:
        response = await client.get(f"/api/portfolios/?{query}", headers=callers.admin)
        assert response.status_code == 200, response.text
        return [p["title"] for p in response.json()["results"]]

    assert await titles("") == ["Gamma", "Alpha", "beta"]
    assert await titles("ordering=-order") == ["beta", "Alpha", "Gamma"]
    assert await titles("ordering=title") == ["Alpha", "beta", "Gamma"]
    assert await titles("ordering=-title,unknown") == ["Gamma", "beta", "Alpha"]
    assert await titles("ordering=-created_at") == ["Gamma", "beta", "Alpha"]
    assert await titles("ordering=completed_at") == ["Alpha", "beta", "Gamma"]
    assert await titles("is_active=false") == ["beta"]
    assert await titles("is_active=true") == ["Gamma", "Alpha"]
    assert await titles(f"tag={tag.id}") == ["beta"]
    assert await titles(f"employer={full.employer.id}") == ["Alpha"]
    assert await titles("slug=gamma") == ["Gamma"]
    assert await titles("search=shop") == ["Gamma"]
    assert await titles("search=full+description") == ["Alpha"]
    assert await titles("is_active=&tag=&search=") == ["Gamma", "Alpha", "beta"]
    assert await titles("tag=424242") == []


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("is_active=maybe", {"is_active": ["Must be a valid boolean."]}),
        (
            "tag=web",
            {"tag": ["Select a valid choice. That choice is not one of the available choices."]},
        ),
        ("search=" + "s" * 201, {"search": ["Ensure this field has no more than 200 characters."]}),
    ],
)
async def test_malformed_filters_get_400(
    client: Client, callers: Callers, query: str, errors: Any
) -> None:
    response = await client.get(f"/api/portfolios/?{query}", headers=callers.admin)
    assert response.status_code == 400
    assert response.json() == errors


# Races: the database decides, never a 500


async def test_two_creates_racing_for_one_title_give_one_201_and_one_400(
    client: Client, callers: Callers
) -> None:
    responses = await asyncio.gather(
        *(create(client, callers.admin, {"title": "Same"}) for _ in range(2))
    )
    assert sorted(r.status_code for r in responses) == [201, 400]
    (refused,) = [r for r in responses if r.status_code == 400]
    assert refused.json() == {"title": ["portfolio with this title already exists."]}


async def test_creates_racing_for_one_made_slug_all_get_distinct_slugs(
    client: Client, callers: Callers
) -> None:
    titles = ["Web Design", "web design!", "WEB DESIGN?", "Web-Design", "web  design"]
    # Truly concurrent (the client serves on this loop): a writer that loses three races takes
    # a random suffix rather than the next number (NUMBERED_SLUG_ATTEMPTS).
    responses = await asyncio.gather(*(create(client, callers.admin, {"title": t}) for t in titles))
    assert [r.status_code for r in responses] == [201] * 5
    slugs = [r.json()["slug"] for r in responses]
    assert len(set(slugs)) == 5
    # Numbered ones count from the plain slug with no gap (a writer sees only committed
    # slugs); the rest are random: six hex digits, never a small number.
    random = [slug for slug in slugs if re.fullmatch(r"web-design-[0-9a-f]{6}", slug)]
    numbered = sorted((slug for slug in slugs if slug not in random), key=lambda s: (len(s), s))
    assert numbered == ["web-design", *(f"web-design-{n}" for n in range(2, len(numbered) + 1))]


async def test_json_bodies_with_any_content_type_are_read(client: Client, callers: Callers) -> None:
    response = await client.post(
        "/api/portfolios",
        headers={**callers.admin, "Content-Type": "text/plain"},
        content=json.dumps({"title": "Plain"}).encode(),
    )
    assert response.status_code == 201
