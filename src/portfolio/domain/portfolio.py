"""A delivered project and what it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio.domain.media import Media


@dataclass(frozen=True, slots=True)
class Employer:
    """The client a project was delivered for."""

    id: int
    name: str
    description: str | None = None
    image: Media | None = None


@dataclass(frozen=True, slots=True)
class Tag:
    """A label that groups projects."""

    id: int
    name: str
    image: Media | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A link related to a project (its site, its repository, ...)."""

    id: int
    name: str
    url: str | None = None
    description: str | None = None
    image: Media | None = None


@dataclass(frozen=True, slots=True)
class Meta:
    """A free key with a text value, a file value, or both."""

    id: int
    key: str
    value_text: str | None = None
    value_file: Media | None = None


@dataclass(frozen=True, slots=True)
class Portfolio:
    """A delivered project; nested collections keep the order they were attached in."""

    id: int
    title: str
    slug: str
    excerpt: str
    order: int
    is_active: bool
    created_at: datetime
    updated_at: datetime
    image: Media | None = None
    employer: Employer | None = None
    tags: tuple[Tag, ...] = ()
    links: tuple[Link, ...] = ()
    completed_at: datetime | None = None
    description: str | None = None
    images: tuple[Media, ...] = ()
    meta: tuple[Meta, ...] = ()
