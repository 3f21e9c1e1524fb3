"""Client file names: shown cleaned, never trusted as paths; stored copies get names of our own."""

from __future__ import annotations

import posixpath
import re
import unicodedata

from portfolio.application.media.file_types import IMAGE_EXTENSIONS, FileType
from portfolio.domain import ExtensionMismatch

MAX_NAME_LENGTH = 255
# Leaves room for a clash suffix and "_thumbnail_1080x1080.jpeg" under the usual 255-byte limit
# of one path component.
MAX_STEM_LENGTH = 100
DEFAULT_STEM = "file"

# Controls (Cc), invisible formatting such as bidi overrides (Cf), lone surrogates from
# undecodable bytes (Cs), private use (Co), unassigned (Cn), line and paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_SEPARATORS = re.compile(r"[/\\]")
# An extension has a letter in it, so "v1.2" or "at 10.30.15" are names, not typed files.
_EXTENSION = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,10}")
_NOT_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


def display_name(raw: str) -> str:
    """The client's file name fit to show: its last path part, no hidden characters, 255 at most."""
    return _visible(_SEPARATORS.split(raw)[-1]) or DEFAULT_STEM


def chosen_name(raw: str) -> str | None:
    """A name the client chose to show ("Before/After shot"): kept whole, slashes included,
    without hidden characters, 255 at most; None when nothing visible is left."""
    return _visible(raw) or None


def _visible(text: str) -> str:
    visible = "".join(
        char
        for char in unicodedata.normalize("NFC", text)
        if unicodedata.category(char) not in _HIDDEN_CATEGORIES
    ).strip()
    if visible in (".", ".."):
        return ""
    if len(visible) <= MAX_NAME_LENGTH:
        return visible
    stem, extension = split_extension(visible)
    return stem[: MAX_NAME_LENGTH - len(extension)] + extension


def split_extension(name: str) -> tuple[str, str]:
    """``name`` as (stem, lower-case extension with its dot); ``(name, "")`` when it has none."""
    stem, extension = posixpath.splitext(name)
    if stem and _EXTENSION.fullmatch(extension):
        return stem, extension.lower()
    return name, ""


def safe_stem(text: str) -> str:
    """Only ASCII letters, digits, ``_`` and ``-`` (accents folded, the rest ``_``), 100 at most."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    # Leading dashes would read as options to command-line tools; dots never survive, so a
    # stored name has exactly one extension.
    cleaned = _NOT_SAFE.sub("_", folded).strip("_-")
    return cleaned[:MAX_STEM_LENGTH].rstrip("_-") or DEFAULT_STEM


def stored_file_name(name: str, file_type: FileType) -> str:
    """The name a stored copy of ``name`` gets: a safe stem and an extension fitting its content.

    ExtensionMismatch when an image is named as another type, or a non-image as an image.
    Other extensions that do not fit the content join the stem: ``page.html`` holding text is
    stored as ``page_html.txt``, so it is never served as a web page.
    """
    stem, extension = split_extension(name)
    if extension in file_type.extensions:
        return safe_stem(stem) + extension
    if extension and (file_type.is_image or extension in IMAGE_EXTENSIONS):
        raise ExtensionMismatch(extension, file_type.description)
    return safe_stem(name) + file_type.extension
