"""``/api/employers/``, ``/api/tags/``, ``/api/links/`` and ``/api/meta/`` over HTTP against
Postgres."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.application.fields import PortfolioFields
from portfolio.entrypoints.container import Container
from tests.builders import add_document, add_image
from tests.e2e.conftest import Callers

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]
ORIGIN = "http://portfolio.test"


@dataclass(frozen=True)
class Resource:
    """What differs between the four shared resources on the wire."""

    path: str
    named: str
    fields: tuple[str, ...]
    media_field: str
    join: str
    entity: str

    def body(self, name: str, **extra: Any) -> dict[str, Any]:
        """A valid write body."""
        return {self.named: name, **extra}


RESOURCES = {
    "employers": Resource(
        "/api/employers/",
        "name",
        ("id", "name", "image_data", "description"),
        "image",
        "employer_id",
        "employer",
    ),
    "tags": Resource("/api/tags/", "name", ("id", "name", "image_data"), "image", "tag_ids", "tag"),
    "links": Resource(
        "/api/links/",
        "name",
        ("id", "name", "url", "image_data", "description"),
        "image",
        "link_ids",
        "link",
    ),
    "meta": Resource(
        "/api/meta/",
        "key",
        ("id", "key", "value_text", "value_file"),
        "value_file",
        "meta_ids",
        "meta",
    ),
}


@pytest.fixture(params=list(RESOURCES))
def resource(request: pytest.FixtureRequest) -> Resource:
    """Each shared resource in turn."""
    return RESOURCES[request.param]


async def test_create_answers_201_with_the_read_shape(
    client: Client, container: Container, callers: Callers, resource: Resource
) -> None:
    media = await add_image(container.media_repository(), "logo.png")
    response = await client.post(
        resource.path,
        headers=callers.admin,
        json=resource.body("  first  ", **{resource.media_field: media.id}),
    )
    assert response.status_code == 201
    body = response.json()
    assert tuple(body) == resource.fields
    assert body[resource.named] == "first"
    attached = body["value_file" if resource.media_field == "value_file" else "image_data"]
    assert attached["id"] == media.id
    assert attached["f"] == f"{ORIGIN}/media/core_media/2026/03/02/logo.png"
    retrieved = await client.get(f"{resource.path}{body['id']}", headers=callers.admin)
    assert retrieved.json() == body


async def test_exact_shapes_of_every_resource(client: Client, callers: Callers) -> None:
    headers = callers.admin
    employer = await client.post(
        "/api/employers/", headers=headers, json={"name": "digikala", "description": "store"}
    )
    assert employer.json() == {
        "id": employer.json()["id"],
        "name": "digikala",
        "image_data": None,
        "description": "store",
    }
    link = await client.post(
        "/api/links/", headers=headers, json={"name": "site", "url": "https://digikala.com"}
    )
    assert link.json() == {
        "id": link.json()["id"],
        "name": "site",
        "url": "https://digikala.com",
        "image_data": None,
        "description": None,
    }
    meta = await client.post("/api/meta/", headers=headers, json={"key": "k", "value_text": ""})
    assert meta.json() == {
        "id": meta.json()["id"],
        "key": "k",
        "value_text": "",
        "value_file": None,
    }


async def test_meta_value_file_reads_back_as_a_file_object(
    client: Client, container: Container, callers: Callers
) -> None:
    brochure = await add_document(container.media_repository(), "brochure.pdf")
    response = await client.post(
        "/api/meta/", headers=callers.admin, json={"key": "brochure", "value_file": brochure.id}
    )
    assert response.json()["value_file"] == {
        "id": brochure.id,
        "type": "application/pdf",
        "name": "brochure.pdf",
        "size": 2048,
        "human_readable_size": "2.00 KB",
        "f": f"{ORIGIN}/media/core_media/2026/03/02/brochure.pdf",
    }


async def test_patch_put_and_delete(client: Client, callers: Callers, resource: Resource) -> None:
    extra = {"description": "kept"} if "description" in resource.fields else {}
    created = (
        await client.post(resource.path, headers=callers.admin, json=resource.body("a", **extra))
    ).json()
    path = f"{resource.path}{created['id']}"
    patched = await client.patch(path, headers=callers.admin, json={resource.named: "b"})
    assert patched.status_code == 200
    assert patched.json() == {**created, resource.named: "b"}
    replaced = await client.put(path.rstrip("/"), headers=callers.admin, json=resource.body("c"))
    assert replaced.status_code == 200
    assert replaced.json()[resource.named] == "c"
    if extra:
        assert replaced.json()["description"] is None  # left out of a PUT: back to its default
    deleted = await client.delete(path, headers=callers.admin)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert (await client.get(path, headers=callers.admin)).status_code == 404
    assert (await client.delete(path, headers=callers.admin)).status_code == 404


async def test_deleting_something_a_portfolio_holds_is_409_naming_it(
    client: Client, container: Container, callers: Callers, resource: Resource
) -> None:
    created = (
        await client.post(resource.path, headers=callers.admin, json=resource.body("held"))
    ).json()
    reference = created["id"] if resource.join == "employer_id" else (created["id"],)
    holder = await container.portfolios().add(
        PortfolioFields(title="Web design", slug="web", **{resource.join: reference})
    )
    path = f"{resource.path}{created['id']}"
    response = await client.delete(path, headers=callers.admin)
    assert response.status_code == 409
    assert response.json() == {
        "detail": (
            f"Cannot delete this {resource.entity}: it is used by portfolio {holder.id} "
            '"Web design".'
        )
    }
    assert (await client.get(path, headers=callers.admin)).status_code == 200
    # In the trash it still holds it; purged, it holds nothing.
    await client.delete(f"/api/portfolios/{holder.id}", headers=callers.admin)
    assert (await client.delete(path, headers=callers.admin)).status_code == 409
    await client.delete(f"/api/portfolios/trash/{holder.id}", headers=callers.admin)
    assert (await client.delete(path, headers=callers.admin)).status_code == 204


@pytest.mark.parametrize("kind", ["employers", "tags"])
async def test_duplicate_names_get_400_on_create_and_on_rename(
    client: Client, callers: Callers, kind: str
) -> None:
    resource = RESOURCES[kind]
    await client.post(resource.path, headers=callers.admin, json={"name": "taken"})
    other = (await client.post(resource.path, headers=callers.admin, json={"name": "free"})).json()
    message = {"name": [f"{resource.entity} with this name already exists."]}
    again = await client.post(resource.path, headers=callers.admin, json={"name": "taken"})
    assert (again.status_code, again.json()) == (400, message)
    rename = await client.patch(
        f"{resource.path}{other['id']}", headers=callers.admin, json={"name": "taken"}
    )
    assert (rename.status_code, rename.json()) == (400, message)


async def test_link_names_and_meta_keys_may_repeat(client: Client, callers: Callers) -> None:
    for path, body in (("/api/links/", {"name": "github"}), ("/api/meta/", {"key": "k"})):
        for _ in range(2):
            assert (await client.post(path, headers=callers.admin, json=body)).status_code == 201


async def test_missing_media_is_400_naming_the_field(
    client: Client, callers: Callers, resource: Resource
) -> None:
    response = await client.post(
        resource.path, headers=callers.admin, json=resource.body("x", **{resource.media_field: 999})
    )
    assert response.status_code == 400
    assert response.json() == {resource.media_field: ['Invalid pk "999" - object does not exist.']}


async def test_read_only_and_unknown_fields_are_refused(
    client: Client, callers: Callers, resource: Resource
) -> None:
    read_only = [name for name in resource.fields if name == "id" or name.endswith("_data")]
    body = resource.body("x", **dict.fromkeys(read_only, 1), extra=True)
    response = await client.post(resource.path, headers=callers.admin, json=body)
    assert response.status_code == 400
    assert response.json() == {
        **{name: ["This field is read-only."] for name in read_only},
        "extra": ["Unknown field."],
    }


async def test_lists_go_by_id_and_search_the_name_or_key(
    client: Client, callers: Callers, resource: Resource
) -> None:
    for name in ("Web Design", "webshop", "Mobile"):
        await client.post(resource.path, headers=callers.admin, json=resource.body(name))
    found = await client.get(
        f"{resource.path.rstrip('/')}?search=WEB&page_size=1", headers=callers.admin
    )
    body = found.json()
    assert body["count"] == 2
    assert [item[resource.named] for item in body["results"]] == ["Web Design"]
    base = f"{ORIGIN}{resource.path.rstrip('/')}"
    assert body["next"] == f"{base}?page=2&page_size=1&search=WEB"
    everything = (await client.get(resource.path, headers=callers.admin)).json()
    assert [item[resource.named] for item in everything["results"]] == [
        "Web Design",
        "webshop",
        "Mobile",
    ]
    past = await client.get(f"{resource.path}?page=2", headers=callers.admin)
    assert (past.status_code, past.json()) == (404, {"detail": "Invalid page."})


@pytest.mark.parametrize("raw_id", ["999", "abc", "0", "%20"])
async def test_ids_that_name_nothing_get_404_on_every_method(
    client: Client, callers: Callers, resource: Resource, raw_id: str
) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        response = await client.request(
            method, f"{resource.path}{raw_id}", headers=callers.admin, json={"bad": 1}
        )
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


async def test_methods_a_route_does_not_serve_get_405_with_allow(
    client: Client, callers: Callers, resource: Resource
) -> None:
    on_item = await client.post(f"{resource.path}1", headers=callers.admin, json={})
    assert (on_item.status_code, on_item.json()) == (405, {"detail": 'Method "POST" not allowed.'})
    assert set(on_item.headers["allow"].replace(" ", "").split(",")) >= {
        "GET",
        "PUT",
        "PATCH",
        "DELETE",
    }
    on_list = await client.delete(resource.path, headers=callers.admin)
    assert on_list.status_code == 405
