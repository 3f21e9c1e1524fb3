"""Wire objects: a msgspec Struct per JSON object, named and ordered as the API document."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import KwargDefinition

T = TypeVar("T")


class ThumbnailData(msgspec.Struct):
    """A thumbnail; ``size`` is the edge of its square box (64, 128, 512 or 1080)."""

    id: int
    f: str
    size: int


class ImageData(msgspec.Struct):
    """A stored image (``image_data`` and ``images_data`` items)."""

    id: int
    type: str
    name: str
    size: int
    human_readable_size: str
    f: str
    width: int | None
    height: int | None
    mode: str | None
    thumbnails: list[ThumbnailData]


class FileData(msgspec.Struct):
    """A stored file of any kind (``meta[].value_file``)."""

    id: int
    type: str
    name: str
    size: int
    human_readable_size: str
    f: str


class EmployerData(msgspec.Struct):
    """The client a project was delivered for (``employer_data``)."""

    id: int
    name: str
    image_data: ImageData | None
    description: str | None


class TagData(msgspec.Struct):
    """A tag (``tags_data`` items)."""

    id: int
    name: str
    image_data: ImageData | None


class LinkData(msgspec.Struct):
    """A related link (``links_data`` items)."""

    id: int
    name: str
    url: str | None
    image_data: ImageData | None
    description: str | None


class MetaData(msgspec.Struct):
    """A meta entry (``meta`` items)."""

    id: int
    key: str
    value_text: str | None
    value_file: FileData | None


class PortfolioData(msgspec.Struct):
    """A whole portfolio, exactly as ``GET /api/portfolios/{id}`` returns it."""

    id: int
    title: str
    slug: str
    excerpt: str
    order: int
    image_data: ImageData | None
    employer_data: EmployerData | None
    tags_data: list[TagData]
    links_data: list[LinkData]
    is_active: bool
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    description: str | None
    images_data: list[ImageData]
    meta: list[MetaData]


class Page(msgspec.Struct, Generic[T]):
    """A page of a list, as Django REST Framework's page-number pagination shapes it.

    ``next`` and ``previous`` are absolute URLs, or null on the last and the first page.
    """

    count: int
    next: str | None
    previous: str | None
    results: list[T]


def named_page(item: type[Any], name: str) -> Any:
    """``Page[item]``, listed in the OpenAPI components as ``name``."""
    return Annotated[Page[item], KwargDefinition(schema_component_key=name)]  # type: ignore[valid-type]


PortfolioPage = Annotated[
    Page[PortfolioData], KwargDefinition(schema_component_key="PortfolioPage")
]
MediaListPage = Annotated[Page[ImageData], KwargDefinition(schema_component_key="MediaListPage")]


class ErrorDetail(msgspec.Struct):
    """Every error that is not about single fields: ``{"detail": "..."}``."""

    detail: str


class HealthStatus(msgspec.Struct):
    """What ``/health`` and ``/ready`` answer when all is well."""

    status: str
