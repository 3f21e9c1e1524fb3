"""Client file names are shown cleaned and never used as paths."""

from __future__ import annotations

import pytest

from portfolio.application.media.file_types import (
    BINARY,
    IMAGE_TYPES,
    PDF,
    TEXT,
    ZIP,
    FileType,
    ImageFormat,
)
from portfolio.application.media.names import display_name, safe_stem, stored_file_name
from portfolio.domain import ExtensionMismatch

JPEG = IMAGE_TYPES[ImageFormat.JPEG]
PNG = IMAGE_TYPES[ImageFormat.PNG]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\photo.jpg", "photo.jpg"),
        ("evil\r\nSet-Cookie: x.png", "evilSet-Cookie: x.png"),
        ("gpj.\u202eexe.png", "gpj.exe.png"),
        ("  ..  ", "file"),
        ("", "file"),
        ("Café déjà vu.png", "Café déjà vu.png"),
    ],
)
def test_display_names_keep_only_the_visible_last_part(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


def test_a_very_long_name_is_cut_to_255_characters_keeping_its_extension() -> None:
    shown = display_name("a" * 1000 + ".png")
    assert len(shown) == 255
    assert shown.endswith("a.png")


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("../../etc/passwd", "etc_passwd"),
        ("Café déjà vu", "Cafe_deja_vu"),
        ("عکس", "file"),
        ("--rm -rf", "rm_-rf"),
        ("a\x00b\x1fc", "a_b_c"),
        ("x" * 300, "x" * 100),
    ],
)
def test_safe_stems_are_short_ascii_without_separators(text: str, stem: str) -> None:
    assert safe_stem(text) == stem


@pytest.mark.parametrize(
    ("name", "file_type", "stored"),
    [
        ("Holiday Photo.JPG", JPEG, "Holiday_Photo.jpg"),
        ("scan.jpeg", JPEG, "scan.jpeg"),
        ("no extension", PNG, "no_extension.png"),
        ("version 1.2", PNG, "version_1_2.png"),
        ("report.pdf", PDF, "report.pdf"),
        ("letter.docx", ZIP, "letter.docx"),
        ("page.html", TEXT, "page_html.txt"),
        ("drawing.svg", TEXT, "drawing_svg.txt"),
        ("data.csv", TEXT, "data.csv"),
        ("movie.mp4", BINARY, "movie_mp4.bin"),
    ],
)
def test_stored_names_get_an_extension_that_fits_the_content(
    name: str, file_type: FileType, stored: str
) -> None:
    assert stored_file_name(name, file_type) == stored


def test_an_image_named_as_another_image_type_is_refused() -> None:
    with pytest.raises(ExtensionMismatch, match=r'ends in "\.jpg" but the content is a PNG image'):
        stored_file_name("photo.jpg", PNG)


def test_an_image_named_as_a_document_is_refused() -> None:
    with pytest.raises(ExtensionMismatch, match="content is a JPEG image"):
        stored_file_name("invoice.pdf", JPEG)


def test_a_non_image_named_as_an_image_is_refused() -> None:
    with pytest.raises(ExtensionMismatch, match=r'"\.png" but the content is plain text'):
        stored_file_name("notes.png", TEXT)
