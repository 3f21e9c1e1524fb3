"""The shared objects portfolios refer to, each declared once: employers, tags, links, meta.

Each has its wire Struct (named and ordered as the API document), its presenter, its form
and its declaration side by side: a new field is added here and nowhere else in HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, get_type_hints

import msgspec

from portfolio.domain import (
    Employer,
    EmployerNotFound,
    Link,
    LinkNotFound,
    Meta,
    MetaNotFound,
    NotFound,
    Resource,
    Tag,
    TagNotFound,
)
from portfolio.entrypoints.http.forms import Field, Form, Reference, Text, Url
from portfolio.entrypoints.http.openapi import FieldErrors
from portfolio.entrypoints.http.presenters import UrlFor, file_data, optional_image_data
from portfolio.entrypoints.http.resources import DELETE, LIST, REPLACE, UPDATE, Declared
from portfolio.entrypoints.http.schemas import FileData, ImageData

DataT = TypeVar("DataT")

_NO_SUCH_MEDIA = ['Invalid pk "999" - object does not exist.']
_IMAGE = Field("image", "image_id", Reference(), nullable=True, description="A media id.")
_DESCRIPTION = Field("description", "description", Text(max_length=5000, blank=True), nullable=True)


class EmployerData(msgspec.Struct):
    """The client a project was delivered for (``employer_data``)."""

    id: int
    name: str
    image_data: ImageData | None
    description: str | None


def employer_data(employer: Employer, url_for: UrlFor) -> EmployerData:
    """An employer object."""
    return EmployerData(
        id=employer.id,
        name=employer.name,
        image_data=optional_image_data(employer.image, url_for),
        description=employer.description,
    )


EMPLOYER_FORM = Form(
    name="Employer",
    example={"name": "Digikala", "description": "An online shop."},
    fields=(
        Field("name", "name", Text(max_length=200), required=True, description="Unique."),
        _DESCRIPTION,
        _IMAGE,
    ),
    read_only=frozenset({"id", "image_data"}),
)


class TagData(msgspec.Struct):
    """A tag (``tags_data`` items)."""

    id: int
    name: str
    image_data: ImageData | None


def tag_data(tag: Tag, url_for: UrlFor) -> TagData:
    """A tag object."""
    return TagData(id=tag.id, name=tag.name, image_data=optional_image_data(tag.image, url_for))


TAG_FORM = Form(
    name="Tag",
    example={"name": "web"},
    fields=(
        Field("name", "name", Text(max_length=200), required=True, description="Unique."),
        _IMAGE,
    ),
    read_only=frozenset({"id", "image_data"}),
)


class LinkData(msgspec.Struct):
    """A related link (``links_data`` items)."""

    id: int
    name: str
    url: str | None
    image_data: ImageData | None
    description: str | None


def link_data(link: Link, url_for: UrlFor) -> LinkData:
    """A link object."""
    return LinkData(
        id=link.id,
        name=link.name,
        url=link.url,
        image_data=optional_image_data(link.image, url_for),
        description=link.description,
    )


LINK_FORM = Form(
    name="Link",
    example={"name": "Live site", "url": "https://example.com/", "description": "The shop."},
    fields=(
        Field("name", "name", Text(max_length=200), required=True, description="Not unique."),
        Field("url", "url", Url(max_length=2000), nullable=True, description="http or https."),
        _DESCRIPTION,
        _IMAGE,
    ),
    read_only=frozenset({"id", "image_data"}),
)


class MetaData(msgspec.Struct):
    """A meta entry (``meta`` items)."""

    id: int
    key: str
    value_text: str | None
    value_file: FileData | None


def meta_data(meta: Meta, url_for: UrlFor) -> MetaData:
    """A meta object; its file, if any, as a plain file object."""
    return MetaData(
        id=meta.id,
        key=meta.key,
        value_text=meta.value_text,
        value_file=None if meta.value_file is None else file_data(meta.value_file, url_for),
    )


META_FORM = Form(
    name="Meta",
    example={"key": "client_quote", "value_text": "On time and on budget."},
    fields=(
        Field("key", "key", Text(max_length=200), required=True, description="Not unique."),
        Field("value_text", "value_text", Text(max_length=50_000, blank=True), nullable=True),
        Field(
            "value_file",
            "value_file_id",
            Reference(),
            nullable=True,
            description="A media id; read back as a file object.",
        ),
    ),
    read_only=frozenset({"id"}),
)


def _shared(
    resource: Resource,
    form: Form,
    present: Callable[[Any, UrlFor], DataT],
    missing: type[NotFound],
    *,
    path: str,
    singular: str,
    plural: str,
    searched: str,
    held_by: str,
    invalid_example: FieldErrors,
) -> Declared[Any, DataT]:
    data = get_type_hints(present)["return"]
    return Declared(
        resource=resource,
        path=path,
        name=form.name,
        singular=singular,
        plural=plural,
        data=data,
        present=present,
        missing=missing,
        form=form,
        invalid_example=invalid_example,
        notes={
            LIST: f"By id, 20 a page; `?search=` looks in the {searched}.",
            REPLACE: f"The whole {singular}; fields left out take their defaults.",
            UPDATE: "Only the fields sent change.",
            DELETE: f"Refused (409) while {held_by}.",
        },
    )


EMPLOYERS = _shared(
    Resource.EMPLOYERS,
    EMPLOYER_FORM,
    employer_data,
    EmployerNotFound,
    path="employers",
    singular="employer",
    plural="employers",
    searched="name",
    held_by="a portfolio names the employer",
    invalid_example={"name": ["employer with this name already exists."]},
)
TAGS = _shared(
    Resource.TAGS,
    TAG_FORM,
    tag_data,
    TagNotFound,
    path="tags",
    singular="tag",
    plural="tags",
    searched="name",
    held_by="a portfolio holds the tag",
    invalid_example={"name": ["tag with this name already exists."]},
)
LINKS = _shared(
    Resource.LINKS,
    LINK_FORM,
    link_data,
    LinkNotFound,
    path="links",
    singular="link",
    plural="links",
    searched="name",
    held_by="a portfolio holds the link",
    invalid_example={"image": _NO_SUCH_MEDIA},
)
META = _shared(
    Resource.META,
    META_FORM,
    meta_data,
    MetaNotFound,
    path="meta",
    singular="meta entry",
    plural="meta entries",
    searched="key",
    held_by="a portfolio holds the entry",
    invalid_example={"value_file": _NO_SUCH_MEDIA},
)
