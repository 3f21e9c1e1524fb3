"""What the write side stores: new media and the fields of each catalogue object.

Updates are "changes": a mapping from some of a ``*Fields`` class's attribute names to new
values; whatever is left out keeps its current value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from portfolio.domain import (
    Employer,
    EmployerNotFound,
    Link,
    LinkNotFound,
    Meta,
    MetaNotFound,
    NotFound,
    Tag,
    TagNotFound,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FieldsT = TypeVar("FieldsT", bound="DataclassInstance")
EntityT = TypeVar("EntityT")


@dataclass(frozen=True, slots=True)
class NewThumbnail:
    """A thumbnail file already stored under ``key``, fitted into a ``size`` box."""

    key: str
    size: int


@dataclass(frozen=True, slots=True)
class NewImage:
    """What an image adds to its file: its pixel size and colour mode, its thumbnails (already
    stored) and its placeholder. One value, as a file has all of these or none (the database
    checks the same of width, height and mode)."""

    width: int
    height: int
    mode: str
    thumbnails: tuple[NewThumbnail, ...] = ()
    placeholder: str | None = None


@dataclass(frozen=True, slots=True)
class NewMedia:
    """A file already stored under ``key``; ``image`` when it was ingested as an image."""

    key: str
    type: str
    name: str
    size: int
    image: NewImage | None = None


@dataclass(frozen=True, slots=True)
class EmployerFields:
    """What a client of the company is made of."""

    name: str
    description: str | None = None
    image_id: int | None = None


@dataclass(frozen=True, slots=True)
class TagFields:
    """What a tag is made of."""

    name: str
    image_id: int | None = None


@dataclass(frozen=True, slots=True)
class LinkFields:
    """What a link is made of."""

    name: str
    url: str | None = None
    description: str | None = None
    image_id: int | None = None


@dataclass(frozen=True, slots=True)
class MetaFields:
    """What a meta entry is made of."""

    key: str
    value_text: str | None = None
    value_file_id: int | None = None


@dataclass(frozen=True, slots=True)
class SharedKind(Generic[FieldsT, EntityT]):
    """One kind of object portfolios share, declared once: its use case, its Postgres and
    in-memory stores and the composition root's providers follow from it (``SHARED_KINDS``).

    A new kind is its entity, its ``*Fields`` record and this declaration; its permission
    code, its HTTP declaration (``entrypoints/http/shared_objects.py``) and its table.
    """

    name: str
    """Singular: what the audit log, the change feed and an InUse refusal call it."""
    plural: str
    """Its table, and the key the composition root files its store and use case under."""
    fields: type[FieldsT]
    """What it is made of; an attribute ending in ``_id`` is a media id."""
    entity: type[EntityT]
    missing: type[NotFound] = NotFound
    """Raised for an id that names none: the base NotFound unless callers tell kinds apart."""
    search: str = "name"
    """The field ``?search=`` looks in."""
    unique: str | None = None
    """A field no two may share."""
    held_by: str | None = None
    """The PortfolioFields attribute that refers to it (None: no portfolio does)."""


EMPLOYERS = SharedKind(
    "employer",
    "employers",
    EmployerFields,
    Employer,
    EmployerNotFound,
    unique="name",
    held_by="employer_id",
)
TAGS = SharedKind("tag", "tags", TagFields, Tag, TagNotFound, unique="name", held_by="tag_ids")
LINKS = SharedKind("link", "links", LinkFields, Link, LinkNotFound, held_by="link_ids")
META = SharedKind("meta", "meta", MetaFields, Meta, MetaNotFound, search="key", held_by="meta_ids")
SHARED_KINDS: tuple[SharedKind[Any, Any], ...] = (EMPLOYERS, TAGS, LINKS, META)
"""Every kind of shared object."""


@dataclass(frozen=True, slots=True)
class PortfolioFields:
    """What a portfolio is made of; the id lists keep their order."""

    title: str
    slug: str
    excerpt: str = ""
    order: int = 0
    image_id: int | None = None
    employer_id: int | None = None
    is_active: bool = True
    completed_at: datetime | None = None
    description: str | None = None
    tag_ids: tuple[int, ...] = ()
    link_ids: tuple[int, ...] = ()
    image_ids: tuple[int, ...] = ()
    meta_ids: tuple[int, ...] = ()
    publish_at: datetime | None = None
    unpublish_at: datetime | None = None


def as_changes(record: DataclassInstance) -> dict[str, Any]:
    """Every field of ``record`` as a changes mapping: what replacing a whole object writes."""
    return {field.name: getattr(record, field.name) for field in fields(record)}


@dataclass(frozen=True, slots=True)
class NewUser:
    """What a new user is made of; without a password hash they cannot sign in with one."""

    username: str
    is_staff: bool = False
    is_admin: bool = False
    is_active: bool = True
    permissions: frozenset[int] = frozenset()
    password_hash: str | None = None


@dataclass(frozen=True, slots=True)
class UserChanges:
    """What an update changes in a user; None leaves a value as it is."""

    username: str | None = None
    is_staff: bool | None = None
    is_admin: bool | None = None
    is_active: bool | None = None
    permissions: frozenset[int] | None = None
    """The whole set of codes the user holds after the change."""
