"""Media on the filesystem against media in S3 (a SeaweedFS on loopback), in the same run.

Run: ``.venv/bin/python -m bench.media_storage [--runs 7]``

1. Upload time: the whole upload use case (checks, one decode, four thumbnails, five stored
   files, an in-memory record) on a 4000x3000 JPEG, into a temporary media root and into a
   bucket, interleaved run by run; medians side by side.
2. Peak memory of storing one file of 5, 20 and 80 MiB from disk, into each store, each in a
   fresh interpreter: how far the resident set peaks above where it started (VmHWM against
   VmRSS, Linux). Bounded means the 80 MiB figure is no larger than the 20 MiB one.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.seaweedfs import SeaweedFS, running_seaweedfs

from bench.media_ingest import QUALITY, make_photo, memory_kib
from portfolio.adapters.filesystem import FilesystemMediaStorage
from portfolio.adapters.memory import InMemoryCatalogue
from portfolio.adapters.pillow import PillowImageProcessor
from portfolio.adapters.s3 import S3Location, S3MediaStorage
from portfolio.application import MediaStorage, UploadMedia

MIB = 1024 * 1024
FILE_SIZES_MIB = (5, 20, 80)


def s3_store(server: SeaweedFS, bucket: str) -> S3MediaStorage:
    """A store on ``bucket`` of the running SeaweedFS."""
    return S3MediaStorage(
        S3Location(
            bucket=bucket,
            endpoint_url=server.endpoint_url,
            access_key_id=server.access_key,
            secret_access_key=server.secret_key,
        )
    )


def upload_once(storage: MediaStorage, data: bytes) -> None:
    """The upload use case, as the HTTP handler runs it."""
    use_case = UploadMedia(
        storage,
        InMemoryCatalogue(),
        PillowImageProcessor(jpeg_quality=QUALITY),
        lambda: datetime.now(UTC),
    )
    asyncio.run(use_case(io.BytesIO(data), "photo.jpg"))


def time_uploads(stores: dict[str, MediaStorage], data: bytes, runs: int) -> dict[str, list[float]]:
    """Seconds per upload for each store, run by run in turn."""
    for storage in stores.values():
        upload_once(storage, data)  # warm-up: imports, codec tables, connections
    timings: dict[str, list[float]] = {name: [] for name in stores}
    for _ in range(runs):
        for name, storage in stores.items():
            started = time.perf_counter()
            upload_once(storage, data)
            timings[name].append(time.perf_counter() - started)
    return timings


def peak_growth_mib(store: str, path: Path, server: SeaweedFS, bucket: str) -> float:
    """Store ``path`` once in a fresh interpreter; the growth of its peak resident set."""
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.media_storage",
            "--peak",
            store,
            "--file",
            str(path),
            "--endpoint",
            server.endpoint_url,
            "--bucket",
            bucket,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip())


def measure_peak(store: str, path: Path, endpoint: str, bucket: str) -> None:
    """The child side of peak_growth_mib: print MiB of peak growth."""
    with tempfile.TemporaryDirectory() as root:
        storage: MediaStorage = (
            FilesystemMediaStorage(Path(root))
            if store == "filesystem"
            else s3_store(SeaweedFS(endpoint, ""), bucket)
        )
        storage.exists("warm-up")  # the client and its connection pool are not the upload
        Path("/proc/self/clear_refs").write_text("5")
        before = memory_kib("VmRSS")
        with path.open("rb") as source:
            storage.save(f"core_media/{path.name}", source)
        print((memory_kib("VmHWM") - before) / 1024)


def main() -> None:
    """Time uploads into both stores, then measure peak memory per file size and store."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--peak", choices=("filesystem", "s3"), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--bucket", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.peak:
        measure_peak(arguments.peak, arguments.file, arguments.endpoint, arguments.bucket)
        return

    with tempfile.TemporaryDirectory() as work, running_seaweedfs(Path(work) / "weed") as server:
        bucket = server.create_bucket("bench")
        stores: dict[str, MediaStorage] = {
            "filesystem": FilesystemMediaStorage(Path(work) / "media"),
            "s3": s3_store(server, bucket),
        }
        data = make_photo()
        print(f"upload of a 4000x3000 JPEG ({len(data) / MIB:.2f} MiB) with four thumbnails")
        timings = time_uploads(stores, data, arguments.runs)
        print(f"{'store':<11}{'median ms':>10}{'min ms':>9}{'max ms':>9}")
        for name, runs in timings.items():
            print(
                f"{name:<11}{statistics.median(runs) * 1000:>10.1f}"
                f"{min(runs) * 1000:>9.1f}{max(runs) * 1000:>9.1f}"
            )
        ratio = statistics.median(timings["s3"]) / statistics.median(timings["filesystem"])
        print(f"s3 / filesystem, median over {arguments.runs} runs: {ratio:.2f}x the time\n")

        peaks: dict[tuple[str, int], float] = {}
        for size in FILE_SIZES_MIB:
            path = Path(work) / f"file-{size}.bin"
            with path.open("wb") as sink:
                for _ in range(size):
                    sink.write(os.urandom(MIB))
            for name in stores:
                peaks[name, size] = peak_growth_mib(name, path, server, bucket)
            path.unlink()
        print("peak resident-set growth while storing one file, MiB")
        print(f"{'store':<11}" + "".join(f"{f'{size} MiB file':>14}" for size in FILE_SIZES_MIB))
        for name in stores:
            figures = "".join(f"{peaks[name, size]:>14.1f}" for size in FILE_SIZES_MIB)
            print(f"{name:<11}{figures}")


if __name__ == "__main__":
    main()
