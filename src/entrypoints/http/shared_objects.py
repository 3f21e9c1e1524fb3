"""The shared objects portfolios refer to, each declared once: employers, tags, links, meta."""

from __future__ import annotations

from typing import Any

from domain import (
    EmployerNotFound,
    LinkNotFound,
    MetaNotFound,
    Resource,
    TagNotFound,
)
from entrypoints.http.forms import Field, Form, Reference, Text, Url
from entrypoints.http.presenters import employer_data, link_data, meta_data, tag_data
from entrypoints.http.resources import SharedObject
from entrypoints.http.schemas import EmployerData, LinkData, MetaData, TagData

_NO_SUCH_MEDIA = ['Invalid pk "999" - object does not exist.']
_IMAGE = Field("image", "image_id", Reference(), nullable=True, description="A media id.")
_DESCRIPTION = Field("description", "description", Text(max_length=5000, blank=True), nullable=True)

EMPLOYER_FORM = Form(
    name="Employer",
    fields=(
        Field("name", "name", Text(max_length=200), required=True, description="Unique."),
        _DESCRIPTION,
        _IMAGE,
    ),
    read_only=frozenset({"id", "image_data"}),
)

TAG_FORM = Form(
    name="Tag",
    fields=(
        Field("name", "name", Text(max_length=200), required=True, description="Unique."),
        _IMAGE,
    ),
    read_only=frozenset({"id", "image_data"}),
)

LINK_FORM = Form(
    name="Link",
    fields=(
        Field("name", "name", Text(max_length=200), required=True, description="Not unique."),
        Field("url", "url", Url(max_length=2000), nullable=True, description="http or https."),
        _DESCRIPTION,
        _IMAGE,
    ),
    read_only=frozenset({"id", "image_data"}),
)

META_FORM = Form(
    name="Meta",
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

EMPLOYERS: SharedObject[Any, EmployerData] = SharedObject(
    resource=Resource.EMPLOYERS,
    path="employers",
    singular="employer",
    plural="employers",
    form=EMPLOYER_FORM,
    data=EmployerData,
    present=employer_data,
    missing=EmployerNotFound,
    searched="name",
    held_by="a portfolio names the employer",
    invalid_example={"name": ["employer with this name already exists."]},
)

TAGS: SharedObject[Any, TagData] = SharedObject(
    resource=Resource.TAGS,
    path="tags",
    singular="tag",
    plural="tags",
    form=TAG_FORM,
    data=TagData,
    present=tag_data,
    missing=TagNotFound,
    searched="name",
    held_by="a portfolio holds the tag",
    invalid_example={"name": ["tag with this name already exists."]},
)

LINKS: SharedObject[Any, LinkData] = SharedObject(
    resource=Resource.LINKS,
    path="links",
    singular="link",
    plural="links",
    form=LINK_FORM,
    data=LinkData,
    present=link_data,
    missing=LinkNotFound,
    searched="name",
    held_by="a portfolio holds the link",
    invalid_example={"image": _NO_SUCH_MEDIA},
)

META: SharedObject[Any, MetaData] = SharedObject(
    resource=Resource.META,
    path="meta",
    singular="meta entry",
    plural="meta entries",
    form=META_FORM,
    data=MetaData,
    present=meta_data,
    missing=MetaNotFound,
    searched="key",
    held_by="a portfolio holds the entry",
    invalid_example={"value_file": _NO_SUCH_MEDIA},
)

SHARED_OBJECTS = (EMPLOYERS, TAGS, LINKS, META)
"""Every declared shared object, in the order their routes are listed."""
