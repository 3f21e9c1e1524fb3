"""Real image files made with Pillow, for tests of media ingest."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import ExifTags, Image

# An EXIF tag holding GPS data; its presence in a thumbnail would leak where a photo was taken.
GPS_INFO = ExifTags.Base.GPSInfo


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    """``image`` saved in ``image_format``."""
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def quadrants(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """An image with a red top-left quarter on blue, so orientation can be told from pixels."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1] // 2))
    return image.convert(mode)


def jpeg(size: tuple[int, int] = (400, 300), orientation: int | None = None) -> bytes:
    """A JPEG with camera EXIF (make, GPS) and, when given, an orientation tag."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[GPS_INFO] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (51.0, 30.0, 0.0)}
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    return encoded(quadrants(size), "JPEG", exif=exif, quality=90)


def png(size: tuple[int, int] = (300, 200), mode: str = "RGB") -> bytes:
    """A PNG in ``mode``; "P" gets a palette, "RGBA" a transparent corner."""
    image = quadrants(size)
    if mode == "RGBA":
        image = image.convert("RGBA")
        image.paste((0, 0, 0, 0), (size[0] // 2, size[1] // 2, size[0], size[1]))
    elif mode == "P":
        image = image.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    else:
        image = image.convert(mode)
    return encoded(image, "PNG")


def gif(size: tuple[int, int] = (300, 200)) -> bytes:
    """A single-frame GIF."""
    return encoded(quadrants(size).convert("P"), "GIF")


def animated_gif(size: tuple[int, int] = (120, 80), frames: int = 3) -> bytes:
    """A GIF whose frames are red, green, blue... in turn."""
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    images = [Image.new("RGB", size, colours[index % 3]) for index in range(frames)]
    return encoded(images[0], "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)


def webp(size: tuple[int, int] = (300, 200)) -> bytes:
    """A lossy WebP."""
    return encoded(quadrants(size), "WEBP", quality=90)


def bmp(size: tuple[int, int] = (300, 200)) -> bytes:
    """An uncompressed 24-bit BMP."""
    return encoded(quadrants(size), "BMP")


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid PNG header announcing ``width`` x ``height`` pixels, with a few KB of data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        """One PNG chunk: length, type, data and CRC."""
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    # Rows of zeros compress to almost nothing: that is what makes it a bomb.
    pixels = zlib.compress(b"\x00" * (width + 1) * 64, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def zip_archive() -> bytes:
    """A small zip archive holding one text file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    return buffer.getvalue()


def pdf() -> bytes:
    """The start of a PDF document (the type is judged from the signature only)."""
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def thumbnail_image(data: bytes) -> Image.Image:
    """A thumbnail's bytes opened (and decoded) for inspection."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
