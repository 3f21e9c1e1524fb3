"""Domain entities to wire Structs; the only place that knows both shapes."""

from __future__ import annotations

from collections.abc import Callable

from portfolio.application import MediaStorage
from portfolio.domain import Employer, Link, Media, Meta, Portfolio, Tag
from portfolio.entrypoints.http.schemas import (
    EmployerData,
    FileData,
    ImageData,
    LinkData,
    MetaData,
    PortfolioData,
    TagData,
    ThumbnailData,
)

UrlFor = Callable[[str], str]
"""Turns a stored key into the absolute URL a client fetches it from."""


MEDIA_PATH = "/media/"
"""Where the service serves stored files itself when the store gives no URL of its own."""


def public_urls(storage: MediaStorage, origin: str) -> UrlFor:
    """Keys to URLs: the store's own, or this service's ``/media/`` at the request's ``origin``."""
    served_here = f"{origin}{MEDIA_PATH}"
    url = storage.url
    return lambda key: url(key) or served_here + key


def image_data(media: Media, url_for: UrlFor) -> ImageData:
    """An image object with its thumbnails, smallest first."""
    return ImageData(
        id=media.id,
        type=media.type,
        name=media.name,
        size=media.size,
        human_readable_size=media.human_readable_size,
        f=url_for(media.key),
        width=media.width,
        height=media.height,
        mode=media.mode,
        thumbnails=[
            ThumbnailData(id=thumb.id, f=url_for(thumb.key), size=thumb.size)
            for thumb in media.thumbnails
        ],
    )


def optional_image_data(media: Media | None, url_for: UrlFor) -> ImageData | None:
    """An image object, or None where no image is attached."""
    return None if media is None else image_data(media, url_for)


def file_data(media: Media, url_for: UrlFor) -> FileData:
    """A plain file object."""
    return FileData(
        id=media.id,
        type=media.type,
        name=media.name,
        size=media.size,
        human_readable_size=media.human_readable_size,
        f=url_for(media.key),
    )


def employer_data(employer: Employer, url_for: UrlFor) -> EmployerData:
    """An employer object."""
    return EmployerData(
        id=employer.id,
        name=employer.name,
        image_data=optional_image_data(employer.image, url_for),
        description=employer.description,
    )


def tag_data(tag: Tag, url_for: UrlFor) -> TagData:
    """A tag object."""
    return TagData(id=tag.id, name=tag.name, image_data=optional_image_data(tag.image, url_for))


def link_data(link: Link, url_for: UrlFor) -> LinkData:
    """A link object."""
    return LinkData(
        id=link.id,
        name=link.name,
        url=link.url,
        image_data=optional_image_data(link.image, url_for),
        description=link.description,
    )


def meta_data(meta: Meta, url_for: UrlFor) -> MetaData:
    """A meta object; its file, if any, as a plain file object."""
    return MetaData(
        id=meta.id,
        key=meta.key,
        value_text=meta.value_text,
        value_file=None if meta.value_file is None else file_data(meta.value_file, url_for),
    )


def portfolio_data(portfolio: Portfolio, url_for: UrlFor) -> PortfolioData:
    """The whole portfolio as the API document shows it."""
    return PortfolioData(
        id=portfolio.id,
        title=portfolio.title,
        slug=portfolio.slug,
        excerpt=portfolio.excerpt,
        order=portfolio.order,
        image_data=optional_image_data(portfolio.image, url_for),
        employer_data=(
            None if portfolio.employer is None else employer_data(portfolio.employer, url_for)
        ),
        tags_data=[tag_data(tag, url_for) for tag in portfolio.tags],
        links_data=[link_data(link, url_for) for link in portfolio.links],
        is_active=portfolio.is_active,
        completed_at=portfolio.completed_at,
        created_at=portfolio.created_at,
        updated_at=portfolio.updated_at,
        description=portfolio.description,
        images_data=[image_data(media, url_for) for media in portfolio.images],
        meta=[meta_data(meta, url_for) for meta in portfolio.meta],
    )
