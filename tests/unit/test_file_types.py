"""File types are judged from the content's first bytes, never from names."""

from __future__ import annotations

import pytest

from portfolio.application.media.file_types import (
    BINARY,
    PDF,
    TEXT,
    ZIP,
    FileType,
    ImageFormat,
    sniff_file_type,
)
from tests import media_samples


@pytest.mark.parametrize(
    ("data", "image_format", "mime"),
    [
        (media_samples.jpeg(), ImageFormat.JPEG, "image/jpeg"),
        (media_samples.png(), ImageFormat.PNG, "image/png"),
        (media_samples.gif(), ImageFormat.GIF, "image/gif"),
        (media_samples.webp(), ImageFormat.WEBP, "image/webp"),
        (media_samples.bmp(), ImageFormat.BMP, "image/bmp"),
    ],
)
def test_each_accepted_image_format_is_recognised_by_its_signature(
    data: bytes, image_format: ImageFormat, mime: str
) -> None:
    file_type = sniff_file_type(data[:8192])
    assert file_type.image_format is image_format
    assert file_type.mime == mime


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (media_samples.pdf(), PDF),
        (media_samples.zip_archive(), ZIP),
        ("Grüße, plain text\nline two\r\n\ttabbed".encode(), TEXT),
        (b"<html><script>alert(1)</script></html>", TEXT),
        (b"\x00\x01\x02\x03binary", BINARY),
        (b"\xff\xfe\xfd not utf-8", BINARY),
    ],
)
def test_documents_are_recognised_and_anything_else_is_binary(
    data: bytes, expected: FileType
) -> None:
    assert sniff_file_type(data) == expected


def test_text_cut_inside_a_multibyte_character_is_still_text() -> None:
    text = ("é" * 5000).encode()
    assert sniff_file_type(text[:8191]) == TEXT


def test_text_starting_with_bm_is_not_taken_for_a_bitmap() -> None:
    assert sniff_file_type(b"BMW service report, 2024\nAll fine.\n") == TEXT


def test_a_truncated_header_of_a_known_format_is_still_that_format() -> None:
    assert sniff_file_type(media_samples.png()[:20]).image_format is ImageFormat.PNG
