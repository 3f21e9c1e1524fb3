"""The OpenAPI document: what Litestar cannot infer from the handlers, and hand-written schemas
named as components."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from litestar import Request, Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    Example,
    Link,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
    SecurityRequirement,
    SecurityScheme,
)
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from portfolio.application.ids import MAX_ID
from portfolio.entrypoints.http.errors import (
    NOT_AUTHENTICATED,
    NOT_FOUND,
    PERMISSION_DENIED,
    SERVER_ERROR,
    UNAVAILABLE,
)
from portfolio.entrypoints.http.origin import INVALID_HOST
from portfolio.entrypoints.http.retries import (
    IDEMPOTENCY_KEY,
    IN_PROGRESS,
    KEY_CHARACTERS,
    KEY_MAX_LENGTH,
    KEY_REUSED,
    REPLAYED,
)
from portfolio.entrypoints.http.wire import ErrorDetail

TOKEN: list[SecurityRequirement] = [{"Token": []}]
"""The security requirement of every ``/api/`` route."""

FieldErrors = dict[str, list[str]]
"""``{"field": ["message", ...]}``, or ``{"non_field_errors": [...]}``."""

JSON = "application/json"
COMPONENTS = "#/components/schemas/"

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


ID_SCHEMA = Schema(type=OpenAPIType.INTEGER, minimum=1, maximum=MAX_ID, examples=[1])
"""An id as clients send it: a positive 64-bit integer."""

FIELD_ERRORS = Schema(
    type=OpenAPIType.OBJECT,
    title="FieldErrors",
    additional_properties=Schema(
        type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING), min_items=1
    ),
    description=(
        "The messages of each bad field, or `non_field_errors` for a body that is not a JSON "
        "object."
    ),
)


def as_parameter(schema: Schema) -> dict[str, Any]:
    """``schema_extra`` documenting a parameter read as an optional string as ``schema`` alone."""
    extra = {f.name: getattr(schema, f.name) for f in fields(schema)}
    return {name: value for name, value in extra.items() if value is not None} | {"one_of": None}


def documented(
    *,
    body: Schema | None = None,
    media_type: str = JSON,
    body_required: bool = True,
    body_example: Mapping[str, Any] | None = None,
    fields: FieldErrors | None = None,
    links: Mapping[str, Link] | None = None,
    public: bool = False,
    retried: bool = False,
    conditional: bool = False,
    query: Sequence[Parameter] = (),
) -> type[Operation]:
    """An Operation with what Litestar cannot see: the body and query the handler reads itself,
    its 400's field errors, a 201's links and retry key, a 200's ETag, no credentials."""

    @dataclass
    class DocumentedOperation(Operation):
        def __post_init__(self) -> None:
            if body is not None:
                examples: dict[str, Example | Reference] | None = None
                if body_example is not None:
                    examples = {"example": Example(value=body_example)}
                self.request_body = RequestBody(
                    required=body_required,
                    content={media_type: OpenAPIMediaType(schema=body, examples=examples)},
                )
            # Litestar always makes the success answer, and here the error answers too.
            answers = self.responses or {}
            if fields is not None:
                answers["400"] = _bad_request(fields)
            created = answers.get("201")
            if links and isinstance(created, OpenAPIResponse):
                created.links = dict(links)
            if query:
                self.parameters = [*(self.parameters or []), *query]
            if retried:
                self.parameters = [*(self.parameters or []), _RETRY_KEY]
                if isinstance(created, OpenAPIResponse):
                    created.headers = {**(created.headers or {}), REPLAYED: _REPLAYED_HEADER}
            found = answers.get("200")
            if conditional and isinstance(found, OpenAPIResponse):
                found.headers = {**(found.headers or {}), "ETag": _ETAG_HEADER}
            self.responses = answers
            if public:
                self.security = []

    return DocumentedOperation


_RETRY_KEY = Parameter(
    name=IDEMPOTENCY_KEY,
    param_in="header",
    required=False,
    schema=Schema(
        type=OpenAPIType.STRING,
        min_length=1,
        max_length=KEY_MAX_LENGTH,
        pattern=f"^{KEY_CHARACTERS}+$",
        examples=["6f1e0a52-8c0e-4c1e-9d7e-2b1f0c3a9e11"],
    ),
    description=(
        "Makes the create safe to retry: a retry with the same key and the same body within "
        "24 hours gets the first answer (with `Idempotent-Replayed: true`) and makes nothing. "
        "The key is the caller's own (a UUID does well); the same key with a different body "
        "or on another route is 422, and while the first request is still being served 409. "
        "Only successes are kept: after an error, the same key may be sent again."
    ),
)
_REPLAYED_HEADER = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.STRING, enum=["true"]),
    description=f"Present when this is the first answer, repeated for a retry under the same "
    f"`{IDEMPOTENCY_KEY}`.",
)


_ETAG_HEADER = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.STRING),
    description="A strong tag over the exact bytes of this answer; it changes whenever "
    "anything shown changes, nested objects included.",
)


def _bad_request(example: FieldErrors) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=(
            "Invalid input, as field errors. A request that cannot be read at all gets "
            '`{"detail": ...}` instead (a malformed Host header, a body the framework refuses).'
        ),
        content={
            JSON: OpenAPIMediaType(
                schema=Schema(any_of=[FIELD_ERRORS, Reference(ref=f"{COMPONENTS}ErrorDetail")]),
                examples={
                    "fields": Example(value=example),
                    "detail": Example(value={"detail": INVALID_HOST}),
                },
            )
        },
    )


def links_to(operations: Mapping[str, str]) -> dict[str, Link]:
    """Links from a 201 to the operations (named by their ids) that take the new id as ``id``."""
    return {
        name: Link(
            operation_id=operation_id,
            parameters={"id": "$response.body#/id"},
            description="The object just created.",
        )
        for name, operation_id in operations.items()
    }


def links_into(fields: Mapping[str, str]) -> dict[str, Link]:
    """Links from a 201 to creates (by operation id) whose body field, named beside, takes it."""
    return {
        operation_id: Link(
            operation_id=operation_id,
            request_body={field: "$response.body#/id"},
            description=f"Its `{field}` is the object just created.",
        )
        for operation_id, field in fields.items()
    }


def _detail(description: str, example: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=ErrorDetail,
        description=description,
        generate_examples=False,
        examples=[Example(value={"detail": example})],
    )


_RESPONSES = {
    # A conditional GET's.
    304: ResponseSpec(
        data_container=None,
        generate_examples=False,
        description="Not modified: the request's `If-None-Match` header holds the current "
        "`ETag` (weak comparison; a list matches if any member does; `*` always matches). "
        "No body; `ETag`, `Cache-Control` and `Vary` as the 200 would have them.",
    ),
    400: _detail(
        "A request that cannot be read: a malformed Host header, or one the framework refuses "
        "(`Malformed request.`).",
        INVALID_HOST,
    ),
    401: _detail(
        "No credentials, or credentials that cannot be accepted (`WWW-Authenticate: Token`).",
        NOT_AUTHENTICATED,
    ),
    403: _detail(
        "Authenticated, but neither an active admin nor active staff holding the code.",
        PERMISSION_DENIED,
    ),
    404: _detail("No object has this id (or the id is malformed), or no such page.", NOT_FOUND),
    409: _detail(
        "Still referred to: the message names the referrers.",
        'Cannot delete this tag: it is used by portfolio 3 "web design".',
    ),
    413: _detail(
        "The body is larger than the route accepts.",
        "The request body is larger than the 1.00 MB accepted.",
    ),
    429: _detail(
        "Too many failures from this client address or, on sign-in, for this username "
        "(from this address, or from all together); `Retry-After` says when to try again.",
        "Request was throttled. Expected available in 42 seconds.",
    ),
    500: _detail(
        "A fault of the service; the traceback goes to its log, never to the client.",
        SERVER_ERROR,
    ),
    503: _detail(
        "The database does not answer; `Retry-After` says when to try again.",
        UNAVAILABLE,
    ),
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """The answers of ``statuses``, 400 and 500: ``{"detail": ...}``, but for a 304."""
    return {status: _RESPONSES[status] for status in sorted({400, 500, *statuses})}


def responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The error answers of an ``/api/`` route: ``statuses``, 401, 403, 429 and 503."""
    return errors(401, 403, 429, 503, *statuses)


def with_answer(
    chosen: dict[int, ResponseSpec], status: int, description: str, example: str
) -> dict[int, ResponseSpec]:
    """``chosen`` with the ``{"detail": ...}`` answer of ``status`` described for one route."""
    return {**chosen, status: _detail(description, example)}


def admins_only(chosen: dict[int, ResponseSpec]) -> dict[int, ResponseSpec]:
    """``chosen`` with the 403 of a route no permission code opens."""
    return with_answer(
        chosen,
        403,
        "Authenticated, but not an active admin (no permission code grants this).",
        PERMISSION_DENIED,
    )


def read_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The answers of a GET: ``statuses``, those of every ``/api/`` route, and 304."""
    return responses(304, *statuses)


def create_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The error answers of a create: an ``/api/`` route's, and its retry key's 409 and 422."""
    chosen = responses(*statuses)
    chosen[409] = _detail(
        f"A request under the same `{IDEMPOTENCY_KEY}` is still being served; "
        "`Retry-After` says when to send it again.",
        IN_PROGRESS,
    )
    chosen[422] = _detail(
        f"The `{IDEMPOTENCY_KEY}` was already used for a different request (another body or "
        "route) in the last 24 hours.",
        KEY_REUSED,
    )
    return dict(sorted(chosen.items()))


def upload_responses() -> dict[int, ResponseSpec]:
    """The error answers of an upload: the size limit is the file's."""
    return with_answer(
        create_responses(413),
        413,
        "The file is larger than `PORTFOLIO_MAX_UPLOAD_BYTES`, a text part larger than 16 KB, "
        "or the body larger than both with its framing: cut off there as it streams, whether "
        "or not it announced its length.",
        "The file is larger than the 20.00 MB accepted.",
    )


def named_components(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with every titled hand-written schema moved into ``components.schemas``
    (Litestar lists only its own there), and every component titled with its name."""
    finished: dict[str, Any] = copy.deepcopy(dict(document))
    components: dict[str, Any] = finished.setdefault("components", {}).setdefault("schemas", {})
    for item in finished.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            contents = [operation.get("requestBody", {}).get("content", {})]
            contents += [answer.get("content", {}) for answer in operation["responses"].values()]
            for content in contents:
                for media in content.values():
                    if "schema" in media:
                        media["schema"] = _named(media["schema"], components)
    # Generated clients name their classes after titles, and Litestar titles a page of tags
    # "Page[TagData]": each component is titled with its name.
    for name, component in components.items():
        component["title"] = name
    finished["components"]["schemas"] = dict(sorted(components.items()))
    return finished


def _named(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in schema:
        schema["anyOf"] = [_named(choice, components) for choice in schema["anyOf"]]
    title = schema.get("title")
    if title is None or "$ref" in schema:
        return schema
    if components.setdefault(title, schema) != schema:
        raise ValueError(f"two different schemas are titled {title}")
    return {"$ref": f"{COMPONENTS}{title}"}


class _Finished:
    """The served document, made once from each document Litestar generates (and caches)."""

    def __init__(self) -> None:
        self._generated: dict[str, Any] | None = None
        self._finished: dict[str, Any] = {}

    def __call__(self, generated: dict[str, Any]) -> dict[str, Any]:
        if generated is not self._generated:
            self._finished = named_components(generated)
            self._generated = generated
        return self._finished


class _JsonDocument(JsonRenderPlugin):
    """``/schema/openapi.json``: the finished document."""

    def __init__(self, finished: _Finished) -> None:
        super().__init__()
        self._finish = finished

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, self._finish(openapi_schema))


# The Authorize dialog's field is titled "Token (apiKey)", which invites the bare key: every
# request the page sends gets the keyword added when the header lacks it.
_ADD_TOKEN_KEYWORD = b"""
                  requestInterceptor: (request) => {
                    const value = request.headers.Authorization;
                    if (value && !/^\\s*token\\s/i.test(value)) {
                      request.headers.Authorization = 'Token ' + value.trim();
                    }
                    return request;
                  },"""
_AFTER = b"dom_id: '#swagger-container',"


class _SwaggerPage(SwaggerRenderPlugin):
    """``/schema``: Swagger UI, served by the service, a bare key taken as ``Token <key>``."""

    def __init__(self, finished: _Finished) -> None:
        super().__init__(
            path="/",
            js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{SWAGGER_ASSETS}/favicon-32x32.png'>",
        )
        self._finish = finished

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        page = super().render(request, self._finish(openapi_schema))
        if _AFTER not in page:
            raise RuntimeError("Swagger UI's page changed shape; the interceptor has no place")
        return page.replace(_AFTER, _AFTER + _ADD_TOKEN_KEYWORD, 1)


def openapi_config(version: str) -> OpenAPIConfig:
    """The schema at ``/schema/openapi.json`` and Swagger UI at ``/schema``."""
    finished = _Finished()
    return OpenAPIConfig(
        title="Portfolio service",
        version=version,
        description=(
            "The API an admin panel and a website call to manage and show delivered projects. "
            "Every `/api/` route but the sign-in (`POST /api/auth/token/`) needs "
            "`Authorization: Token <key>`; see docs/api.md. A key that fails from a client "
            "address with too many failed token authentications is answered 429 with "
            "`Retry-After` instead of 401, on any of them. A method a path does not list is "
            "answered 405 with `Allow`; `OPTIONS` answers 204 with `Allow` and needs no token. "
            "Before any route, the server answers 431 (or closes the connection) for a request "
            "head over `PORTFOLIO_HTTP_MAX_HEADER_BYTES` or with more than 100 headers, and "
            "closes a connection whose head is not complete within "
            "`PORTFOLIO_HTTP_HEADER_TIMEOUT`; a body whose next piece does not arrive within "
            "`PORTFOLIO_HTTP_BODY_TIMEOUT`, or slower on average than "
            "`PORTFOLIO_HTTP_BODY_MIN_RATE` once waited for that long, is answered 408 "
            '`{"detail": ...}` and the connection closed. '
            "Every `/api/` answer is the caller's own "
            "(`Cache-Control: private, no-cache`, `Vary: Authorization`); a GET's 200 has an "
            "`ETag`, and `If-None-Match` is answered 304. Creates take an `Idempotency-Key`."
        ),
        path="/schema",
        render_plugins=[_SwaggerPage(finished), _JsonDocument(finished)],
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
