"""BlurHash placeholders, encoded as the algorithm's description (woltapp/blurhash) states.

The picture is a sum of cosine components, ``x_components`` across and ``y_components``
down; each component's factor is the mean of its basis times the pixels, in linear light.
The first factor (the mean colour) is sent as sRGB in 4 base-83 digits; the others, scaled
by the largest of them and square-root companded, in 2 digits each. A small copy of the
picture gives the same hash to within rounding: only the lowest frequencies are kept.
"""

from __future__ import annotations

import math
from typing import cast

from PIL import Image

_BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"

# The hash reads the lowest frequencies only: 32 pixels a side is plenty, and keeps plain
# Python fast (about 3 ms).
_SAMPLE_EDGE = 32

# sRGB component (0-255) to linear light, once for every value.
_LINEAR = tuple(
    value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    for value in (component / 255 for component in range(256))
)


def _base83(value: int, length: int) -> str:
    return "".join(
        _BASE83[(value // 83 ** (length - place)) % 83] for place in range(1, length + 1)
    )


def _srgb(value: float) -> int:
    linear = min(max(value, 0.0), 1.0)
    if linear <= 0.0031308:
        return int(linear * 12.92 * 255 + 0.5)
    return int((1.055 * linear ** (1 / 2.4) - 0.055) * 255 + 0.5)


def _quantised_ac(value: float, maximum: float) -> int:
    scaled = value / maximum
    companded = math.copysign(abs(scaled) ** 0.5, scaled)
    return max(0, min(18, math.floor(companded * 9 + 9.5)))


def blurhash(image: Image.Image, x_components: int = 4, y_components: int = 3) -> str:
    """The BlurHash of ``image`` (any mode; transparency is ignored)."""
    sample = image.convert("RGB")
    sample.thumbnail((_SAMPLE_EDGE, _SAMPLE_EDGE), Image.Resampling.BOX)
    width, height = sample.size
    # An RGB image's pixels are (r, g, b) tuples; the stub also allows one band's floats.
    flat = cast("list[tuple[int, int, int]]", list(sample.get_flattened_data()))
    pixels = [tuple(_LINEAR[c] for c in pixel) for pixel in flat]
    across = [
        [math.cos(math.pi * i * x / width) for x in range(width)] for i in range(x_components)
    ]
    down = [
        [math.cos(math.pi * j * y / height) for y in range(height)] for j in range(y_components)
    ]
    # Separable: first each row's sums for every horizontal frequency, then down the rows.
    rows = []
    for y in range(height):
        row = pixels[y * width : (y + 1) * width]
        rows.append(
            [
                tuple(sum(basis[x] * row[x][channel] for x in range(width)) for channel in range(3))
                for basis in across
            ]
        )
    factors: list[tuple[float, float, float]] = []
    for j in range(y_components):
        for i in range(x_components):
            scale = (1 if i == j == 0 else 2) / (width * height)
            factors.append(
                tuple(  # type: ignore[arg-type]
                    scale * sum(down[j][y] * rows[y][i][channel] for y in range(height))
                    for channel in range(3)
                )
            )
    dc, ac = factors[0], factors[1:]
    parts = [_base83((x_components - 1) + (y_components - 1) * 9, 1)]
    if ac:
        actual = max(abs(value) for factor in ac for value in factor)
        quantised = max(0, min(82, math.floor(actual * 166 - 0.5)))
        maximum = (quantised + 1) / 166
        parts.append(_base83(quantised, 1))
    else:
        maximum = 1.0
        parts.append(_base83(0, 1))
    parts.append(_base83((_srgb(dc[0]) << 16) + (_srgb(dc[1]) << 8) + _srgb(dc[2]), 4))
    for factor in ac:
        red, green, blue = (_quantised_ac(value, maximum) for value in factor)
        parts.append(_base83(red * 19 * 19 + green * 19 + blue, 2))
    return "".join(parts)
