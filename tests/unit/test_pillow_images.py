"""The Pillow adapter on real images of every accepted kind, and on hostile ones."""

from __future__ import annotations

import io
import resource

import pytest
from PIL import Image

from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.application.media.file_types import ImageFormat
from portfolio.application.media.keys import WEB_FORMATS
from portfolio.application.ports import RenderedImage, Renditions
from portfolio.domain import THUMBNAIL_SIZES, CorruptImage, TooManyPixels
from tests import media_samples
from tests.media_samples import thumbnail_image

LIMIT = 50_000_000
RED = (255, 0, 0)
BLUE = (0, 0, 255)


def render(data: bytes, image_format: ImageFormat, max_pixels: int = LIMIT) -> RenderedImage:
    """``data`` rendered by the adapter with the four thumbnail sizes."""
    return PillowImageProcessor().render(
        io.BytesIO(data), image_format, Renditions(THUMBNAIL_SIZES), max_pixels
    )


def near(colour: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    """Whether a pixel is close to ``expected`` (lossy formats shift colours a little)."""
    return all(abs(got - want) < 40 for got, want in zip(colour[:3], expected, strict=True))


@pytest.mark.parametrize(
    ("data", "image_format", "mode"),
    [
        (media_samples.jpeg((2000, 1500)), ImageFormat.JPEG, "RGB"),
        (media_samples.png((2000, 1500)), ImageFormat.PNG, "RGB"),
        (media_samples.gif((2000, 1500)), ImageFormat.GIF, "P"),
        (media_samples.webp((2000, 1500)), ImageFormat.WEBP, "RGB"),
        (media_samples.bmp((2000, 1500)), ImageFormat.BMP, "RGB"),
    ],
)
def test_every_accepted_format_gets_four_fitted_thumbnails_in_its_own_format(
    data: bytes, image_format: ImageFormat, mode: str
) -> None:
    rendered = render(data, image_format)

    assert (rendered.width, rendered.height, rendered.mode) == (2000, 1500, mode)
    got = [(thumb.size, thumb.width, thumb.height) for thumb in rendered.thumbnails]
    assert got == [(64, 64, 48), (128, 128, 96), (512, 512, 384), (1080, 1080, 810)]
    for thumb in rendered.thumbnails:
        image = thumbnail_image(thumb.data)
        assert image.format == image_format.value
        assert image.size == (thumb.width, thumb.height)
        assert near(image.convert("RGB").getpixel((1, 1)), RED)
        assert near(image.convert("RGB").getpixel((image.width - 2, image.height - 2)), BLUE)


@pytest.mark.parametrize(
    ("orientation", "red_corner"),
    [(6, "top-right"), (8, "bottom-left"), (3, "bottom-right"), (1, "top-left")],
)
def test_exif_orientation_is_applied_so_thumbnails_are_upright(
    orientation: int, red_corner: str
) -> None:
    rendered = render(media_samples.jpeg((800, 600), orientation), ImageFormat.JPEG)

    quarter_turn = orientation in (6, 8)
    assert (rendered.width, rendered.height) == ((600, 800) if quarter_turn else (800, 600))
    for thumb in rendered.thumbnails:
        image = thumbnail_image(thumb.data).convert("RGB")
        assert image.size == (thumb.width, thumb.height)
        assert (image.width < image.height) is quarter_turn
        corners = {
            "top-left": (1, 1),
            "top-right": (image.width - 2, 1),
            "bottom-left": (1, image.height - 2),
            "bottom-right": (image.width - 2, image.height - 2),
        }
        assert near(image.getpixel(corners[red_corner]), RED), (thumb.size, red_corner)


def test_thumbnails_carry_no_exif_gps_or_orientation() -> None:
    rendered = render(media_samples.jpeg((800, 600), orientation=6), ImageFormat.JPEG)

    for thumb in rendered.thumbnails:
        image = thumbnail_image(thumb.data)
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        assert "xmp" not in image.info
        assert b"TestCam" not in thumb.data


def test_the_colour_profile_is_kept_in_thumbnails() -> None:
    profile = b"\x00\x00\x02\x0cfake-icc-profile-for-tests"
    data = media_samples.encoded(media_samples.quadrants((300, 200)), "JPEG", icc_profile=profile)

    for thumb in render(data, ImageFormat.JPEG).thumbnails:
        assert thumbnail_image(thumb.data).info.get("icc_profile") == profile


def test_a_palette_png_is_shrunk_in_full_colour_and_reports_mode_p() -> None:
    rendered = render(media_samples.png((600, 400), mode="P"), ImageFormat.PNG)

    assert rendered.mode == "P"
    smallest = thumbnail_image(rendered.thumbnails[0].data).convert("RGB")
    assert smallest.size == (64, 43)
    assert near(smallest.getpixel((1, 1)), RED)


def test_an_rgba_png_keeps_its_transparency() -> None:
    rendered = render(media_samples.png((600, 400), mode="RGBA"), ImageFormat.PNG)

    assert rendered.mode == "RGBA"
    for thumb in rendered.thumbnails:
        image = thumbnail_image(thumb.data)
        assert image.mode == "RGBA"
        assert image.getpixel((image.width - 1, image.height - 1))[3] == 0
        assert image.getpixel((1, 1))[3] == 255


def test_an_animated_gif_gets_still_thumbnails_of_its_first_frame() -> None:
    rendered = render(media_samples.animated_gif((120, 80), frames=3), ImageFormat.GIF)

    assert (rendered.width, rendered.height) == (120, 80)
    smallest = thumbnail_image(rendered.thumbnails[0].data)
    assert smallest.format == "GIF"
    assert getattr(smallest, "n_frames", 1) == 1
    assert near(smallest.convert("RGB").getpixel((5, 5)), RED)


def test_a_tiny_image_gets_four_copies_at_its_own_size() -> None:
    rendered = render(media_samples.png((10, 10)), ImageFormat.PNG)

    assert [(thumb.width, thumb.height) for thumb in rendered.thumbnails] == [(10, 10)] * 4


def test_a_cmyk_jpeg_keeps_cmyk_thumbnails() -> None:
    data = media_samples.encoded(media_samples.quadrants((300, 200), "CMYK"), "JPEG")
    rendered = render(data, ImageFormat.JPEG)

    assert rendered.mode == "CMYK"
    assert thumbnail_image(rendered.thumbnails[0].data).mode == "CMYK"


def test_a_decompression_bomb_is_refused_from_its_header_without_decoding() -> None:
    bomb = media_samples.png_bomb(30_000, 30_000)
    assert len(bomb) < 50_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    with pytest.raises(TooManyPixels, match="more than the"):
        render(bomb, ImageFormat.PNG)

    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 100 * 1024, "decoding 900 megapixels would take ~900 MB"


def test_an_image_over_the_configured_pixel_limit_is_refused_with_its_size() -> None:
    with pytest.raises(TooManyPixels, match=r"8000x8000 \(64,000,000 pixels\)"):
        render(media_samples.png_bomb(8000, 8000), ImageFormat.PNG)


def test_the_pixel_limit_is_configurable() -> None:
    with pytest.raises(TooManyPixels, match="at most 300 pixels"):
        render(media_samples.png((20, 20)), ImageFormat.PNG, max_pixels=300)
    assert render(media_samples.png((10, 10)), ImageFormat.PNG, max_pixels=300).width == 10


@pytest.mark.parametrize(
    ("data", "image_format"),
    [
        (media_samples.jpeg((800, 600))[:3000], ImageFormat.JPEG),
        (media_samples.png((800, 600))[:200], ImageFormat.PNG),
        (media_samples.webp((800, 600))[:300], ImageFormat.WEBP),
        (media_samples.bmp((800, 600))[:5000], ImageFormat.BMP),
    ],
)
def test_a_truncated_image_is_refused_as_corrupt(data: bytes, image_format: ImageFormat) -> None:
    with pytest.raises(CorruptImage) as refused:
        render(data, image_format)
    assert str(refused.value) == (
        f"The {image_format.value} image cannot be read: its data is damaged or incomplete."
    )


def test_garbage_behind_a_valid_signature_is_refused_as_corrupt() -> None:
    with pytest.raises(CorruptImage) as refused:
        render(b"\x89PNG\r\n\x1a\n" + b"garbage" * 100, ImageFormat.PNG)
    assert str(refused.value) == "The PNG image cannot be read: its data is damaged or incomplete."


def test_bytes_of_another_format_are_not_decoded_as_the_announced_one() -> None:
    with pytest.raises(CorruptImage) as refused:
        render(media_samples.gif(), ImageFormat.PNG)
    assert str(refused.value) == "The PNG image cannot be read: its header is not valid."


def test_measure_reads_the_stored_size_from_the_header() -> None:
    data = media_samples.jpeg((640, 480), orientation=6)
    assert PillowImageProcessor().measure(io.BytesIO(data), ImageFormat.JPEG) == (640, 480)


def test_a_jpeg_source_is_read_from_its_start_whatever_its_position() -> None:
    source = io.BytesIO(media_samples.jpeg((200, 100)))
    source.seek(50)
    rendered = PillowImageProcessor().render(
        source, ImageFormat.JPEG, Renditions(THUMBNAIL_SIZES), LIMIT
    )
    assert rendered.width == 200
    assert Image.open(io.BytesIO(rendered.thumbnails[0].data)).size == (64, 32)


@pytest.mark.parametrize(
    ("data", "image_format", "mode"),
    [
        (media_samples.jpeg((900, 600)), ImageFormat.JPEG, "RGB"),
        (media_samples.png((300, 200), "RGBA"), ImageFormat.PNG, "RGBA"),
        (media_samples.png((300, 200), "P"), ImageFormat.PNG, "RGB"),
        (media_samples.png((300, 200), "L"), ImageFormat.PNG, "RGB"),
        (media_samples.png((300, 200), "I;16"), ImageFormat.PNG, "RGB"),
        (media_samples.png((300, 200), "1"), ImageFormat.PNG, "RGB"),
        (
            media_samples.encoded(media_samples.quadrants((300, 200), "CMYK"), "JPEG"),
            ImageFormat.JPEG,
            "RGB",
        ),
    ],
)
def test_web_variants_have_the_thumbnails_pixels_size_in_rgb_or_rgba(
    data: bytes, image_format: ImageFormat, mode: str
) -> None:
    rendered = PillowImageProcessor().render(
        io.BytesIO(data), image_format, Renditions(THUMBNAIL_SIZES, WEB_FORMATS), LIMIT
    )

    assert rendered.placeholder is not None and len(rendered.placeholder) == 28
    for thumb in rendered.thumbnails:
        assert [web_format for web_format, _ in thumb.variants] == list(WEB_FORMATS)
        for web_format, variant in thumb.variants:
            image = thumbnail_image(variant)
            assert image.format == web_format.name
            assert (image.size, image.mode) == ((thumb.width, thumb.height), mode)


def test_variants_keep_an_rgb_colour_profile_only() -> None:
    profile = b"\x00\x00\x02\x0cfake-icc-profile-for-tests"
    rgb = media_samples.encoded(media_samples.quadrants((300, 200)), "JPEG", icc_profile=profile)
    cmyk = media_samples.encoded(
        media_samples.quadrants((300, 200), "CMYK"), "JPEG", icc_profile=profile
    )
    processor = PillowImageProcessor()

    for data, kept in ((rgb, profile), (cmyk, None)):
        rendered = processor.render(
            io.BytesIO(data), ImageFormat.JPEG, Renditions((64,), WEB_FORMATS), LIMIT
        )
        for _, variant in rendered.thumbnails[0].variants:
            assert thumbnail_image(variant).info.get("icc_profile") == kept
