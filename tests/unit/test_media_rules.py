"""The domain's media rules: thumbnail dimensions and what the errors say."""

from __future__ import annotations

import pytest

from portfolio.domain import (
    THUMBNAIL_SIZES,
    CorruptImage,
    ExtensionMismatch,
    FileTooLarge,
    InUse,
    Referrer,
    TooManyPixels,
    fit_within,
)
from portfolio.entrypoints.http.errors import in_use_message


@pytest.mark.parametrize(
    ("size", "box", "expected"),
    [
        ((4000, 3000), 1080, (1080, 810)),
        ((4000, 3000), 64, (64, 48)),
        ((3000, 4000), 512, (384, 512)),
        ((1000, 1000), 128, (128, 128)),
        ((30_000, 10), 64, (64, 1)),
    ],
)
def test_a_large_image_shrinks_into_the_box_keeping_its_aspect_ratio(
    size: tuple[int, int], box: int, expected: tuple[int, int]
) -> None:
    assert fit_within(*size, box) == expected


@pytest.mark.parametrize("box", THUMBNAIL_SIZES)
def test_a_small_image_is_never_enlarged(box: int) -> None:
    assert fit_within(10, 10, box) == (10, 10)


def test_an_image_exactly_the_box_size_stays_as_it_is() -> None:
    assert fit_within(1080, 700, 1080) == (1080, 700)


def test_media_in_use_names_every_referrer() -> None:
    referrers = (Referrer("employer", 2, field="image"), Referrer("portfolio", 3, field="images"))
    error = InUse("media", 7, referrers, 2)
    assert in_use_message(error) == (
        "Media 7 cannot be deleted: it is used by employer 2 (image), portfolio 3 (images)."
    )


def test_in_use_names_five_referrers_and_counts_the_rest() -> None:
    shown = [Referrer("portfolio", n, field="images") for n in range(1, 9)]
    error = InUse("media", 7, shown, 3000)
    assert len(error.referrers) == InUse.SHOWN
    assert in_use_message(error).endswith("portfolio 5 (images) and 2995 more.")
    assert in_use_message(error).count("portfolio") == 5


def test_shared_objects_in_use_are_named_by_kind_and_portfolios_by_title() -> None:
    error = InUse("tag", 4, [Referrer("portfolio", 3, name="web design")], 1)
    assert in_use_message(error) == (
        'Cannot delete this tag: it is used by portfolio 3 "web design".'
    )


def test_file_too_large_says_both_sizes_in_readable_units() -> None:
    error = FileTooLarge(25 * 1024 * 1024, 20 * 1024 * 1024)
    assert str(error) == "The file is 25.00 MB; the largest accepted is 20.00 MB."


def test_too_many_pixels_states_the_dimensions_and_the_limit() -> None:
    assert str(TooManyPixels(50_000_000, 30_000, 30_000)) == (
        "The image is 30000x30000 (900,000,000 pixels); at most 50,000,000 pixels are accepted."
    )
    assert str(TooManyPixels(50_000_000)) == (
        "The image has more than the 50,000,000 pixels accepted."
    )


def test_corrupt_image_and_mismatch_messages_name_the_problem() -> None:
    assert str(CorruptImage("PNG", "image file is truncated")) == (
        "The PNG image cannot be read: image file is truncated."
    )
    assert str(ExtensionMismatch(".jpg", "a PNG image")) == (
        'The file name ends in ".jpg" but the content is a PNG image.'
    )
