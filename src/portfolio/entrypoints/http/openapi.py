"""What Litestar cannot infer for the OpenAPI schema: bodies the handlers read themselves, the
error responses, and the Token security scheme."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    Example,
    OpenAPIMediaType,
    Operation,
    RequestBody,
    Schema,
    SecurityRequirement,
    SecurityScheme,
)
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from portfolio.entrypoints.http.forms import Form
from portfolio.entrypoints.http.schemas import ErrorDetail
from portfolio.entrypoints.http.uploads import MULTIPART

TOKEN: list[SecurityRequirement] = [{"Token": []}]
"""The security requirement of every ``/api/`` route."""

FieldErrors = dict[str, list[str]]
"""``{"field": ["message", ...]}``, or ``{"non_field_errors": [...]}``."""

# Swagger UI is served from the installed package, never a CDN: the page is where admins
# paste their tokens, so no third-party script may run on it.
SWAGGER_ASSETS = "/schema-assets"


def swagger_assets() -> Router:
    """The Swagger UI files the /schema page loads, cached for a day."""
    return create_static_files_router(
        path=SWAGGER_ASSETS,
        directories=[swagger_ui_path],
        name="swagger-assets",
        cache_control=CacheControlHeader(public=True, max_age=86400),
    )


def with_body(form: Form, *, partial: bool) -> type[Operation]:
    """An Operation that documents ``form`` as its JSON request body.

    The handlers read raw bytes (to answer every error in DRF's shape), so Litestar sees no
    ``data`` parameter to describe. The schema is inline, titled ``<Name>Write`` or
    ``<Name>Patch``: Litestar replaces the configured component schemas with the ones it
    generates, so a reference to a configured one would dangle.
    """
    return _with_request_body("application/json", form.schema(partial=partial))


def with_upload_body(schema: Schema) -> type[Operation]:
    """An Operation that documents a multipart upload body (read by the handler, as above)."""
    return _with_request_body(MULTIPART, schema)


def _with_request_body(media_type: str, schema: Schema) -> type[Operation]:
    @dataclass
    class OperationWithBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                required=True, content={media_type: OpenAPIMediaType(schema=schema)}
            )

    return OperationWithBody


def _detail(description: str, example: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=ErrorDetail,
        description=description,
        generate_examples=False,
        examples=[Example(value={"detail": example})],
    )


def _field_errors(example: FieldErrors) -> ResponseSpec:
    return ResponseSpec(
        data_container=FieldErrors,
        description=(
            "Invalid input: the messages of each bad field, or `non_field_errors` for a body "
            'that is not a JSON object. A malformed Host header gets `{"detail": ...}`.'
        ),
        generate_examples=False,
        examples=[Example(value=example)],
    )


_RESPONSES = {
    400: _detail("A malformed request, such as a bad Host header.", "Invalid host header"),
    401: _detail(
        "No credentials, or credentials that cannot be accepted (`WWW-Authenticate: Token`).",
        "Authentication credentials were not provided.",
    ),
    403: _detail(
        "Authenticated, but neither an active admin nor active staff holding the code.",
        "You do not have permission to perform this action.",
    ),
    404: _detail("No object has this id (or the id is malformed), or no such page.", "Not found."),
    409: _detail(
        "Still referred to: the message names the referrers.",
        'Cannot delete this tag: it is used by portfolio 3 "web design".',
    ),
    413: _detail("The body is larger than the route accepts.", "Request Entity Too Large"),
    503: _detail(
        "The database does not answer; `Retry-After` says when to try again.",
        "The service is temporarily unavailable; try again shortly.",
    ),
}


def responses(*statuses: int, fields: FieldErrors | None = None) -> dict[int, ResponseSpec]:
    """The error responses a route can give: 400, 401, 403 and 503 for every route.

    A route that checks fields of its body or query passes an example of its field errors,
    and its 400 is documented as field errors.
    """
    chosen = {status: _RESPONSES[status] for status in sorted({400, 401, 403, 503, *statuses})}
    if fields is not None:
        chosen[400] = _field_errors(fields)
    return chosen


def upload_responses(example: FieldErrors) -> dict[int, ResponseSpec]:
    """The error responses of an upload: field errors, body errors and the size limit."""
    chosen = responses(413)
    chosen[400] = ResponseSpec(
        data_container=FieldErrors,
        description=(
            "A refused file or name, as field errors: none sent, empty, unreadable or "
            "contradicting its extension, or an image with too many pixels. A body that is "
            f'not {MULTIPART} or cannot be parsed gets `{{"detail": ...}}`.'
        ),
        generate_examples=False,
        examples=[Example(value=example)],
    )
    chosen[413] = _detail(
        "The file is larger than `PORTFOLIO_MAX_UPLOAD_BYTES`, a text part larger than 16 KB, "
        "or the body larger than both with its framing: cut off there as it streams, whether "
        "or not it announced its length.",
        "The file is larger than the 20.00 MB accepted.",
    )
    return chosen


SEARCH_TOO_LONG: FieldErrors = {"search": ["Ensure this field has no more than 200 characters."]}
"""The field error every list can answer."""


def openapi_config(version: str) -> OpenAPIConfig:
    """The schema at ``/schema/openapi.json`` and Swagger UI at ``/schema``."""
    return OpenAPIConfig(
        title="Portfolio service",
        version=version,
        description=(
            "The API an admin panel and a website call to manage and show delivered projects. "
            "Every `/api/` route needs `Authorization: Token <key>`; see docs/api.md."
        ),
        path="/schema",
        render_plugins=[
            SwaggerRenderPlugin(
                path="/",
                js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
            )
        ],
        components=Components(
            security_schemes={
                "Token": SecurityScheme(
                    type="apiKey",
                    name="Authorization",
                    security_scheme_in="header",
                    description="`Token <key>`; the keyword is case-insensitive.",
                )
            },
        ),
    )
