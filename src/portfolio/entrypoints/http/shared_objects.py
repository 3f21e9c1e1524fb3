"""The shared objects portfolios refer to, each declared once (wire Struct, form, declaration):
employers, tags, links, meta. Their endpoints are the generic ``FormEndpoints``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import msgspec

from portfolio.domain import (
    EmployerNotFound,
    LinkNotFound,
    MetaNotFound,
    NotFound,
    TagNotFound,
)
from portfolio.domain import Resource as Code
from portfolio.entrypoints.http.forms import JSON_BODY_LIMIT, Field, Form, Reference, Text, Url
from portfolio.entrypoints.http.openapi import FieldErrors
from portfolio.entrypoints.http.resource import (
    DELETE,
    LIST,
    REPLACE,
    UPDATE,
    FormEndpoints,
    Manages,
    Resource,
)
from portfolio.entrypoints.http.wire import FileData, ImageData

_NO_SUCH_MEDIA = ['Invalid pk "999" - object does not exist.']
_IMAGE = Field("image", Reference(), attribute="image_id", nullable=True, description="A media id.")
_DESCRIPTION = Field("description", Text(max_length=5000, blank=True), nullable=True)


class EmployerData(msgspec.Struct, gc=False):
    """The client a project was delivered for (``employer_data``)."""

    id: int
    name: str
    image_data: ImageData | None
    description: str | None


EMPLOYER_FORM = Form(
    name="Employer",
    example={"name": "Digikala", "description": "An online shop."},
    fields=(
        Field("name", Text(max_length=200), required=True, description="Unique."),
        _DESCRIPTION,
        _IMAGE,
    ),
    shows=EmployerData,
)


class TagData(msgspec.Struct, gc=False):
    """A tag (``tags_data`` items)."""

    id: int
    name: str
    image_data: ImageData | None


TAG_FORM = Form(
    name="Tag",
    example={"name": "web"},
    fields=(
        Field("name", Text(max_length=200), required=True, description="Unique."),
        _IMAGE,
    ),
    shows=TagData,
)


class LinkData(msgspec.Struct, gc=False):
    """A related link (``links_data`` items)."""

    id: int
    name: str
    url: str | None
    image_data: ImageData | None
    description: str | None


LINK_FORM = Form(
    name="Link",
    example={"name": "Live site", "url": "https://example.com/", "description": "The shop."},
    fields=(
        Field("name", Text(max_length=200), required=True, description="Not unique."),
        Field("url", Url(max_length=2000), nullable=True, description="http or https."),
        _DESCRIPTION,
        _IMAGE,
    ),
    shows=LinkData,
)


class MetaData(msgspec.Struct, gc=False):
    """A meta entry (``meta`` items)."""

    id: int
    key: str
    value_text: str | None
    value_file: FileData | None


META_FORM = Form(
    name="Meta",
    example={"key": "client_quote", "value_text": "On time and on budget."},
    fields=(
        Field("key", Text(max_length=200), required=True, description="Not unique."),
        Field("value_text", Text(max_length=50_000, blank=True), nullable=True),
        Field(
            "value_file",
            Reference(),
            attribute="value_file_id",
            nullable=True,
            description="A media id; read back as a file object.",
        ),
    ),
    shows=MetaData,
)


def _shared(
    code: Code,
    form: Form,
    data: type[Any],
    *,
    invalid_example: FieldErrors,
    missing: type[NotFound] = NotFound,
    held_by: str | None = None,
    searched: str = "name",
    path: str = "",
    singular: str = "",
    plural: str = "",
) -> Resource[Any]:
    named: Resource[Any] = Resource(
        code, data, missing, singular=singular, plural=plural, path=path
    )
    notes = {
        LIST: f"By id, 20 a page; `?search=` looks in the {searched}.",
        REPLACE: f"The whole {named.singular}; fields left out take their defaults.",
        UPDATE: "Only the fields sent change.",
    }
    return replace(
        named,
        form=form,
        body_limit=JSON_BODY_LIMIT,
        invalid_example=invalid_example,
        # Held by nothing (None): a delete is never refused for being in use.
        notes=notes if held_by is None else {**notes, DELETE: f"Refused (409) while {held_by}."},
        deletes_refused_in_use=held_by is not None,
    )


EMPLOYERS = _shared(
    Code.EMPLOYERS,
    EMPLOYER_FORM,
    EmployerData,
    missing=EmployerNotFound,
    held_by="a portfolio names the employer",
    invalid_example={"name": ["employer with this name already exists."]},
)
TAGS = _shared(
    Code.TAGS,
    TAG_FORM,
    TagData,
    missing=TagNotFound,
    held_by="a portfolio holds the tag",
    invalid_example={"name": ["tag with this name already exists."]},
)
LINKS = _shared(
    Code.LINKS,
    LINK_FORM,
    LinkData,
    missing=LinkNotFound,
    held_by="a portfolio holds the link",
    invalid_example={"image": _NO_SUCH_MEDIA},
)
META = _shared(
    Code.META,
    META_FORM,
    MetaData,
    missing=MetaNotFound,
    path="meta",
    singular="meta entry",
    plural="meta entries",
    searched="key",
    held_by="a portfolio holds the entry",
    invalid_example={"value_file": _NO_SUCH_MEDIA},
)
SHARED_RESOURCES = (EMPLOYERS, TAGS, LINKS, META)
"""Every kind's declaration (a path is its kind's plural, ``SharedKind``)."""


def shared_endpoints(manage: Mapping[str, Manages[Any]], **uses: Any) -> dict[str, Any]:
    """Every kind's endpoints, by path: the generic ones over its use case."""
    return {
        resource.path: FormEndpoints(resource=resource, manage=manage[resource.path], **uses)
        for resource in SHARED_RESOURCES
    }
