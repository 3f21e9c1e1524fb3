"""The service with its media in an S3 bucket (a real SeaweedFS): uploads, ``/media/`` served
from the bucket, presigned ``f`` URLs, deletes, and a store that does not answer."""

from __future__ import annotations

import os
import socket

import httpx
import pytest
from litestar.testing import AsyncTestClient

from portfolio.adapters.s3.storage import PART_SIZE, S3Location, S3MediaStorage
from portfolio.entrypoints.settings import S3Settings, Settings
from tests import media_samples
from tests.e2e.conftest import Callers
from tests.e2e.test_media_api import MEDIA, key_of, rows, upload

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]


def s3_settings(location: S3Location, presign_seconds: int = 0) -> Settings:
    """Settings that put media in ``location``'s bucket."""
    return Settings(
        storage="s3",
        s3=S3Settings(
            bucket=location.bucket,
            endpoint_url=location.endpoint_url,
            region=location.region,
            addressing="virtual" if location.virtual_hosted else "path",
            access_key_id=location.access_key_id,
            secret_access_key=location.secret_access_key,
            presign_seconds=presign_seconds,
        ),
        db_acquire_timeout=2.0,
        retry_after_seconds=7,
    )


@pytest.fixture
def settings(s3_location: S3Location) -> Settings:
    """The app serves the bucket's files itself at ``/media/``."""
    return s3_settings(s3_location)


def bucket_keys(location: S3Location) -> list[str]:
    """Every key in the bucket."""
    return sorted(stored.key for stored in S3MediaStorage(location).list_objects())


async def test_an_upload_lands_in_the_bucket_and_is_served_with_ranges_and_head(
    client: Client, callers: Callers, s3_location: S3Location
) -> None:
    data = media_samples.jpeg((1600, 1200))
    body = (await upload(client, callers.admin, data, "Team photo.jpg")).json()

    keys = [key_of(body["f"]), *(key_of(thumb["f"]) for thumb in body["thumbnails"])]
    assert keys[0].startswith("core_media/") and keys[0].endswith("/Team_photo.jpg")
    assert bucket_keys(s3_location) == sorted(keys)

    served = await client.get(body["f"])
    assert (served.status_code, served.content) == (200, data)
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    part = await client.get(body["f"], headers={"Range": "bytes=100-199"})
    assert (part.status_code, part.content) == (206, data[100:200])
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    head = await client.head(body["thumbnails"][0]["f"])
    assert (head.status_code, head.content) == (200, b"")
    thumbnail = await client.get(body["thumbnails"][0]["f"])
    assert head.headers["content-length"] == str(len(thumbnail.content))
    assert media_samples.thumbnail_image(thumbnail.content).size == (64, 48)


async def test_a_file_larger_than_a_part_streams_in_and_out_whole(
    client: Client, callers: Callers, s3_location: S3Location
) -> None:
    data = os.urandom(PART_SIZE * 2 + 1000)
    response = await upload(client, callers.admin, data, "archive.bin")
    assert response.status_code == 201, response.text
    body = response.json()

    assert bucket_keys(s3_location) == [key_of(body["f"])]
    served = await client.get(body["f"])
    assert (served.status_code, served.content == data) == (200, True)
    assert served.headers["content-type"] == "application/octet-stream"
    tail = await client.get(body["f"], headers={"Range": "bytes=-10"})
    assert (tail.status_code, tail.content) == (206, data[-10:])


async def test_ready_while_the_database_and_the_bucket_answer(client: Client) -> None:
    response = await client.get("/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_deleting_removes_every_object_from_the_bucket(
    client: Client, callers: Callers, s3_location: S3Location, clean_database: str
) -> None:
    body = (await upload(client, callers.admin, media_samples.png())).json()
    assert len(bucket_keys(s3_location)) == 5

    response = await client.delete(f"{MEDIA}{body['id']}", headers=callers.admin)

    assert response.status_code == 204
    assert bucket_keys(s3_location) == []
    assert rows(clean_database) == (0, 0)
    assert (await client.get(body["f"])).status_code == 404


class TestPresignedUrls:
    """A private bucket: ``f`` URLs are signed GET URLs straight to the store."""

    @pytest.fixture
    def settings(self, s3_location: S3Location) -> Settings:
        """Presigned URLs valid for five minutes."""
        return s3_settings(s3_location, presign_seconds=300)

    async def test_f_urls_are_presigned_and_fetch_the_bytes_from_the_bucket(
        self, client: Client, callers: Callers, s3_location: S3Location
    ) -> None:
        data = media_samples.png()
        body = (await upload(client, callers.admin, data)).json()
        prefix = f"{s3_location.endpoint_url}/{s3_location.bucket}/core_media/"

        for url in (body["f"], *(thumb["f"] for thumb in body["thumbnails"])):
            assert url.startswith(prefix)
            assert "X-Amz-Expires=300&" in url
        async with httpx.AsyncClient() as bucket:
            answer = await bucket.get(body["f"])
        assert (answer.status_code, answer.content) == (200, data)
        assert answer.headers["Content-Type"] == "image/png"
        listed = await client.get(MEDIA, headers=callers.admin)
        assert listed.json()["results"][0]["f"].startswith(prefix)


class TestStoreDown:
    """The bucket's endpoint does not answer."""

    @pytest.fixture
    def settings(self, s3_location: S3Location) -> Settings:
        """An endpoint on a loopback port nothing listens on."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        location = S3Location(
            bucket=s3_location.bucket,
            endpoint_url=f"http://127.0.0.1:{port}",
            access_key_id="k",
            secret_access_key="s",
        )
        return s3_settings(location)

    async def test_an_upload_is_503_with_retry_after_and_leaves_no_row(
        self, client: Client, callers: Callers, clean_database: str
    ) -> None:
        response = await upload(client, callers.admin, media_samples.png())
        assert response.status_code == 503
        assert response.headers["retry-after"] == "7"
        assert rows(clean_database) == (0, 0)

    async def test_not_ready_while_the_bucket_does_not_answer(self, client: Client) -> None:
        response = await client.get("/ready")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "7"
        assert (await client.get("/health")).status_code == 200

    async def test_serving_a_file_is_503_not_a_server_error(self, client: Client) -> None:
        response = await client.get("/media/core_media/2026/03/02/a.png")
        assert response.status_code == 503
