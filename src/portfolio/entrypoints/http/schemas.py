"""Wire objects: a msgspec Struct per JSON object, named and ordered as the API document."""

from __future__ import annotations

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


MediaListPage = Annotated[Page[ImageData], KwargDefinition(schema_component_key="MediaListPage")]


class ErrorDetail(msgspec.Struct):
    """Every error that is not about single fields: ``{"detail": "..."}``."""

    detail: str


class HealthStatus(msgspec.Struct):
    """What ``/health`` and ``/ready`` answer when all is well."""

    status: str
