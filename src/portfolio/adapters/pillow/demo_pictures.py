"""Pictures for the demo catalogue, drawn with Pillow so the demo needs no files of its own."""

from __future__ import annotations

import colorsys
import io

from PIL import Image, ImageDraw, ImageFont


def demo_picture(width: int, height: int, label: str, hue: float, image_format: str) -> bytes:
    """A gradient poster with a few shapes and ``label``, encoded as ``image_format``.

    ``hue`` (0..1) picks the colour scheme so each demo object looks different.
    """
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for row in range(height):
        shade = row / max(height - 1, 1)
        red, green, blue = colorsys.hsv_to_rgb(hue, 0.55, 0.95 - 0.45 * shade)
        draw.line(
            [(0, row), (width, row)], fill=(int(red * 255), int(green * 255), int(blue * 255))
        )
    edge = min(width, height)
    for step in range(3):
        inset = edge // 8 * (step + 1)
        accent = colorsys.hsv_to_rgb((hue + 0.15 * (step + 1)) % 1, 0.6, 0.9)
        draw.ellipse(
            [(width - edge + inset // 2, inset // 2), (width - inset // 2, edge - inset)],
            outline=tuple(int(c * 255) for c in accent),
            width=max(1, edge // 60),
        )
    font = ImageFont.load_default(size=max(10, edge // 12))
    draw.text((edge // 16, height - edge // 5), label, fill=(255, 255, 255), font=font)
    output = io.BytesIO()
    image.save(output, format=image_format)
    return output.getvalue()
