"""The generated OpenAPI schema is valid and describes every route as it behaves."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from litestar.testing import AsyncTestClient
from openapi_spec_validator import validate

from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.http.forms import (
    NOT_BLANK,
    Field,
    Form,
    Invalid,
    OptionalSlug,
    Text,
    Url,
)
from portfolio.entrypoints.http.portfolios import PORTFOLIO_FORM
from portfolio.entrypoints.http.shared_objects import SHARED_RESOURCES
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.memory_container import in_memory_container

Client = AsyncTestClient  # type: ignore[type-arg]
FORMS: dict[str, Form] = {
    "portfolios": PORTFOLIO_FORM,
    **{shared.path: shared.form for shared in SHARED_RESOURCES if shared.form is not None},
}
"""The resources written through a JSON form: the portfolios, and every shared kind declared."""
RESOURCES = tuple(FORMS)
WRITE_NAMES = {
    **{resource: form.name for resource, form in FORMS.items()},
    "webhooks": "Webhook",
}
ITEMS = {
    *(f"/api/{resource}/{{id}}" for resource in (*RESOURCES, "media", "users", "webhooks")),
    "/api/portfolios/trash/{id}",
}
"""Every route of one object by its id."""
SEARCHED_LISTS = {f"/api/{resource}" for resource in (*RESOURCES, "users")}
FILTERED_LISTS = {*SEARCHED_LISTS, "/api/audit"}
"""Lists whose query can be field errors (a 400 naming the parameter)."""
WEBSITE = {
    ("/api/public/portfolios", "get"),
    ("/api/public/portfolios/{slug}", "get"),
    ("/api/public/tags", "get"),
    ("/api/public/employers", "get"),
}
"""The public read API needs no token, and refuses nobody (no 401, 403 or 429)."""
PUBLIC = {("/api/auth/token", "post"), *WEBSITE}
"""Signing in and the public read API need no token."""
ANY_SIGNED_IN = {("/api/auth/me", "get"), ("/api/auth/logout", "post")}
"""Any valid token will do: no permission, so no 403."""
NO_BODY = {
    ("/api/auth/logout", "post"),
    ("/api/portfolios/{id}/restore", "post"),
    ("/api/portfolios/{id}/revisions/{revision_id}/restore", "post"),
    ("/api/webhooks/{id}/rotate-secret", "post"),
    ("/api/webhooks/{id}/ping", "post"),
    ("/api/webhooks/{id}/deliveries/{delivery_id}/retry", "post"),
}
"""Writes that take no body."""
FIELDS_OF_A_REVISION = {("/api/portfolios/{id}/revisions/{revision_id}/restore", "post")}
"""No body, yet field errors: a field of the revision names something gone."""
BODY_NAMES = {
    ("/api/auth/token", "post"): "SignInWrite",
    ("/api/users", "post"): "UserWrite",
    ("/api/users/{id}", "patch"): "UserPatch",
    ("/api/users/{id}/password", "post"): "NewPasswordWrite",
    ("/api/portfolios/{id}/move", "post"): "PortfolioMoveWrite",
    ("/api/portfolios/bulk", "post"): "PortfolioBulkWrite",
}


@pytest.fixture
async def schema(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    """The schema as ``/schema/openapi.json`` serves it."""
    app = create_app(in_memory_container(Settings(media_root=tmp_path)))
    async with SameLoopClient(app) as client:
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
        item = schema["paths"][f"/api/{resource}/{{id}}"]
        assert set(item) >= {"get", "put", "patch", "delete"}


def test_every_api_operation_needs_the_token_scheme(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["Token"] == {
        "type": "apiKey",
        "description": "`Token <key>`; the keyword is case-insensitive.",
        "name": "Authorization",
        "in": "header",
    }
    for path, method, operation in operations(schema):
        if (path, method) in PUBLIC:
            assert operation["security"] == [], (path, method)
            continue
        assert operation["security"] == [{"Token": []}], (path, method)
        statuses = ("401",) if (path, method) in ANY_SIGNED_IN else ("401", "403")
        # 429: a failing key from a client address with too many failures.
        for status in (*statuses, "429", "500", "503"):
            assert operation["responses"][status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorDetail"
            }, (path, method, status)


def test_health_and_readiness_need_no_token(schema: dict[str, Any]) -> None:
    assert schema["paths"]["/health"]["get"]["security"] == []
    assert schema["paths"]["/ready"]["get"]["security"] == []
    assert "security" not in schema
    assert "503" in schema["paths"]["/ready"]["get"]["responses"]
    assert "503" not in schema["paths"]["/health"]["get"]["responses"]


def body_of(schema: dict[str, Any], path: str, method: str) -> Any:
    """The request body schema of one operation, from the component it refers to."""
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return resolved(schema, body)


def resolved(schema: dict[str, Any], node: dict[str, Any]) -> Any:
    """The component ``node`` refers to."""
    return schema["components"]["schemas"][node["$ref"].removeprefix("#/components/schemas/")]


BAD_REQUEST = {
    "anyOf": [
        {"$ref": "#/components/schemas/FieldErrors"},
        {"$ref": "#/components/schemas/ErrorDetail"},
    ]
}


def test_writes_document_their_bodies_and_field_errors(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        if method not in ("post", "put", "patch"):
            assert "requestBody" not in operation
            continue
        resource = path.split("/")[2]
        if resource == "media":
            continue  # a multipart body: see the upload's own test
        if (path, method) in NO_BODY:
            continue
        name = BODY_NAMES.get((path, method)) or (
            WRITE_NAMES[resource] + ("Patch" if method == "patch" else "Write")
        )
        content = operation["requestBody"]["content"]["application/json"]
        assert content["schema"] == {"$ref": f"#/components/schemas/{name}"}
        assert operation["requestBody"]["required"] is (method != "patch")
        assert body_of(schema, path, method)["additionalProperties"] is False
        bad = operation["responses"]["400"]["content"]["application/json"]
        assert bad["schema"] == BAD_REQUEST
        assert set(bad["examples"]) == {"fields", "detail"}
        assert "413" in operation["responses"]


def test_body_schemas_follow_the_forms(schema: dict[str, Any]) -> None:
    item = "/api/portfolios/{id}"
    write, patch = body_of(schema, "/api/portfolios", "post"), body_of(schema, item, "patch")
    assert body_of(schema, item, "put") == write
    assert write["required"] == ["title"]
    assert "required" not in patch
    assert write["properties"]["title"] == {
        "type": "string",
        "maxLength": 200,
        "minLength": 1,
        "pattern": NOT_BLANK,
        "description": "Unique.",
    }
    assert write["properties"]["tags"]["items"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**63 - 1,
    }
    assert write["properties"]["employer"]["type"] == ["integer", "null"]
    assert write["properties"]["order"]["default"] == 0
    assert set(patch["properties"]) == set(write["properties"])
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
        "publish_at",
        "unpublish_at",
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
        "status",
        "expand",
    }
    tag_names = {p["name"] for p in schema["paths"]["/api/tags"]["get"]["parameters"]}
    assert tag_names == {"page", "page_size", "search"}


async def test_the_interactive_page_is_served_at_schema(tmp_path: Path) -> None:
    app = create_app(in_memory_container(Settings(media_root=tmp_path)))
    async with SameLoopClient(app) as client:
        for path in ("/schema", "/schema/"):
            response = await client.get(path)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/html")
            assert "swagger" in response.text.lower()


async def test_the_interactive_page_loads_its_scripts_from_the_service_itself(
    tmp_path: Path,
) -> None:
    app = create_app(in_memory_container(Settings(media_root=tmp_path)))
    async with SameLoopClient(app) as client:
        page = (await client.get("/schema")).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert len(assets) == 3
        for url in assets:
            assert url.startswith("/schema-assets/"), url
            response = await client.get(url)
            assert response.status_code == 200
            assert len(response.content) > 10_000


def test_media_has_list_upload_retrieve_alt_change_and_delete_only(
    schema: dict[str, Any],
) -> None:
    assert set(schema["paths"]["/api/media"]) == {"get", "post"}
    (item,) = [path for path in schema["paths"] if path.startswith("/api/media/{")]
    assert set(schema["paths"][item]) == {"get", "patch", "delete"}
    assert "4104" in schema["paths"][item]["patch"]["description"]
    responses = schema["paths"][item]["delete"]["responses"]
    assert {"204", "404", "409"} <= set(responses)
    listed = schema["paths"]["/api/media"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MediaListPage"
    }
    page = schema["components"]["schemas"]["MediaListPage"]
    assert page["properties"]["results"]["items"] == {"$ref": "#/components/schemas/ImageData"}


def test_unlocking_a_sign_in_is_documented_as_for_admins_only(schema: dict[str, Any]) -> None:
    assert set(schema["paths"]["/api/users/{id}/sign-in-failures"]) == {"delete"}
    operation = schema["paths"]["/api/users/{id}/sign-in-failures"]["delete"]
    assert operation["operationId"] == "unlock_user_sign_in"
    assert "Admins only" in operation["description"]
    assert {"204", "401", "403", "404", "429"} <= set(operation["responses"])
    assert "not an active admin" in operation["responses"]["403"]["description"]
    assert "requestBody" not in operation


def test_the_upload_documents_its_multipart_body_and_answers(schema: dict[str, Any]) -> None:
    upload = schema["paths"]["/api/media"]["post"]
    assert upload["requestBody"]["required"] is True
    (media_type,) = upload["requestBody"]["content"]
    reference = upload["requestBody"]["content"][media_type]["schema"]
    assert reference == {"$ref": "#/components/schemas/MediaUpload"}
    body = resolved(schema, reference)
    assert media_type == "multipart/form-data"
    assert body["required"] == ["file"]
    assert body["properties"]["file"]["format"] == "binary"
    assert body["properties"]["file"]["minLength"] == 1
    assert body["properties"]["name"]["maxLength"] == 255
    answers = upload["responses"]
    assert answers["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ImageData"
    }
    assert set(answers) == {"201", "400", "401", "403", "409", "413", "422", "429", "500", "503"}
    (too_large,) = answers["413"]["content"]["application/json"]["examples"].values()
    assert too_large["value"]["detail"].startswith("The file is")
    refused = answers["400"]["content"]["application/json"]
    assert refused["schema"] == BAD_REQUEST
    assert refused["examples"]["fields"]["value"] == {"file": ["No file was submitted."]}
    links = answers["201"]["links"]
    assert {name for name in links if "requestBody" not in links[name]} == {
        "retrieve_media_object",
        "delete_media_object",
    }
    taking = {name: link["requestBody"] for name, link in links.items() if "requestBody" in link}
    assert taking == {
        "create_portfolio": {"image": "$response.body#/id"},
        "create_employer": {"image": "$response.body#/id"},
        "create_tag": {"image": "$response.body#/id"},
        "create_link": {"image": "$response.body#/id"},
        "create_meta_entry": {"value_file": "$response.body#/id"},
    }


def test_every_component_is_referenced_and_no_body_is_inline(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    used = {ref.removeprefix("#/components/schemas/") for ref in references(schema)}
    assert set(components) == used
    for name in WRITE_NAMES.values():
        assert {f"{name}Write", f"{name}Patch"} <= set(components)
    assert {"MediaUpload", "FieldErrors", "ErrorDetail"} <= set(components)
    # Generated clients name their classes after titles.
    assert all(component["title"] == name for name, component in components.items())
    for path, method, operation in operations(schema):
        for content in operation.get("requestBody", {}).get("content", {}).values():
            assert set(content["schema"]) == {"$ref"}, (path, method)
        for status, answer in operation["responses"].items():
            for content in answer.get("content", {}).values():
                assert "title" not in content["schema"], (path, method, status)


def test_patch_bodies_have_no_defaults_and_require_nothing(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    for name in WRITE_NAMES.values():
        patch, write = components[f"{name}Patch"], components[f"{name}Write"]
        assert "required" not in patch
        for field, property_schema in patch["properties"].items():
            assert "default" not in property_schema, (name, field)
            assert property_schema == {
                key: value for key, value in write["properties"][field].items() if key != "default"
            }


def test_ids_in_paths_are_documented_as_positive_64_bit_integers(schema: dict[str, Any]) -> None:
    items = [path for path in schema["paths"] if path.endswith("/{id}")]
    assert set(items) == ITEMS
    for path in items:
        for operation in schema["paths"][path].values():
            (parameter,) = [p for p in operation["parameters"] if p["in"] == "path"]
            assert parameter["name"] == "id"
            assert parameter["required"] is True
            found = {key: parameter["schema"][key] for key in ("type", "minimum", "maximum")}
            assert found == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


def test_query_parameters_are_typed_and_never_null(schema: dict[str, Any]) -> None:
    types = {
        "page": "integer",
        "page_size": "integer",
        "search": "string",
        "ordering": "string",
        "is_active": "boolean",
        "tag": "integer",
        "employer": "integer",
        "slug": "string",
        "status": "string",
        "expand": "string",
        "actor": "integer",
        "resource": "string",
        "object_id": "integer",
        "action": "string",
        "since": "string",
        "until": "string",
    }
    for path, _, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            assert "oneOf" not in parameter["schema"], (path, parameter["name"])
            assert parameter["schema"]["type"] == types[parameter["name"]]
            assert parameter["schema"]["examples"], (path, parameter["name"])
    tag = [p for p in schema["paths"]["/api/portfolios"]["get"]["parameters"] if p["name"] == "tag"]
    assert tag[0]["schema"]["maximum"] == 2**63 - 1
    search = [p for p in schema["paths"]["/api/tags"]["get"]["parameters"] if p["name"] == "search"]
    assert search[0]["schema"]["maxLength"] == 200


def test_each_create_links_to_the_operations_on_its_new_object(schema: dict[str, Any]) -> None:
    by_id = {
        operation["operationId"]: (path, method) for path, method, operation in operations(schema)
    }
    for resource in (*RESOURCES, "media"):
        created = schema["paths"][f"/api/{resource}"]["post"]["responses"]["201"]
        links = {name: link for name, link in created["links"].items() if "requestBody" not in link}
        expected = {"get", "delete"} if resource == "media" else {"get", "put", "patch", "delete"}
        assert {by_id[link["operationId"]][1] for link in links.values()} == expected
        for link in links.values():
            assert by_id[link["operationId"]][0] == f"/api/{resource}/{{id}}"
            assert link["parameters"] == {"id": "$response.body#/id"}


def test_a_400_is_field_errors_or_a_detail_wherever_fields_are_checked(
    schema: dict[str, Any],
) -> None:
    detail_only = {"$ref": "#/components/schemas/ErrorDetail"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            answers = operation["responses"]
            assert answers["500"]["content"]["application/json"]["schema"] == detail_only
            bad = answers["400"]["content"]["application/json"]["schema"]
            writes = method in ("post", "put", "patch") and (path, method) not in (
                ANY_SIGNED_IN | NO_BODY
            )
            checks_fields = (
                writes
                or (method == "get" and path in FILTERED_LISTS)
                or (path, method) in FIELDS_OF_A_REVISION
            )
            assert bad == (BAD_REQUEST if checks_fields else detail_only), (path, method)


def test_every_body_and_parameter_has_an_example(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        for content in operation.get("requestBody", {}).get("content", {}).values():
            assert content["examples"], (path, method)
        for parameter in operation.get("parameters", []):
            assert parameter["schema"]["examples"], (path, method, parameter["name"])


STRING_FIELDS = [
    (form, field)
    for form in FORMS.values()
    for field in form.fields
    if isinstance(field.rule, Text | OptionalSlug | Url)
]
PIECES = [" ", "\t", "\n", "\u3000", "\x85", "\x00", "a", "Z", "-", "é", "7", "/", ":", "@"]
PIECES += ["http://", "HTTPS://", "example.org", "[::1]", ":8080", "?q=1", "#top", "\u2028"]


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    chosen=st.sampled_from(STRING_FIELDS),
    core=st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
    padding=st.integers(min_value=-2, max_value=2),
)
def test_string_schemas_take_exactly_what_the_forms_take(
    schema: dict[str, Any], chosen: tuple[Form, Field], core: str, padding: int
) -> None:
    form, field = chosen
    rule: Any = field.rule
    limit = rule.text.max_length if isinstance(rule, OptionalSlug) else rule.max_length
    stated = schema["components"]["schemas"][f"{form.name}Write"]["properties"][field.name]
    validator = Draft202012Validator(stated)
    for value in (core, core + " " * max(0, limit - len(core) + padding)):
        try:
            rule.parse(value)
            taken = True
        except Invalid:
            taken = False
        assert validator.is_valid(value) is taken, (form.name, field.name, value[:40])


async def test_options_answers_204_with_allow_and_needs_no_credentials(tmp_path: Path) -> None:
    app = create_app(in_memory_container(Settings(media_root=tmp_path)))
    async with SameLoopClient(app) as client:
        for path, allowed in (
            ("/api/tags/", "GET, OPTIONS, POST"),
            ("/api/tags/7", "DELETE, GET, OPTIONS, PATCH, PUT"),
            ("/api/media/abc", "DELETE, GET, OPTIONS, PATCH"),
        ):
            response = await client.options(path)
            assert response.status_code == 204, path
            assert response.headers["allow"] == allowed
            assert response.content == b""
        refused = await client.request("PUT", "/api/media/1")
        assert refused.status_code == 405
        assert refused.headers["allow"] == "DELETE, GET, OPTIONS, PATCH"
