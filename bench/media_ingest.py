"""Ingesting a 4000x3000 JPEG: the Pillow adapter against a naive Pillow thumbnail loop.

Run: ``.venv/bin/python bench/media_ingest.py [--runs 7]``

Both variants decode the same photo and encode four JPEG thumbnails (64, 128, 512, 1080) at
the same quality. The naive loop opens, copies and thumbnail()s the full image for each size;
the adapter decodes once at reduced scale and makes each size from the previous one. The
upload row adds what the use case does around the adapter: sniffing, fsync'd writes of the
original and its thumbnails into a temporary media root, and an in-memory record.

Peak memory is how far each variant raises the resident set above where it started (Linux
VmHWM against VmRSS), in a fresh interpreter per variant. Pillow allocates pixels outside
Python's allocator, so tracemalloc cannot see them, and ru_maxrss is inherited from the
parent process, so neither would do.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageFilter

from portfolio.adapters.filesystem.storage import FilesystemMediaStorage
from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.application.media.file_types import ImageFormat
from portfolio.application.media.upload import UploadMedia
from portfolio.application.ports import Renditions
from portfolio.domain import THUMBNAIL_SIZES

SIZE = (4000, 3000)
QUALITY = 85
MAX_PIXELS = 50_000_000


def make_photo() -> bytes:
    """A 12-megapixel JPEG with smooth areas and grain, about the weight of a camera photo."""
    red = Image.linear_gradient("L").resize(SIZE)
    green = Image.radial_gradient("L").resize(SIZE)
    grain = Image.effect_noise(SIZE, 40).filter(ImageFilter.GaussianBlur(0.4))
    blue = Image.blend(red.transpose(Image.Transpose.ROTATE_180), grain, 0.5)
    photo = Image.merge(
        "RGB", (Image.blend(red, grain, 0.3), Image.blend(green, grain, 0.15), blue)
    )
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def naive(data: bytes) -> list[bytes]:
    """The loop the adapter replaces: a full decode and a thumbnail() per size."""
    thumbnails = []
    for size in THUMBNAIL_SIZES:
        with Image.open(io.BytesIO(data)) as original:
            copy = original.copy()
        copy.thumbnail((size, size))
        buffer = io.BytesIO()
        copy.save(buffer, "JPEG", quality=QUALITY)
        thumbnails.append(buffer.getvalue())
    return thumbnails


def adapter(data: bytes) -> list[bytes]:
    """PillowImageProcessor.render, as UploadMedia calls it."""
    rendered = PillowImageProcessor(jpeg_quality=QUALITY).render(
        io.BytesIO(data), ImageFormat.JPEG, Renditions(THUMBNAIL_SIZES), MAX_PIXELS
    )
    return [thumbnail.data for thumbnail in rendered.thumbnails]


def upload(data: bytes) -> list[bytes]:
    """The whole use case: checks, decode, five fsync'd files, the record."""
    with tempfile.TemporaryDirectory() as root:
        use_case = UploadMedia(
            FilesystemMediaStorage(Path(root)),
            InMemoryDatabase().media,
            PillowImageProcessor(jpeg_quality=QUALITY),
            lambda: datetime.now(UTC),
        )
        media = asyncio.run(use_case(io.BytesIO(data), "photo.jpg"))
    return [thumbnail.key.encode() for thumbnail in media.thumbnails]


VARIANTS: dict[str, Callable[[bytes], list[bytes]]] = {
    "naive": naive,
    "adapter": adapter,
    "upload": upload,
}


def peak_growth_mib(variant: str, photo: Path) -> float:
    """Run ``variant`` once in a fresh interpreter; its growth of the peak resident set."""
    output = subprocess.run(
        [sys.executable, __file__, "--peak", variant, "--photo", str(photo)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip())


def memory_kib(field: str) -> int:
    """A ``VmRSS``/``VmHWM`` figure of this process, in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def measure_peak(variant: str, photo: Path) -> None:
    """The child side of peak_growth_mib: print MiB of peak growth."""
    data = photo.read_bytes()
    # Resets the peak (VmHWM) to the current resident set, so imports do not count.
    Path("/proc/self/clear_refs").write_text("5")
    before = memory_kib("VmRSS")
    VARIANTS[variant](data)
    print((memory_kib("VmHWM") - before) / 1024)


def main() -> None:
    """Time every variant ``--runs`` times, interleaved, and report medians, ratio and peaks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--peak", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--photo", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.peak:
        measure_peak(arguments.peak, arguments.photo)
        return

    data = make_photo()
    print(
        f"photo: {SIZE[0]}x{SIZE[1]} JPEG, {len(data) / 1024 / 1024:.2f} MiB; "
        f"thumbnails {', '.join(map(str, THUMBNAIL_SIZES))} at quality {QUALITY}"
    )
    for function in VARIANTS.values():
        function(data)  # warm-up: imports, codec tables, page cache
    timings: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(arguments.runs):
        for name, function in VARIANTS.items():
            started = time.perf_counter()
            function(data)
            timings[name].append(time.perf_counter() - started)

    with tempfile.NamedTemporaryFile(suffix=".jpg") as photo:
        photo.write(data)
        photo.flush()
        peaks = {name: peak_growth_mib(name, Path(photo.name)) for name in VARIANTS}

    print(f"\n{'variant':<10}{'median ms':>11}{'min ms':>9}{'max ms':>9}{'peak MiB':>10}")
    for name, runs in timings.items():
        print(
            f"{name:<10}{statistics.median(runs) * 1000:>11.1f}{min(runs) * 1000:>9.1f}"
            f"{max(runs) * 1000:>9.1f}{peaks[name]:>10.1f}"
        )
    speedup = statistics.median(timings["naive"]) / statistics.median(timings["adapter"])
    print(
        f"\nadapter vs naive, median over {arguments.runs} runs: {speedup:.1f}x faster, "
        f"peak memory {peaks['naive'] / max(peaks['adapter'], 0.1):.1f}x lower"
    )


if __name__ == "__main__":
    main()
