"""How stored files are named: ``core_media/YYYY/MM/DD/<file>`` and thumbnails beside them."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from datetime import date
from itertools import count

MEDIA_PREFIX = "core_media"


def media_key(day: date, file_name: str) -> str:
    """The key of an original stored on ``day``; ``file_name`` must already be safe."""
    return f"{MEDIA_PREFIX}/{day:%Y/%m/%d}/{file_name}"


def thumbnail_key(original_key: str, size: int) -> str:
    """``.../thumbnails/<stem>_thumbnail_<S>x<S><ext>`` beside the original."""
    folder, file_name = posixpath.split(original_key)
    stem, extension = posixpath.splitext(file_name)
    return f"{folder}/thumbnails/{stem}_thumbnail_{size}x{size}{extension}"


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
