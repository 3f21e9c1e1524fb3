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
