"""Stored files and images with their thumbnails."""

from __future__ import annotations

__all__ = [
    "ALT_MAX_LENGTH",
    "THUMBNAIL_SIZES",
    "WEB_VARIANTS",
    "Media",
    "Thumbnail",
    "ThumbnailVariant",
    "fit_within",
]

from dataclasses import dataclass
from datetime import datetime

from portfolio.domain.sizes import human_readable_size

# The boxes every image is fitted into, in the order responses list them.
THUMBNAIL_SIZES: tuple[int, ...] = (64, 128, 512, 1080)

# The formats each thumbnail is also stored in, beside it, best first: the MIME type and the
# suffix its key gets (``..._thumbnail_512x512.jpg.avif``).
WEB_VARIANTS: tuple[tuple[str, str], ...] = (("image/avif", ".avif"), ("image/webp", ".webp"))
_WEB_SUFFIXES = tuple(suffix for _, suffix in WEB_VARIANTS)

ALT_MAX_LENGTH = 1000
"""The most characters an image's alternative text may have."""


def fit_within(width: int, height: int, box: int) -> tuple[int, int]:
    """The size of a ``width`` x ``height`` image shrunk to fit a ``box`` square, never enlarged.

    The aspect ratio is kept (to the nearest pixel) and no side drops below one pixel.
    """
    if width <= box and height <= box:
        return width, height
    scale = box / max(width, height)
    return max(1, min(box, round(width * scale))), max(1, min(box, round(height * scale)))


@dataclass(frozen=True, slots=True)
class ThumbnailVariant:
    """The same thumbnail in another format (``type`` is its MIME type), stored under ``key``."""

    type: str
    key: str


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """A smaller copy of an image; ``size`` is the edge of the square box it fits in."""

    id: int
    key: str
    size: int

    @property
    def variant_formats(self) -> tuple[tuple[str, str], ...]:
        """The MIME type and key suffix of each of its copies in the web formats, best first;
        none in the format it is stored in. A copy's key is its own followed by the suffix."""
        key = self.key
        # Most keys end in neither suffix: WEB_VARIANTS itself, nothing made per thumbnail.
        if not key.endswith(_WEB_SUFFIXES):
            return WEB_VARIANTS
        return tuple(pair for pair in WEB_VARIANTS if not key.endswith(pair[1]))

    @property
    def variants(self) -> tuple[ThumbnailVariant, ...]:
        """Its copies in the web formats, best first; none in the format it is stored in."""
        key = self.key
        return tuple(
            [ThumbnailVariant(mime, key + suffix) for mime, suffix in self.variant_formats]
        )


@dataclass(frozen=True, slots=True)
class Media:
    """A stored file; images also carry their pixel size, colour mode and thumbnails."""

    id: int
    key: str
    type: str
    name: str
    size: int
    width: int | None = None
    height: int | None = None
    mode: str | None = None
    thumbnails: tuple[Thumbnail, ...] = ()
    created_at: datetime | None = None
    alt: str = ""
    """Alternative text for people who cannot see the image."""
    placeholder: str | None = None
    """A BlurHash of an image (4x3 components) to show while it loads; None for other files."""

    @property
    def human_readable_size(self) -> str:
        """The byte size as people read it."""
        return human_readable_size(self.size)

    @property
    def is_image(self) -> bool:
        """Whether the file was ingested as an image (it has pixel dimensions)."""
        return self.width is not None
