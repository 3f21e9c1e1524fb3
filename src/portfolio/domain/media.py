"""Stored files and images with their thumbnails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio.domain.sizes import human_readable_size

# The boxes every image is fitted into, in the order responses list them.
THUMBNAIL_SIZES: tuple[int, ...] = (64, 128, 512, 1080)


def fit_within(width: int, height: int, box: int) -> tuple[int, int]:
    """The size of a ``width`` x ``height`` image shrunk to fit a ``box`` square, never enlarged.

    The aspect ratio is kept (to the nearest pixel) and no side drops below one pixel.
    """
    if width <= box and height <= box:
        return width, height
    scale = box / max(width, height)
    return max(1, min(box, round(width * scale))), max(1, min(box, round(height * scale)))


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """A smaller copy of an image; ``size`` is the edge of the square box it fits in."""

    id: int
    key: str
    size: int


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

    @property
    def human_readable_size(self) -> str:
        """The byte size as people read it."""
        return human_readable_size(self.size)

    @property
    def is_image(self) -> bool:
        """Whether the file was ingested as an image (it has pixel dimensions)."""
        return self.width is not None
