"""The generated OpenAPI schema is valid and describes every route as it behaves."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from openapi_spec_validator import validate

from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests.memory_container import in_memory_container

Client = AsyncTestClient  # type: ignore[type-arg]
RESOURCES = ("portfolios", "employers", "tags", "links", "meta")
WRITE_NAMES = {
    "portfolios": "Portfolio",
    "employers": "Employer",
    "tags": "Tag",
    "links": "Link",
    "meta": "Meta",
}


@pytest.fixture
async def schema(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    """The schema as ``/schema/openapi.json`` serves it."""
    app = create_app(in_memory_container(Settings(media_root=tmp_path)))
    async with AsyncTestClient(app) as client:
        response = await client.get("/schema/openapi.json")
        assert response.status_code == 200
        yield response.json()


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (path, method, operation) of the API routes."""
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def references(node: Any) -> list[str]:
    """Every ``$ref`` anywhere below ``node``."""
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in references(value)]
    return []


def test_the_schema_is_valid_openapi_and_every_reference_resolves(schema: dict[str, Any]) -> None:
    validate(schema)
    components = schema["components"]["schemas"]
    for ref in references(schema["paths"]) + references(components):
        assert ref.removeprefix("#/components/schemas/") in components, ref


def test_every_resource_has_its_collection_and_item_routes(schema: dict[str, Any]) -> None:
    for resource in RESOURCES:
        collection = schema["paths"][f"/api/{resource}"]
        assert set(collection) >= {"get", "post"}
        (item,) = [
            schema["paths"][path]
            for path in schema["paths"]
            if path.startswith(f"/api/{resource}/{{")
        ]
        assert set(item) >= {"get", "put", "patch", "delete"}


def test_every_api_operation_needs_the_token_scheme(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["Token"] == {
        "type": "apiKey",
        "description": "`Token <key>`; the keyword is case-insensitive.",
        "name": "Authorization",
        "in": "header",
    }
    for path, method, operation in operations(schema):
        assert operation["security"] == [{"Token": []}], (path, method)
        for status in ("401", "403", "503"):
            assert operation["responses"][status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorDetail"
            }, (path, method, status)


def test_health_needs_no_token(schema: dict[str, Any]) -> None:
    assert "security" not in schema["paths"]["/health"]["get"]
    assert "security" not in schema


def body_of(schema: dict[str, Any], path: str, method: str) -> Any:
    """The request body schema of one operation."""
    return schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def test_writes_document_their_bodies_and_field_errors(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        if method not in ("post", "put", "patch"):
            assert "requestBody" not in operation
            continue
        resource = path.split("/")[2]
        if resource == "media":
            continue  # a multipart body: see the upload's own test
        name = WRITE_NAMES[resource] + ("Patch" if method == "patch" else "Write")
        body = body_of(schema, path, method)
        assert body["title"] == name
        assert body["additionalProperties"] is False
        bad = operation["responses"]["400"]["content"]["application/json"]["schema"]
        assert bad == {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
        assert "413" in operation["responses"]


def test_body_schemas_follow_the_forms(schema: dict[str, Any]) -> None:
    item = next(path for path in schema["paths"] if path.startswith("/api/portfolios/{"))
    write, patch = body_of(schema, "/api/portfolios", "post"), body_of(schema, item, "patch")
    assert body_of(schema, item, "put") == write
    assert write["required"] == ["title"]
    assert "required" not in patch
    assert write["properties"]["title"] == {
        "type": "string",
        "maxLength": 200,
        "minLength": 1,
        "description": "Unique.",
    }
    assert write["properties"]["tags"]["items"] == {"type": "integer", "minimum": 1}
    assert write["properties"]["employer"]["type"] == ["integer", "null"]
    assert write["properties"]["order"]["default"] == 0
    assert set(write["properties"]) == {
        "title",
        "slug",
        "excerpt",
        "order",
        "image",
        "employer",
        "tags",
        "links",
        "is_active",
        "completed_at",
        "description",
        "images",
        "meta",
    }
    meta = body_of(schema, "/api/meta", "post")
    assert meta["properties"]["value_file"]["type"] == ["integer", "null"]


def test_responses_name_their_wire_objects(schema: dict[str, Any]) -> None:
    paths = schema["paths"]

    def success(path: str, method: str, status: str) -> Any:
        return paths[path][method]["responses"][status]["content"]["application/json"]["schema"]

    assert success("/api/portfolios", "get", "200") == {
        "$ref": "#/components/schemas/PortfolioPage"
    }
    assert success("/api/portfolios", "post", "201") == {
        "$ref": "#/components/schemas/PortfolioData"
    }
    assert success("/api/tags", "get", "200") == {"$ref": "#/components/schemas/TagPage"}
    item = next(path for path in paths if path.startswith("/api/tags/{"))
    assert success(item, "patch", "200") == {"$ref": "#/components/schemas/TagData"}
    assert "204" in paths[item]["delete"]["responses"]
    assert "409" in paths[item]["delete"]["responses"]
    page = schema["components"]["schemas"]["TagPage"]
    assert page["required"] == ["count", "next", "previous", "results"]


def test_lists_document_their_query_parameters(schema: dict[str, Any]) -> None:
    names = {p["name"] for p in schema["paths"]["/api/portfolios"]["get"]["parameters"]}
    assert names == {
        "page",
        "page_size",
        "ordering",
        "search",
        "is_active",
        "tag",
        "employer",
        "slug",
    }
    tag_names = {p["name"] for p in schema["paths"]["/api/tags"]["get"]["parameters"]}
    assert tag_names == {"page", "page_size", "search"}


async def test_the_interactive_page_is_served_at_schema(tmp_path: Path) -> None:
    app = create_app(in_memory_container(Settings(media_root=tmp_path)))
    async with AsyncTestClient(app) as client:
        for path in ("/schema", "/schema/"):
            response = await client.get(path)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/html")
            assert "swagger" in response.text.lower()


async def test_the_interactive_page_loads_its_scripts_from_the_service_itself(
    tmp_path: Path,
) -> None:
    app = create_app(in_memory_container(Settings(media_root=tmp_path)))
    async with AsyncTestClient(app) as client:
        page = (await client.get("/schema")).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert len(assets) == 3
        for url in assets:
            assert url.startswith("/schema-assets/"), url
            response = await client.get(url)
            assert response.status_code == 200
            assert len(response.content) > 10_000


def test_media_has_list_upload_retrieve_and_delete_only(schema: dict[str, Any]) -> None:
    assert set(schema["paths"]["/api/media"]) == {"get", "post"}
    (item,) = [path for path in schema["paths"] if path.startswith("/api/media/{")]
    assert set(schema["paths"][item]) == {"get", "delete"}
    responses = schema["paths"][item]["delete"]["responses"]
    assert {"204", "404", "409"} <= set(responses)
    listed = schema["paths"]["/api/media"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MediaListPage"
    }
    page = schema["components"]["schemas"]["MediaListPage"]
    assert page["properties"]["results"]["items"] == {"$ref": "#/components/schemas/ImageData"}


def test_the_upload_documents_its_multipart_body_and_answers(schema: dict[str, Any]) -> None:
    upload = schema["paths"]["/api/media"]["post"]
    assert upload["requestBody"]["required"] is True
    (media_type,) = upload["requestBody"]["content"]
    body = upload["requestBody"]["content"][media_type]["schema"]
    assert media_type == "multipart/form-data"
    assert body["required"] == ["file"]
    assert body["properties"]["file"]["format"] == "binary"
    assert body["properties"]["name"]["maxLength"] == 255
    answers = upload["responses"]
    assert answers["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ImageData"
    }
    assert set(answers) == {"201", "400", "401", "403", "413", "503"}
    (too_large,) = answers["413"]["content"]["application/json"]["examples"].values()
    assert too_large["value"]["detail"].startswith("The file is")
    (refused,) = answers["400"]["content"]["application/json"]["examples"].values()
    assert refused["value"] == {"file": ["No file was submitted."]}
