"""How stored files are named: ``core_media/YYYY/MM/DD/<file>`` and thumbnails beside them."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum
from itertools import count

from portfolio.application.media.file_types import ImageFormat
from portfolio.domain import WEB_VARIANTS, Thumbnail

MEDIA_PREFIX = "core_media"


def media_key(day: date, file_name: str) -> str:
    """The key of an original stored on ``day``; ``file_name`` must already be safe."""
    return f"{MEDIA_PREFIX}/{day:%Y/%m/%d}/{file_name}"


def thumbnail_key(original_key: str, size: int) -> str:
    """``.../thumbnails/<stem>_thumbnail_<S>x<S><ext>`` beside the original."""
    folder, file_name = posixpath.split(original_key)
    stem, extension = posixpath.splitext(file_name)
    return f"{folder}/thumbnails/{stem}_thumbnail_{size}x{size}{extension}"


def is_safe_key(key: str) -> bool:
    """Whether ``key`` is a relative POSIX path that stays below the store's root.

    No empty, ``.`` or ``..`` part, no leading slash, backslash or NUL: such a key could
    name a file outside the media root, or two spellings of one object in a bucket.
    """
    if not key or "\x00" in key or key.startswith("/") or "\\" in key:
        return False
    return all(part not in ("", ".", "..") for part in key.split("/"))


def free_variant(key: str, is_taken: Callable[[str], bool]) -> str:
    """``key`` itself, or ``<stem>_<n><ext>`` with the smallest n that is free."""
    if not is_taken(key):
        return key
    stem, extension = posixpath.splitext(key)
    for number in count(1):
        candidate = f"{stem}_{number}{extension}"
        if not is_taken(candidate):
            return candidate
    raise AssertionError("unreachable: count() never ends")


class WebFormat(StrEnum):
    """A format thumbnails are also stored in, best (smallest) first."""

    AVIF = "image/avif"
    WEBP = "image/webp"

    @property
    def suffix(self) -> str:
        """What a variant's key ends with."""
        return dict(WEB_VARIANTS)[self.value]


WEB_FORMATS: tuple[WebFormat, ...] = tuple(WebFormat(mime) for mime, _ in WEB_VARIANTS)

# A thumbnail's key: ``<folder>/thumbnails/<stem>_thumbnail_<S>x<S><ext>`` (keys.thumbnail_key),
# with ``_<n>`` when the store gave a numbered one.
_THUMBNAIL_KEY = re.compile(r"(?:.+/)?thumbnails/[^/]+_thumbnail_\d+x\d+(?:_\d+)?\.[a-z]+")


def variant_key(thumbnail_key: str, web_format: WebFormat) -> str:
    """Where the ``web_format`` copy of the thumbnail stored under ``thumbnail_key`` is kept."""
    return thumbnail_key + web_format.suffix


def is_thumbnail_key(key: str) -> bool:
    """Whether ``key`` is named as a thumbnail (not one of its variants)."""
    return _THUMBNAIL_KEY.fullmatch(key) is not None


def variant_of(key: str) -> tuple[str, WebFormat] | None:
    """The thumbnail key and the format of a variant key, or None when ``key`` names none."""
    for web_format in WEB_FORMATS:
        base = key.removesuffix(web_format.suffix)
        if base != key and is_thumbnail_key(base) and not base.endswith(web_format.suffix):
            return base, web_format
    return None


def thumbnail_of_variant(key: str) -> str | None:
    """The thumbnail key a variant key belongs to, or None when ``key`` names no variant."""
    found = variant_of(key)
    return None if found is None else found[0]


def variant_keys(thumbnails: Iterable[Thumbnail]) -> list[str]:
    """The keys of every variant the thumbnails have (or would have), for removing them."""
    return [variant.key for thumbnail in thumbnails for variant in thumbnail.variants]


def formats_for(image_format: ImageFormat, wanted: Iterable[WebFormat]) -> tuple[WebFormat, ...]:
    """Those of ``wanted`` that thumbnails of an ``image_format`` original need: a WebP's
    thumbnails are WebP already."""
    return tuple(
        web_format
        for web_format in wanted
        if not (web_format is WebFormat.WEBP and image_format is ImageFormat.WEBP)
    )
