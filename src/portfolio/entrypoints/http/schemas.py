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


class UserData(msgspec.Struct):
    """A user as admins manage them; never a password hash or a token key."""

    id: int
    username: str
    is_active: bool
    is_staff: bool
    is_admin: bool
    permissions: list[int]


class TokenData(msgspec.Struct):
    """One API token of a user: its dates only, never its key or digest."""

    id: int
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class SignedIn(msgspec.Struct):
    """What a sign-in answers: the new key, shown once, and when it expires."""

    token: str
    expires_at: datetime


class CurrentUser(msgspec.Struct):
    """The signed-in user, for a client to decide what to show (``/api/auth/me/``)."""

    id: int
    username: str
    is_staff: bool
    is_admin: bool
    permissions: list[int]
    token_expires_at: datetime | None


class ErrorDetail(msgspec.Struct):
    """Every error that is not about single fields: ``{"detail": "..."}``."""

    detail: str


class HealthStatus(msgspec.Struct):
    """What ``/health`` and ``/ready`` answer when all is well."""

    status: str
