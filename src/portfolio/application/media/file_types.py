"""What an uploaded file is, judged from its first bytes only, never from its name or headers."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from enum import StrEnum

# Enough to see every signature below and to judge whether the start of a file is text.
SNIFF_BYTES = 8192

# Sizes of the BMP info headers that exist (core, v1-v5); "BM" alone is too weak a signature,
# it would claim any text file that starts with those two letters.
_BMP_INFO_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})

# C0 controls that plain text does use: tab, newline, form feed, carriage return, escape.
_TEXT_CONTROLS = frozenset("\t\n\f\r\x1b")


class ImageFormat(StrEnum):
    """The image formats the service accepts and makes thumbnails for."""

    JPEG = "JPEG"
    PNG = "PNG"
    GIF = "GIF"
    WEBP = "WEBP"
    BMP = "BMP"


@dataclass(frozen=True, slots=True)
class FileType:
    """A kind of file: its MIME type, the extension stored copies get and those names may use."""

    mime: str
    description: str
    extension: str
    extensions: frozenset[str]
    image_format: ImageFormat | None = None

    @property
    def is_image(self) -> bool:
        """Whether files of this type are decoded and get thumbnails."""
        return self.image_format is not None


def _type(
    mime: str,
    description: str,
    extensions: tuple[str, ...],
    image_format: ImageFormat | None = None,
) -> FileType:
    return FileType(mime, description, extensions[0], frozenset(extensions), image_format)


IMAGE_TYPES: dict[ImageFormat, FileType] = {
    ImageFormat.JPEG: _type(
        "image/jpeg", "a JPEG image", (".jpg", ".jpeg", ".jpe", ".jfif"), ImageFormat.JPEG
    ),
    ImageFormat.PNG: _type("image/png", "a PNG image", (".png",), ImageFormat.PNG),
    ImageFormat.GIF: _type("image/gif", "a GIF image", (".gif",), ImageFormat.GIF),
    ImageFormat.WEBP: _type("image/webp", "a WebP image", (".webp",), ImageFormat.WEBP),
    ImageFormat.BMP: _type("image/bmp", "a BMP image", (".bmp", ".dib"), ImageFormat.BMP),
}

PDF = _type("application/pdf", "a PDF document", (".pdf",))
# Office and OpenDocument files are zip archives; their own extensions are kept.
ZIP = _type(
    "application/zip",
    "a zip archive",
    (".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".epub"),
)
# Only extensions browsers do not render: an HTML or SVG upload is stored as .txt and so is
# served as text, never as a page that runs scripts.
TEXT = _type("text/plain", "plain text", (".txt", ".csv", ".md", ".log"))
BINARY = _type("application/octet-stream", "unrecognised binary data", (".bin",))

# Every extension that names an image, for refusing non-images that pretend to be one.
IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    extension for file_type in IMAGE_TYPES.values() for extension in file_type.extensions
)


def sniff_image_format(head: bytes) -> ImageFormat | None:
    """The accepted image format whose signature ``head`` starts with, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return ImageFormat.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageFormat.PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return ImageFormat.GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return ImageFormat.WEBP
    if (
        head.startswith(b"BM")
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in _BMP_INFO_HEADER_SIZES
    ):
        return ImageFormat.BMP
    return None


AVIF_MIME = "image/avif"


def served_type(head: bytes) -> tuple[str, bool]:
    """The Content-Type a stored file starting with ``head`` is served with, and whether it
    is shown inline (an image) rather than downloaded.

    AVIF is not an accepted upload format, but the thumbnails' variants are AVIF: recognised
    by their ISO-BMFF ``ftyp`` box of brand ``avif``.
    """
    if head[4:12] in (b"ftypavif", b"ftypavis"):
        return AVIF_MIME, True
    file_type = sniff_file_type(head)
    return file_type.mime, file_type.is_image


def sniff_file_type(head: bytes) -> FileType:
    """The type of a file that starts with ``head`` (its first ``SNIFF_BYTES`` or all of it)."""
    image_format = sniff_image_format(head)
    if image_format is not None:
        return IMAGE_TYPES[image_format]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return ZIP
    if _looks_like_text(head):
        return TEXT
    return BINARY


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    # The sample may end inside a multi-byte character, so decode without finishing.
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return not any(char == "\x7f" or (char < " " and char not in _TEXT_CONTROLS) for char in text)
