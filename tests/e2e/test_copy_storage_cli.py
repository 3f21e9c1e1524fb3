"""``portfolio media copy-storage``: from a media root into a bucket (a real SeaweedFS) and back."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from portfolio.adapters.filesystem.storage import FilesystemMediaStorage
from portfolio.adapters.s3.storage import S3Location, S3MediaStorage
from tests import media_samples
from tests.seaweedfs import SeaweedFS

PORTFOLIO = str(Path(sys.executable).parent / "portfolio")
FILES = {
    "core_media/2026/03/02/photo.png": media_samples.png(),
    "core_media/2026/03/02/thumbnails/photo_thumbnail_64x64.png": media_samples.png((64, 42)),
    "core_media/2026/03/02/big.bin": os.urandom(6 * 1024 * 1024),
}


def copy_storage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command with ``env`` and return what it printed."""
    return subprocess.run(
        [PORTFOLIO, "media", "copy-storage", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_files_go_to_the_bucket_verified_then_a_rerun_copies_nothing_and_back_works(
    seaweedfs: SeaweedFS, tmp_path: Path
) -> None:
    disk = FilesystemMediaStorage(tmp_path / "media")
    for key, data in FILES.items():
        disk.save(key, io.BytesIO(data))
    bucket = seaweedfs.create_bucket()
    s3_env = seaweedfs.environment(bucket, prefix="media")
    from_disk = {
        **s3_env,
        "PORTFOLIO_STORAGE": "filesystem",
        "PORTFOLIO_MEDIA_ROOT": str(disk.root),
    }

    first = copy_storage(from_disk, "--to", "s3")
    assert first.returncode == 0, first.stderr
    assert "copied: 3\nalready there: 0\nconflict: 0\nfailed: 0" in first.stdout
    assert "copying 3 file(s) to s3" in first.stderr
    bucket_store = S3MediaStorage(
        S3Location(
            bucket=bucket,
            endpoint_url=seaweedfs.endpoint_url,
            prefix="media/",
            access_key_id=seaweedfs.access_key,
            secret_access_key=seaweedfs.secret_key,
        )
    )
    for key, data in FILES.items():
        with bucket_store.open(key) as handle:
            assert handle.read() == data

    again = copy_storage(from_disk, "--to", "s3")
    assert again.returncode == 0, again.stderr
    assert "copied: 0\nalready there: 3" in again.stdout

    back_root = tmp_path / "back"
    to_disk = {**s3_env, "PORTFOLIO_MEDIA_ROOT": str(back_root)}
    back = copy_storage(to_disk, "--to", "filesystem")
    assert back.returncode == 0, back.stderr
    assert "copied: 3" in back.stdout
    for key, data in FILES.items():
        assert (back_root / key).read_bytes() == data


def test_a_conflicting_file_is_reported_kept_and_the_exit_code_is_1(
    seaweedfs: SeaweedFS, tmp_path: Path
) -> None:
    disk = FilesystemMediaStorage(tmp_path / "media")
    disk.save("core_media/a.txt", io.BytesIO(b"on disk"))
    bucket = seaweedfs.create_bucket()
    env = {
        **seaweedfs.environment(bucket),
        "PORTFOLIO_STORAGE": "filesystem",
        "PORTFOLIO_MEDIA_ROOT": str(disk.root),
    }
    bucket_store = S3MediaStorage(
        S3Location(
            bucket=bucket,
            endpoint_url=seaweedfs.endpoint_url,
            access_key_id=seaweedfs.access_key,
            secret_access_key=seaweedfs.secret_key,
        )
    )
    bucket_store.save("core_media/a.txt", io.BytesIO(b"in the bucket"))

    result = copy_storage(env, "--to", "s3")

    assert result.returncode == 1
    assert "core_media/a.txt: conflict: the target holds other bytes here" in result.stderr
    with bucket_store.open("core_media/a.txt") as handle:
        assert handle.read() == b"in the bucket"


def test_copying_into_the_current_store_or_without_a_bucket_is_refused(tmp_path: Path) -> None:
    same = copy_storage({"PORTFOLIO_MEDIA_ROOT": str(tmp_path)}, "--to", "filesystem")
    assert same.returncode == 2
    assert "the current store is already filesystem" in same.stderr
    no_bucket = copy_storage(
        {"PORTFOLIO_MEDIA_ROOT": str(tmp_path), "PORTFOLIO_S3_BUCKET": ""}, "--to", "s3"
    )
    assert no_bucket.returncode == 3
    assert "PORTFOLIO_S3_BUCKET must be set" in no_bucket.stderr
    assert "Traceback" not in no_bucket.stderr
