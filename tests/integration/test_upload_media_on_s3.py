"""Uploading media into an S3 bucket (a real SeaweedFS on loopback)."""

from __future__ import annotations

import pytest

from portfolio.adapters.s3.storage import S3Location, S3MediaStorage
from tests.upload_contract import StoredKeys, UploadMediaContract


class TestUploadMediaOnS3(UploadMediaContract):
    """The upload contract with objects in a fresh bucket."""

    @pytest.fixture
    def storage(self, s3_location: S3Location) -> S3MediaStorage:
        """A store on a bucket of its own."""
        return S3MediaStorage(s3_location)

    @pytest.fixture
    def stored_keys(self, storage: S3MediaStorage) -> StoredKeys:
        """Lists every object in the bucket."""
        return lambda: [stored.key for stored in storage.list_objects()]
