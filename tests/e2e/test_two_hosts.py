"""Two service processes on two ports over one Postgres and one SeaweedFS, as two hosts would
run: what one does, the other sees, and neither keeps a file on its own disk."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from portfolio.adapters.s3.storage import S3Location, S3MediaStorage
from tests import media_samples
from tests.seaweedfs import SeaweedFS

pytestmark = pytest.mark.postgres

PORTFOLIO = str(Path(sys.executable).parent / "portfolio")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def service(env: dict[str, str], media_root: Path) -> Iterator[str]:
    """``portfolio serve`` on a free loopback port; yields its base URL, stops it after."""
    port = _free_port()
    process = subprocess.Popen(
        [PORTFOLIO, "serve", "--port", str(port)],
        env={**env, "PORTFOLIO_MEDIA_ROOT": str(media_root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the service did not come up: {process.communicate()[0]}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
        assert "Traceback" not in output, output


def test_what_one_host_uploads_the_other_serves_and_deletes(
    clean_database: str, seaweedfs: SeaweedFS, tmp_path: Path
) -> None:
    bucket = seaweedfs.create_bucket()
    env = {
        **os.environ,
        **seaweedfs.environment(bucket, prefix="fleet"),
        "PORTFOLIO_DATABASE_URL": clean_database,
    }
    subprocess.run([PORTFOLIO, "users", "create", "admin", "--admin"], env=env, check=True)
    issued = subprocess.run(
        [PORTFOLIO, "tokens", "create", "admin"], env=env, check=True, capture_output=True
    )
    admin = {"Authorization": f"Token {issued.stdout.decode().split()[-1]}"}
    disks = [tmp_path / "host-a", tmp_path / "host-b"]
    for disk in disks:
        disk.mkdir()
    location = S3Location(
        bucket=bucket,
        endpoint_url=seaweedfs.endpoint_url,
        access_key_id=seaweedfs.access_key,
        secret_access_key=seaweedfs.secret_key,
    )
    data = media_samples.jpeg((1200, 900))

    with ExitStack() as hosts:
        first, second = (hosts.enter_context(service(env, disk)) for disk in disks)

        uploaded = httpx.post(
            f"{first}/api/media/", headers=admin, files={"file": ("Launch.jpg", data)}
        )
        assert uploaded.status_code == 201, uploaded.text
        media = uploaded.json()
        created = httpx.post(
            f"{first}/api/portfolios/",
            headers=admin,
            json={"title": "Launch", "image": media["id"], "images": [media["id"]]},
        )
        assert created.status_code == 201, created.text
        in_bucket = sorted(stored.key for stored in S3MediaStorage(location).list_objects())
        assert len(in_bucket) == 5
        assert all(key.startswith("fleet/core_media/") for key in in_bucket)

        retrieved = httpx.get(f"{second}/api/portfolios/{created.json()['id']}", headers=admin)
        assert retrieved.status_code == 200
        cover = retrieved.json()["image_data"]
        assert cover["id"] == media["id"]
        assert cover["f"].startswith(f"{second}/media/core_media/")
        original = httpx.get(cover["f"])
        assert (original.status_code, original.content) == (200, data)
        thumbnail = httpx.get(cover["thumbnails"][1]["f"])
        assert thumbnail.status_code == 200
        assert media_samples.thumbnail_image(thumbnail.content).size == (128, 96)

        removed = httpx.delete(f"{second}/api/portfolios/{created.json()['id']}", headers=admin)
        assert removed.status_code == 204
        # In the trash it still holds its media; purged from it, it holds nothing.
        purged = httpx.delete(f"{first}/api/portfolios/trash/{created.json()['id']}", headers=admin)
        assert purged.status_code == 204
        deleted = httpx.delete(f"{second}/api/media/{media['id']}", headers=admin)
        assert deleted.status_code == 204

        assert httpx.get(f"{first}/api/media/{media['id']}", headers=admin).status_code == 404
        key = cover["f"].split("/media/", 1)[1]
        assert httpx.get(f"{first}/media/{key}").status_code == 404

    assert list(S3MediaStorage(location).list_objects()) == []
    assert [path for disk in disks for path in disk.rglob("*")] == []
