"""Domain entities to wire Structs; the only place that knows both shapes."""

from __future__ import annotations

from collections.abc import Callable

from portfolio.application.ports import MediaStorage
from portfolio.domain import Media
from portfolio.entrypoints.http.schemas import FileData, ImageData, ThumbnailData

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
