"""Where S3 requests go: path-style or virtual-host addressing, on AWS or a custom endpoint.

Presigned URLs are made locally and name the host and path every request of the store uses.
"""

from __future__ import annotations

import pytest

from portfolio.adapters.s3.storage import S3Location, S3MediaStorage

KEY = "core_media/2026/03/02/a.jpg"


@pytest.mark.parametrize(
    ("endpoint", "virtual", "prefix", "expected"),
    [
        ("https://store.example.com:9000", False, "", "https://store.example.com:9000/media/"),
        ("https://store.example.com:9000", True, "", "https://media.store.example.com:9000/"),
        ("https://media.store.example.com", True, "", "https://media.store.example.com/"),
        (None, True, "site/", "https://media.s3.eu-west-3.amazonaws.com/site/"),
        (None, False, "", "https://s3.eu-west-3.amazonaws.com/media/"),
    ],
)
def test_requests_go_to_the_addressed_host_and_path(
    endpoint: str | None, virtual: bool, prefix: str, expected: str
) -> None:
    location = S3Location(
        bucket="media",
        region="eu-west-3",
        endpoint_url=endpoint,
        prefix=prefix,
        virtual_hosted=virtual,
        access_key_id="key",
        secret_access_key="secret",
    )
    url = S3MediaStorage(location, presign_seconds=60).url(KEY)
    assert url is not None
    assert url.split("?")[0] == expected + KEY
    assert "X-Amz-Credential=key%2F" in url
    assert "secret" not in url
