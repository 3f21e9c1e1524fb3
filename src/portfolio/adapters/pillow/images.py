"""Decoding images and making thumbnails with Pillow: one decode, each size from the previous."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, BinaryIO

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from portfolio.adapters.pillow.blurhash import blurhash
from portfolio.application.media.file_types import ImageFormat
from portfolio.application.media.keys import WebFormat
from portfolio.application.observing import IMAGE_DECODE, IMAGE_THUMBNAIL, UNOBSERVED
from portfolio.application.ports import Observer, RenderedImage, RenderedThumbnail, Renditions
from portfolio.domain import CorruptImage, TooManyPixels, fit_within

# Named explicitly rather than trusting that the application's names are Pillow's.
_PILLOW_FORMATS = {
    ImageFormat.JPEG: "JPEG",
    ImageFormat.PNG: "PNG",
    ImageFormat.GIF: "GIF",
    ImageFormat.WEBP: "WEBP",
    ImageFormat.BMP: "BMP",
}

# What Pillow raises for bytes it cannot decode (the list its own fuzz tests accept).
_DECODING_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    NotImplementedError,
    OverflowError,
)

# measure() reads headers only, so only Pillow's own bomb limit applies there.
_NO_LIMIT = 2**63

# Orientations 5 to 8 turn the picture a quarter: width and height swap.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})

# Modes each format can write; anything else is converted before saving.
_WRITABLE_MODES = {
    ImageFormat.JPEG: frozenset({"L", "RGB", "CMYK"}),
    ImageFormat.PNG: frozenset({"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}),
    ImageFormat.GIF: frozenset({"L", "P", "RGB", "RGBA"}),
    ImageFormat.WEBP: frozenset({"RGB", "RGBA"}),
    ImageFormat.BMP: frozenset({"1", "L", "P", "RGB", "RGBA"}),
}

# Formats whose files can carry an ICC colour profile: kept so thumbnails show the same colours.
_PROFILE_FORMATS = frozenset({ImageFormat.JPEG, ImageFormat.PNG, ImageFormat.WEBP})

# Chosen by measurement (bench/web_images.py, docs/performance.md): on lossless photographs,
# the lowest qualities whose SSIMULACRA2 score matches the JPEG thumbnail's (quality 85) on the
# median photo. AVIF in 4:4:4 with aom's quantization matrices kept between levels 4 and 8
# (flatter ones cost bytes this metric does not reward) at speed 6 takes 59 % of the JPEG's
# bytes; speed 8 needs 64-65 % for the same score. Speed 6 costs about 365 ms of CPU for a
# 1080 px first request: 245 ms on the wall clock when libavif's threads find both of this
# machine's cores free (the 300 ms bound), about 375 ms on one core. Later requests read the
# stored file. WebP takes a fractional quality, and
# method 6 about 3 points fewer bytes than 4 for about 25 ms more on a 1080 px thumbnail.
AVIF_QUALITY = 67
AVIF_SPEED = 6
AVIF_SUBSAMPLING = "4:4:4"
AVIF_CODEC_OPTIONS = (("qm-min", "4"), ("qm-max", "8"))  # key-value pairs, as libavif takes them
WEBP_VARIANT_QUALITY = 85.6
WEBP_VARIANT_METHOD = 6

# Shrinking first by a whole factor (box filter) is much faster than Lanczos over the whole
# image; at three times the target size the result cannot be told from a full Lanczos pass.
_REDUCING_GAP = 3.0


@contextmanager
def _decoding(image_format: ImageFormat, max_pixels: int) -> Iterator[None]:
    """Turn Pillow's complaints about the bytes into the domain's errors."""
    try:
        yield
    except Image.DecompressionBombError:
        # Pillow refuses on its own above twice its MAX_IMAGE_PIXELS, before our own check.
        pillow_limit = Image.MAX_IMAGE_PIXELS
        limit = max_pixels if pillow_limit is None else min(max_pixels, 2 * pillow_limit)
        raise TooManyPixels(limit) from None
    except UnidentifiedImageError:
        raise CorruptImage(_PILLOW_FORMATS[image_format], BAD_HEADER) from None
    except _DECODING_ERRORS:
        # Pillow's own words change between releases and name its internals; clients get ours.
        raise CorruptImage(_PILLOW_FORMATS[image_format], BAD_DATA) from None


BAD_HEADER = "its header is not valid"
BAD_DATA = "its data is damaged or incomplete"


class PillowImageProcessor:
    """ImageProcessor with Pillow.

    One decode per image: JPEG is decoded at the smallest scale (1/2, 1/4 or 1/8) that still
    covers the largest thumbnail, then each thumbnail is made from the previous, larger one.
    EXIF orientation is applied to the largest thumbnail rather than to the full image, which
    gives the same pixels at a fraction of the memory. Thumbnails carry no EXIF, XMP or
    comments, only the ICC colour profile. Animated images give their first frame.
    The decode and each thumbnail are reported to ``observer`` as stages.
    """

    def __init__(
        self, jpeg_quality: int = 85, webp_quality: int = 80, observer: Observer = UNOBSERVED
    ) -> None:
        self._observer = observer
        self._variant_options: dict[WebFormat, dict[str, Any]] = {
            WebFormat.AVIF: {
                "format": "AVIF",
                "quality": AVIF_QUALITY,
                "speed": AVIF_SPEED,
                "subsampling": AVIF_SUBSAMPLING,
                "advanced": AVIF_CODEC_OPTIONS,
            },
            WebFormat.WEBP: {
                "format": "WEBP",
                "quality": WEBP_VARIANT_QUALITY,
                "method": WEBP_VARIANT_METHOD,
            },
        }
        self._save_options: dict[ImageFormat, dict[str, Any]] = {
            ImageFormat.JPEG: {"quality": jpeg_quality},
            ImageFormat.PNG: {},
            ImageFormat.GIF: {},
            ImageFormat.WEBP: {"quality": webp_quality},
            ImageFormat.BMP: {},
        }

    def render(
        self, source: BinaryIO, image_format: ImageFormat, renditions: Renditions, max_pixels: int
    ) -> RenderedImage:
        """Decode ``source`` once and encode each of ``renditions``; the placeholder is hashed
        from the smallest copy."""
        boxes = sorted(set(renditions.sizes), reverse=True)
        with (
            _decoding(image_format, max_pixels),
            Image.open(source, formats=[_PILLOW_FORMATS[image_format]]) as image,
        ):
            width, height = image.size
            if width * height > max_pixels:
                raise TooManyPixels(max_pixels, width, height)
            mode = image.mode
            if boxes:
                # A no-op for every format but JPEG, which then decodes at a reduced scale.
                image.draft(None, fit_within(width, height, boxes[0]))
            with self._observer.stage(IMAGE_DECODE, **{"image.format": image_format.value}):
                image.load()
            # Read after load(): PNG may keep its EXIF chunk behind the pixel data.
            quarter_turn = image.getexif().get(ExifTags.Base.Orientation) in _QUARTER_TURNS
            upright = (height, width) if quarter_turn else (width, height)
            profile = image.info.get("icc_profile") if image_format in _PROFILE_FORMATS else None
            shrunk = _shrink_in_steps(image, boxes, upright, quarter_turn)
            thumbnails, smallest = self._thumbnails(
                shrunk, len(boxes), image_format, profile, renditions.variants
            )
        return RenderedImage(
            width=upright[0],
            height=upright[1],
            mode=mode,
            thumbnails=tuple(sorted(thumbnails, key=lambda thumbnail: thumbnail.size)),
            placeholder=None if smallest is None else blurhash(smallest),
        )

    def _thumbnails(
        self,
        shrunk: Iterator[tuple[int, Image.Image]],
        count: int,
        image_format: ImageFormat,
        profile: bytes | None,
        variants: Sequence[WebFormat],
    ) -> tuple[list[RenderedThumbnail], Image.Image | None]:
        made = []
        thumbnail = None
        for _ in range(count):
            # One stage per thumbnail: its resize (done as the iterator advances) and encode.
            with self._observer.stage(IMAGE_THUMBNAIL, **{"image.format": image_format.value}):
                box, thumbnail = next(shrunk)
                data = self._encode(thumbnail, image_format, profile)
                encoded = tuple(
                    (variant, self._encode_variant(thumbnail, variant, profile))
                    for variant in variants
                )
            made.append(RenderedThumbnail(box, thumbnail.width, thumbnail.height, data, encoded))
        return made, thumbnail

    def measure(self, source: BinaryIO, image_format: ImageFormat) -> tuple[int, int]:
        """Width and height as stored, read from the header without decoding pixels."""
        with (
            _decoding(image_format, _NO_LIMIT),
            Image.open(source, formats=[_PILLOW_FORMATS[image_format]]) as image,
        ):
            return image.size

    def _encode(
        self, image: Image.Image, image_format: ImageFormat, profile: bytes | None
    ) -> bytes:
        writable = image
        if image.mode not in _WRITABLE_MODES[image_format]:
            keeps_alpha = image_format is not ImageFormat.JPEG and image.has_transparency_data
            writable = image.convert("RGBA" if keeps_alpha else "RGB")
        options = dict(self._save_options[image_format])
        if profile:
            options["icc_profile"] = profile
        buffer = io.BytesIO()
        writable.save(buffer, format=_PILLOW_FORMATS[image_format], **options)
        return buffer.getvalue()

    def _encode_variant(
        self, image: Image.Image, variant: WebFormat, profile: bytes | None
    ) -> bytes:
        writable = image
        options = dict(self._variant_options[variant])
        if image.mode not in ("RGB", "RGBA"):
            writable = image.convert("RGBA" if image.has_transparency_data else "RGB")
        elif profile:
            # Only an RGB profile describes RGB pixels: a CMYK or grey one is left behind.
            options["icc_profile"] = profile
        buffer = io.BytesIO()
        writable.save(buffer, **options)
        return buffer.getvalue()


def _shrink_in_steps(
    image: Image.Image, boxes: Sequence[int], upright: tuple[int, int], quarter_turn: bool
) -> Iterator[tuple[int, Image.Image]]:
    """Upright copies of ``image`` fitted into each box (largest first), each from the last."""
    current = _resizable(image)
    for index, box in enumerate(boxes):
        target = fit_within(*upright, box)
        if index > 0:
            current = _resized(current, target)
        else:
            # Shrink the picture as stored, then turn it upright: turning the largest thumbnail
            # costs a fraction of turning the decoded image. The shrunk copy still carries the
            # original's EXIF, which is where exif_transpose reads the orientation.
            current = _resized(current, target[::-1] if quarter_turn else target)
            current = ImageOps.exif_transpose(current)
            # Nothing of the original's metadata (EXIF, GPS, XMP, comments) travels on.
            current.info = {}
        yield box, current


def _resizable(image: Image.Image) -> Image.Image:
    # Pillow resizes palette and 1-bit images with nearest-neighbour only; in full colour (or
    # grey) the Lanczos filter applies. Transparency, including a palette's, becomes alpha.
    if image.mode in ("RGBA", "LA"):
        return image
    if image.has_transparency_data:
        return image.convert("RGBA")
    if image.mode == "P":
        return image.convert("RGB")
    if image.mode == "1":
        return image.convert("L")
    return image


def _resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=_REDUCING_GAP)
