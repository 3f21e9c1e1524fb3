"""Two service processes on two ports over one Postgres and one SeaweedFS, as two hosts would
run: what one does, the other sees, and neither keeps a file on its own disk."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from portfolio.adapters.s3.storage import S3Location, S3MediaStorage
from tests import media_samples
from tests.seaweedfs import SeaweedFS
from tests.servers import admin_headers, serving

pytestmark = pytest.mark.postgres


@contextmanager
def service(env: dict[str, str], media_root: Path) -> Iterator[str]:
    """``portfolio serve`` for one host (its own media directory); its base URL. It must
    have printed no traceback by the time it stopped."""
    output: list[str] = []
    with serving({**env, "PORTFOLIO_MEDIA_ROOT": str(media_root)}, output) as base:
        yield base
    assert "Traceback" not in output[0], output[0]


def test_what_one_host_uploads_the_other_serves_and_deletes(
    clean_database: str, seaweedfs: SeaweedFS, tmp_path: Path
) -> None:
    bucket = seaweedfs.create_bucket()
    env = {
        **os.environ,
        **seaweedfs.environment(bucket, prefix="fleet"),
        "PORTFOLIO_DATABASE_URL": clean_database,
    }
    admin = admin_headers(env)
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
