"""AVIF and WebP thumbnails against today's JPEG ones: bytes at an equal score, encode time.

    .venv/bin/python -m bench.web_images --corpus DIR [--corpus DIR2 ...] [--runs 5]
        [--avif-speed N] [--avif-subsampling 4:4:4] [--avif-option KEY=VALUE ...]
        [--webp-method N] [--avif-qualities 66,68,70] [--webp-qualities 85.5,86] [--quality-only]

Each ``DIR`` holds the photographs to score, JPEG or PNG files; each corpus gets its own
table, in one run. The figures in docs/performance.md used two corpora:

- lossless photographs: the colour photographs that scikit-image ships in its wheel, PNG
  files, none of them JPEG-compressed before: ``python3 -m venv /tmp/skvenv &&
  /tmp/skvenv/bin/pip install scikit-image``, then copy astronaut.png, chelsea.png,
  coffee.png and motorcycle_left.png from ``skimage/data`` in its site-packages into DIR;
- JPEG photographs of Pillow's own test corpus, ``Tests/images`` of python-pillow/Pillow:
  flower.jpg, flower2.jpg, exif-72dpi-int.jpg, exif_gps_typeerror.jpg, app13-multiple.jpg,
  hopper.jpg, icc_profile_big.jpg, sugarshack_bad_mpo_header.jpg and xmp_test.jpg (``git
  show HEAD:Tests/images/<name>`` in a clone puts each on disk).

**Quality.** Each photo is made upright and fitted into each thumbnail box with Lanczos, as
the service does; those pixels are the reference. The JPEG thumbnail is encoded as the
service encodes it today (quality 85), then AVIF and WebP at a grid of qualities; each is
scored against the reference with SSIMULACRA2 (PyPI ``ssimulacra2``; 100 is identical, 90 is
visually lossless, 70 is high quality). Each row gives medians over the photos: bytes, bytes
as a share of the JPEG's, score, and the score's margin over the JPEG's (median and worst
photo); the lowest quality whose median margin is not negative is marked, and the adapter's
own quality too. The encoder settings are the adapter's unless ``--avif-speed``,
``--avif-subsampling``, ``--avif-option`` (libavif's codec options, as ``avifenc -a`` takes
them, e.g. ``qm-max=8``; ``--avif-option none`` for none) or ``--webp-method`` say otherwise,
and ``--avif-qualities`` and ``--webp-qualities`` replace the grid (WebP takes fractions).
Then, per photo, the figures of the marked qualities.

**Time.** A 4000x3000 JPEG (the photo of bench/media_ingest.py) goes through the service's
adapter: ``render`` (today's upload work: one decode, four JPEG thumbnails) beside ``render``
plus every AVIF and WebP variant of the four thumbnails (an eager upload), and the variant of
one 1080 px thumbnail made on its own (a lazy first request). Then the whole upload use case
into a temporary media root (fsync'd files, an in-memory record) without variants (lazy, what
the service does when it serves the files) and with all eight (eager, what it does for a
bucket or CDN); the variant step of a request for the 1080 px AVIF the first time (made from
the original and stored) and later (opened); and ``RegenerateThumbnails`` over images
uploaded without variants or placeholder, per image. Last, whole HTTP requests in process
(the app over in-memory adapters, every layer of the edge): ``GET /media/<1080 px thumbnail>``
with Chromium's ``Accept`` the first time (the AVIF made) and later, beside the same request
for the stored JPEG, which is what a thumbnail cost before. Medians of ``--runs``, interleaved.
Each case is timed on the wall clock and in CPU time (every thread of the process): on a
machine other jobs share, the CPU time is the steadier measure of what a case costs.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from litestar.testing import AsyncTestClient
from PIL import Image, ImageOps
from ssimulacra2 import compute_ssimulacra2

from bench.media_ingest import make_photo
from portfolio.adapters.filesystem.storage import FilesystemMediaStorage
from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.pillow.images import (
    AVIF_CODEC_OPTIONS,
    AVIF_QUALITY,
    AVIF_SPEED,
    AVIF_SUBSAMPLING,
    WEBP_VARIANT_METHOD,
    WEBP_VARIANT_QUALITY,
    PillowImageProcessor,
)
from portfolio.application.media.file_types import ImageFormat
from portfolio.application.media.keys import WEB_FORMATS, WebFormat
from portfolio.application.media.thumbnails import RegenerateThumbnails
from portfolio.application.media.upload import UploadMedia
from portfolio.application.media.variants import WebVariants
from portfolio.application.ports import Renditions
from portfolio.domain import THUMBNAIL_SIZES, fit_within
from portfolio.entrypoints.container import in_memory
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings

JPEG_QUALITY = 85
BOXES = (128, 512, 1080)
ADAPTER_QUALITY: dict[str, float] = {"AVIF": AVIF_QUALITY, "WEBP": WEBP_VARIANT_QUALITY}
GRID: dict[str, tuple[float, ...]] = {
    "AVIF": tuple(sorted({50, 60, 65, 66, 67, 68, 69, 70, 72, 75, 80, AVIF_QUALITY})),
    "WEBP": tuple(sorted({75, 80, 85, 85.5, 86, 87, 88, 90, WEBP_VARIANT_QUALITY})),
}
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png"})
MAX_PIXELS = 50_000_000
CHROMIUM_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"


def reference(path: Path, box: int) -> Image.Image:
    """The photo upright, in RGB, fitted into ``box``: the pixels every thumbnail encodes."""
    with Image.open(path) as photo:
        upright = ImageOps.exif_transpose(photo).convert("RGB")
    size = fit_within(upright.width, upright.height, box)
    pixels = upright.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    # Pillow's AVIF writer embeds the ICC profile, EXIF and XMP it finds here, JPEG and WebP
    # only what they are given: without this a photo's metadata counts against AVIF alone.
    pixels.info.clear()
    return pixels


def encoded(image: Image.Image, image_format: str, **options: object) -> tuple[bytes, float]:
    """``image`` in ``image_format`` and how long encoding took, in ms."""
    buffer = io.BytesIO()
    started = time.perf_counter()
    image.save(buffer, image_format, **options)
    return buffer.getvalue(), (time.perf_counter() - started) * 1000


def score(reference_png: bytes, candidate: bytes) -> float:
    """SSIMULACRA2 of ``candidate`` against the reference."""
    return float(compute_ssimulacra2(io.BytesIO(reference_png), io.BytesIO(candidate)))


Figures = tuple[int, float, float, float, float]  # bytes, of JPEG, score, JPEG's score, ms


def quality_table(
    photos: list[Path], effort: dict[str, dict[str, object]], grid: dict[str, tuple[float, ...]]
) -> None:
    """Score every format and quality of the grid on every photo and box; print the choice."""
    print(f"photos: {', '.join(photo.name for photo in photos)}")
    print(f"effort: {effort}\n")
    header = f"{'format':<6}{'box':>6}{'q':>6}{'bytes':>9}{'of JPEG':>9}{'score':>8}"
    print(f"{header}{'vs JPEG (median, min)':>23}{'encode ms':>11}")
    per_photo: list[str] = []
    for box in BOXES:
        rows: dict[tuple[str, float], list[Figures]] = {}
        jpeg_rows: list[tuple[int, float, float]] = []
        for photo in photos:
            pixels = reference(photo, box)
            reference_png, _ = encoded(pixels, "PNG")
            jpeg, jpeg_ms = encoded(pixels, "JPEG", quality=JPEG_QUALITY)
            jpeg_score = score(reference_png, jpeg)
            jpeg_rows.append((len(jpeg), jpeg_score, jpeg_ms))
            for image_format, qualities in grid.items():
                for quality in qualities:
                    data, ms = encoded(
                        pixels, image_format, quality=whole(quality), **effort[image_format]
                    )
                    rows.setdefault((image_format, quality), []).append(
                        (
                            len(data),
                            len(data) / len(jpeg),
                            score(reference_png, data),
                            jpeg_score,
                            ms,
                        )
                    )
        print(
            f"{'JPEG':<6}{box:>6}{JPEG_QUALITY:>6}"
            f"{statistics.median(r[0] for r in jpeg_rows):>9.0f}{'100 %':>9}"
            f"{statistics.median(r[1] for r in jpeg_rows):>8.1f}{'':>23}"
            f"{statistics.median(r[2] for r in jpeg_rows):>11.1f}"
        )
        for image_format, qualities in grid.items():
            chosen: float | None = None
            for quality in qualities:
                results = rows[image_format, quality]
                margins = [result[2] - result[3] for result in results]
                margin = statistics.median(margins)
                mark = ""
                if margin >= 0 and chosen is None:
                    chosen, mark = quality, "  <- chosen"
                if quality == ADAPTER_QUALITY[image_format]:
                    mark += "  (adapter)"
                print(
                    f"{image_format:<6}{box:>6}{quality:>6g}"
                    f"{statistics.median(r[0] for r in results):>9.0f}"
                    f"{statistics.median(r[1] for r in results) * 100:>7.0f} %"
                    f"{statistics.median(r[2] for r in results):>8.1f}"
                    f"{margin:>+15.1f}{min(margins):>+8.1f}"
                    f"{statistics.median(r[4] for r in results):>11.1f}{mark}"
                )
            marked = sorted(
                ({ADAPTER_QUALITY[image_format]} & set(qualities)) | ({chosen} if chosen else set())
            )
            for quality in marked:
                for photo, jpeg_row, result in zip(
                    photos, jpeg_rows, rows[image_format, quality], strict=True
                ):
                    per_photo.append(
                        f"{photo.name:<30}{box:>6}{jpeg_row[0]:>9}{jpeg_row[1]:>7.1f}"
                        f"{image_format:>6}{quality:>6g}{result[0]:>9}{result[1] * 100:>7.0f} %"
                        f"{result[2]:>7.1f}{result[2] - result[3]:>+7.1f}{result[4]:>9.1f}"
                    )
        print()
    print(
        f"{'photo':<30}{'box':>6}{'JPEG B':>9}{'score':>7}{'as':>6}{'q':>6}{'bytes':>9}"
        f"{'of JPEG':>9}{'score':>7}{'vs':>7}{'enc ms':>9}"
    )
    print("\n".join(per_photo), end="\n\n")


def timing_table(runs: int, processor: PillowImageProcessor) -> None:
    """Today's upload work beside an eager one, and one lazily made 1080 px AVIF and WebP."""
    data = make_photo()

    def today() -> None:
        processor.render(
            io.BytesIO(data), ImageFormat.JPEG, Renditions(THUMBNAIL_SIZES), MAX_PIXELS
        )

    def eager() -> None:
        processor.render(
            io.BytesIO(data), ImageFormat.JPEG, Renditions(THUMBNAIL_SIZES, WEB_FORMATS), MAX_PIXELS
        )

    def lazy(variant: WebFormat) -> Callable[[], None]:
        def one() -> None:
            processor.render(
                io.BytesIO(data), ImageFormat.JPEG, Renditions((1080,), (variant,)), MAX_PIXELS
            )

        return one

    cases: dict[str, Callable[[], None]] = {
        "render today (4 JPEG thumbnails)": today,
        "render eager (+ 4 AVIF + 4 WebP)": eager,
        "lazy first request: 1080 AVIF": lazy(WebFormat.AVIF),
        "lazy first request: 1080 WebP": lazy(WebFormat.WEBP),
    }
    for case in cases.values():
        case()  # warm-up
    timings: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, case in cases.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            case()
            timings[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
    print(f"4000x3000 JPEG, medians of {runs} runs")
    report(timings, cpu, "render today (4 JPEG thumbnails)")


def report(wall: dict[str, list[float]], cpu: dict[str, list[float]], baseline: str) -> None:
    """Each case's wall and CPU medians, and both against ``baseline``'s."""
    wall_base, cpu_base = statistics.median(wall[baseline]), statistics.median(cpu[baseline])
    print(
        f"{'case':<36}{'wall ms':>9}{'min-max':>15}{'cpu ms':>9}"
        f"{'wall vs':>9}{'cpu vs':>8}  (vs {baseline})"
    )
    for name, values in wall.items():
        median, cpu_median = statistics.median(values), statistics.median(cpu[name])
        spread = f"{min(values):.0f}-{max(values):.0f}"
        print(
            f"{name:<36}{median:>9.1f}{spread:>15}{cpu_median:>9.1f}"
            f"{median / wall_base:>8.2f}x{cpu_median / cpu_base:>7.2f}x"
        )


def service_table(runs: int) -> None:
    """Upload lazy and eager, a variant's first and later request, and the regenerate rate."""
    data = make_photo()
    processor = PillowImageProcessor()

    def clock() -> datetime:
        return datetime.now(UTC)

    with tempfile.TemporaryDirectory() as root:
        storage = FilesystemMediaStorage(Path(root))
        database = InMemoryDatabase()
        lazy = UploadMedia(storage, database.media, processor, clock)
        eager = UploadMedia(storage, database.media, processor, clock, variants=WEB_FORMATS)
        variants = WebVariants(database.media, storage, processor)
        regenerate = RegenerateThumbnails(database.media, storage, processor)

        async def upload(use_case: UploadMedia) -> str:
            media = await use_case(io.BytesIO(data), "photo.jpg")
            return media.thumbnails[-1].key

        wall: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}

        async def timed(name: str, work: Awaitable[object], keep: bool) -> None:
            started, started_cpu = time.perf_counter(), time.process_time()
            await work
            if keep:
                wall.setdefault(name, []).append((time.perf_counter() - started) * 1000)
                cpu.setdefault(name, []).append((time.process_time() - started_cpu) * 1000)

        async def measure() -> None:
            for run in range(runs + 1):  # the first round warms up
                keep = run > 0
                await timed("upload lazy (today)", upload(lazy), keep)
                await timed("upload eager (8 variants)", upload(eager), keep)
                thumbnail = await upload(lazy)
                for name in ("1080 AVIF, first request", "1080 AVIF, later request"):
                    await timed(name, opened_and_closed(variants, thumbnail), keep)
                media = await lazy(io.BytesIO(data), "photo.jpg")
                await database.media.update(media.id, {"placeholder": None})
                await timed("regenerate, per image", regenerate.repair(media.id), keep)

        asyncio.run(measure())
    print(f"\nthe use cases on disk, 4000x3000 JPEG, medians of {runs} runs")
    report(wall, cpu, "upload lazy (today)")


async def opened_and_closed(variants: WebVariants, thumbnail: str) -> None:
    """The variant step of a request for the thumbnail's AVIF: made if need be, opened."""
    opened = await variants.open(thumbnail, WebFormat.AVIF)
    assert opened is not None
    opened[1].close()


def http_table(runs: int) -> None:
    """A variant's first and later request over HTTP, beside the stored thumbnail's."""
    data = make_photo()

    async def measure() -> tuple[dict[str, list[float]], dict[str, list[float]]]:
        wall: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        with tempfile.TemporaryDirectory() as root:
            container = in_memory(Settings(media_root=Path(root)))
            async with AsyncTestClient(create_app(container)) as client:
                for run in range(runs + 1):  # the first round warms up
                    media = await container.upload_media()(io.BytesIO(data), "photo.jpg")
                    path = f"/media/{media.thumbnails[-1].key}"
                    for name, accept in (
                        ("GET 1080 JPEG thumbnail (as before)", "image/jpeg"),
                        ("GET 1080 as AVIF, first request", CHROMIUM_ACCEPT),
                        ("GET 1080 as AVIF, later request", CHROMIUM_ACCEPT),
                    ):
                        started, started_cpu = time.perf_counter(), time.process_time()
                        response = await client.get(path, headers={"Accept": accept})
                        assert response.status_code == 200
                        if run > 0:
                            wall.setdefault(name, []).append((time.perf_counter() - started) * 1e3)
                            cpu.setdefault(name, []).append(
                                (time.process_time() - started_cpu) * 1e3
                            )
        return wall, cpu

    wall, cpu = asyncio.run(measure())
    print(f"\nwhole requests in process, medians of {runs} runs")
    report(wall, cpu, "GET 1080 JPEG thumbnail (as before)")


def qualities(text: str) -> tuple[float, ...]:
    """``--avif-qualities 66,68,70``: the qualities to try, in order."""
    return tuple(sorted(float(value) for value in text.split(",")))


def codec_options(given: list[str] | None) -> dict[str, str]:
    """``--avif-option KEY=VALUE`` as libavif takes them; the adapter's unless any is given."""
    if given is None:
        return dict(AVIF_CODEC_OPTIONS)
    return dict(option.split("=", 1) for option in given if option != "none")


def whole(quality: float) -> float:
    """``quality`` as an int when it is one: Pillow's AVIF writer takes nothing else."""
    return int(quality) if float(quality).is_integer() else quality


def main() -> None:
    """Print the quality table of each ``--corpus`` and the timing tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--avif-speed", type=int, default=AVIF_SPEED)
    parser.add_argument("--avif-subsampling", default=AVIF_SUBSAMPLING)
    parser.add_argument("--avif-option", action="append", metavar="KEY=VALUE")
    parser.add_argument("--webp-method", type=int, default=WEBP_VARIANT_METHOD)
    parser.add_argument("--avif-qualities", type=qualities, default=GRID["AVIF"])
    parser.add_argument("--webp-qualities", type=qualities, default=GRID["WEBP"])
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--quality-only", action="store_true", help="no timing tables")
    parser.add_argument("--http-only", action="store_true", help="only the HTTP requests")
    arguments = parser.parse_args()
    if arguments.http_only:
        http_table(arguments.runs)
        return
    effort: dict[str, dict[str, object]] = {
        "AVIF": {
            "speed": arguments.avif_speed,
            "subsampling": arguments.avif_subsampling,
            "advanced": codec_options(arguments.avif_option),
        },
        "WEBP": {"method": arguments.webp_method},
    }
    grid = {"AVIF": arguments.avif_qualities, "WEBP": arguments.webp_qualities}
    if not arguments.skip_quality:
        for corpus in arguments.corpus:
            print(f"corpus {corpus}")
            quality_table(
                sorted(path for path in corpus.iterdir() if path.suffix.lower() in PHOTO_SUFFIXES),
                effort,
                grid,
            )
    if arguments.quality_only:
        return
    timing_table(arguments.runs, PillowImageProcessor())
    service_table(arguments.runs)
    http_table(arguments.runs)


if __name__ == "__main__":
    main()
