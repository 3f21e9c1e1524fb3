"""Media on the filesystem against media in S3 (a SeaweedFS on loopback), in the same run.

Run: ``.venv/bin/python -m bench.media_storage [--runs 7]``

1. Upload time: the whole upload use case (checks, one decode, four thumbnails, five stored
   files, an in-memory record) on a 4000x3000 JPEG, into a temporary media root and into a
   bucket, interleaved run by run; medians side by side.
2. Peak memory of storing one file of 5, 20 and 80 MiB from disk into each store, and of the
   whole upload use case on a 20 MiB file (the default upload limit), each in a fresh
   interpreter: how far the resident set peaks above where it started (VmHWM against VmRSS,
   Linux). Bounded means the 80 MiB figure is no larger than the 20 MiB one.
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
from portfolio.adapters.filesystem.storage import FilesystemMediaStorage
from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.adapters.s3.storage import S3Location, S3MediaStorage
from portfolio.application.media.upload import UploadMedia
from portfolio.application.ports import MediaStorage

MIB = 1024 * 1024
FILE_SIZES_MIB = (5, 20, 80)
UPLOAD_MIB = 20


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
        InMemoryDatabase().media,
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


def peak_growth_mib(
    store: str, path: Path, server: SeaweedFS, bucket: str, *, whole_upload: bool = False
) -> float:
    """Store ``path`` once in a fresh interpreter (through the upload use case when
    ``whole_upload``); the growth of its peak resident set."""
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.media_storage",
            "--peak",
            store,
            *(["--whole-upload"] if whole_upload else []),
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


def measure_peak(store: str, path: Path, endpoint: str, bucket: str, whole_upload: bool) -> None:
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
            if whole_upload:
                use_case = UploadMedia(
                    storage,
                    InMemoryDatabase().media,
                    PillowImageProcessor(),
                    lambda: datetime.now(UTC),
                )
                asyncio.run(use_case(source, path.name))
            else:
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
    parser.add_argument("--whole-upload", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.peak:
        measure_peak(
            arguments.peak,
            arguments.file,
            arguments.endpoint,
            arguments.bucket,
            arguments.whole_upload,
        )
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

        peaks: dict[tuple[str, str], float] = {}
        for size in FILE_SIZES_MIB:
            path = Path(work) / f"file-{size}.bin"
            with path.open("wb") as sink:
                for _ in range(size):
                    sink.write(os.urandom(MIB))
            for name in stores:
                peaks[name, f"save {size} MiB"] = peak_growth_mib(name, path, server, bucket)
                if size == UPLOAD_MIB:
                    peaks[name, f"upload {size} MiB"] = peak_growth_mib(
                        name, path, server, bucket, whole_upload=True
                    )
            path.unlink()
        columns = sorted({column for _, column in peaks}, key=lambda c: (c[0], int(c.split()[1])))
        print("peak resident-set growth while storing one file, MiB")
        print(f"{'store':<11}" + "".join(f"{column:>16}" for column in columns))
        for name in stores:
            figures = "".join(f"{peaks[name, column]:>16.1f}" for column in columns)
            print(f"{name:<11}{figures}")


if __name__ == "__main__":
    main()
