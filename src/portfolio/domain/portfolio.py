"""A delivered project and what it holds."""

from __future__ import annotations

__all__ = [
    "Employer",
    "Link",
    "Meta",
    "Portfolio",
    "Publication",
    "Tag",
    "publication",
]

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

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


class Publication(StrEnum):
    """Where a portfolio stands on the website at a moment."""

    LIVE = "live"
    """Shown: active, its publication moment (if any) passed, its withdrawal (if any) not."""
    SCHEDULED = "scheduled"
    """Active, but its publication moment is still to come."""
    EXPIRED = "expired"
    """Active, but its withdrawal moment has passed."""
    INACTIVE = "inactive"
    """Switched off, whatever its moments say."""


def publication(
    is_active: bool, publish_at: datetime | None, unpublish_at: datetime | None, at: datetime
) -> Publication:
    """Where a portfolio with these fields stands at ``at``."""
    if not is_active:
        return Publication.INACTIVE
    if publish_at is not None and publish_at > at:
        return Publication.SCHEDULED
    if unpublish_at is not None and unpublish_at <= at:
        return Publication.EXPIRED
    return Publication.LIVE


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
    publish_at: datetime | None = None
    """When it goes live (None: as soon as it is active)."""
    unpublish_at: datetime | None = None
    """When it is withdrawn (None: never)."""

    def publication(self, at: datetime) -> Publication:
        """Where it stands on the website at ``at``."""
        return publication(self.is_active, self.publish_at, self.unpublish_at, at)
