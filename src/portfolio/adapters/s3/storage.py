"""Media bytes in an S3-compatible bucket (AWS S3, MinIO, SeaweedFS, Ceph, R2), through obstore.

Every call blocks on the network: the use cases call the storage from worker threads.
"""

from __future__ import annotations

import io
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit, urlunsplit

import obstore
from obstore.exceptions import AlreadyExistsError, BaseError, NotFoundError
from obstore.store import S3Store

from portfolio.application.media.file_types import SNIFF_BYTES, served_type
from portfolio.application.media.keys import free_variant, is_safe_key
from portfolio.application.ports import StoredObject
from portfolio.domain import ServiceUnavailable

if TYPE_CHECKING:
    from obstore import Attributes, ReadableFile
    from obstore.store import S3Config

# S3 takes parts of 5 MiB at least. A file up to one part goes in one conditional PUT; a larger
# one streams in parts, at most UPLOAD_CONCURRENCY of them in memory at a time.
PART_SIZE = 5 * 1024 * 1024
UPLOAD_CONCURRENCY = 2
READ_BUFFER = 1024 * 1024
# Keys are never reused for other bytes, so a CDN in front of the bucket may keep them a year.
CACHE_FOREVER = "public, max-age=31536000, immutable"
# Objects written once per process to learn whether the store honours If-None-Match.
PROBE_FOLDER = ".portfolio-probe"


class UnsafeObjectKey(ValueError):
    """A key with empty, ``.`` or ``..`` parts, or a leading slash: never stored."""


class ConditionalPutUnsupported(ServiceUnavailable):
    """The store overwrote an object it was asked to create only if absent (If-None-Match: *)."""


@dataclass(frozen=True, slots=True)
class S3Location:
    """Where the bucket is and how to reach it; credentials left None come from obstore's
    own chain (web identity, ECS or EC2 instance metadata)."""

    bucket: str
    region: str = "us-east-1"
    endpoint_url: str | None = None
    prefix: str = ""
    virtual_hosted: bool = False
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)


def _endpoint(location: S3Location) -> str | None:
    """The URL requests go to. Virtual-host addressing names the bucket in the host, and the
    client takes a custom endpoint as it is, so the bucket is put in front of its host."""
    endpoint = location.endpoint_url
    if endpoint is None or not location.virtual_hosted:
        return endpoint
    parts = urlsplit(endpoint)
    if (parts.hostname or "").startswith(f"{location.bucket}."):
        return endpoint
    return urlunsplit(parts._replace(netloc=f"{location.bucket}.{parts.netloc}"))


def _store(location: S3Location) -> S3Store:
    config: S3Config = {
        "region": location.region,
        "virtual_hosted_style_request": location.virtual_hosted,
    }
    endpoint = _endpoint(location)
    if endpoint:
        config["endpoint"] = endpoint
    if location.access_key_id and location.secret_access_key:
        config["access_key_id"] = location.access_key_id
        config["secret_access_key"] = location.secret_access_key
        if location.session_token:
            config["session_token"] = location.session_token
    return S3Store(
        location.bucket,
        config=config,
        client_options={
            "allow_http": (location.endpoint_url or "").startswith("http://"),
            "connect_timeout": timedelta(seconds=5),
            "timeout": timedelta(seconds=60),
        },
        retry_config={"max_retries": 3, "retry_timeout": timedelta(seconds=20)},
    )


@contextmanager
def _translated(key: str) -> Iterator[None]:
    """obstore's errors in the port's terms: absent files and an unreachable store."""
    try:
        yield
    except NotFoundError:
        raise FileNotFoundError(key) from None
    except AlreadyExistsError:
        raise
    except BaseError as error:
        raise ServiceUnavailable(f"the object store failed on {key}: {error}") from error


class _ObjectReader(io.RawIOBase):
    """A seekable, read-only view of one object, fetched in ranged GETs as it is read."""

    def __init__(self, key: str, remote: ReadableFile) -> None:
        self._key = key
        self._remote = remote

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        with _translated(self._key):
            chunk = self._remote.read(len(buffer))
        count = len(chunk)
        memoryview(buffer).cast("B")[:count] = memoryview(chunk)
        return count

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        with _translated(self._key):
            return self._remote.seek(offset, whence)

    def tell(self) -> int:
        return self._remote.tell()

    def close(self) -> None:
        if not self.closed:
            self._remote.close()
        super().close()


class S3MediaStorage:
    """MediaStorage in one bucket, every key below ``location.prefix``.

    Keys are claimed with a conditional PUT (``If-None-Match: *``), so two writers, in one
    process or on two hosts, can never overwrite each other. The first save checks once that
    the store honours the header and refuses to write (ConditionalPutUnsupported) if not.
    """

    def __init__(
        self,
        location: S3Location,
        base_url: str | None = None,
        presign_seconds: int | None = None,
    ) -> None:
        self._store = _store(location)
        self._prefix = location.prefix
        self._base_url = base_url
        self._presign = None if not presign_seconds else timedelta(seconds=presign_seconds)
        self._checked = False
        self._checking = threading.Lock()

    def _path(self, key: str) -> str:
        if not is_safe_key(key):
            raise UnsafeObjectKey(key)
        return self._prefix + key

    def save(self, key: str, source: BinaryIO) -> str:
        """Claim ``key`` or the first free variant with a conditional PUT, then fill it.

        Up to one part, the bytes are the claim itself. A larger file claims the key with an
        empty object and then streams over it in a multipart upload; no record names the key
        before the upload has finished, so nobody reads the empty object meanwhile.
        """
        self._path(key)
        self._check_conditional_put()
        start = source.tell()
        size = source.seek(0, os.SEEK_END) - start
        source.seek(start)
        head = source.read(SNIFF_BYTES)
        attributes: Attributes = {
            "Content-Type": served_type(head)[0],
            "Cache-Control": CACHE_FOREVER,
        }
        while True:
            used = free_variant(key, self.exists)
            source.seek(start)
            try:
                self._write_new(self._path(used), source, size, attributes)
            except AlreadyExistsError:
                continue  # another writer took it between the check and the claim
            return used

    def _write_new(self, path: str, source: BinaryIO, size: int, attributes: Attributes) -> None:
        if size <= PART_SIZE:
            with _translated(path):
                obstore.put(self._store, path, source.read(), mode="create", attributes=attributes)
            return
        with _translated(path):
            obstore.put(self._store, path, b"", mode="create", attributes=attributes)
        try:
            with _translated(path):
                obstore.put(
                    self._store,
                    path,
                    source,
                    attributes=attributes,
                    use_multipart=True,
                    chunk_size=PART_SIZE,
                    max_concurrency=UPLOAD_CONCURRENCY,
                )
        except BaseException:
            with suppress(BaseError):
                obstore.delete(self._store, path)
            raise

    def _check_conditional_put(self) -> None:
        with self._checking:
            if self._checked:
                return
            probe = f"{self._prefix}{PROBE_FOLDER}/{uuid.uuid4().hex}"
            try:
                with _translated(probe):
                    obstore.put(self._store, probe, b"1", mode="create")
                    try:
                        obstore.put(self._store, probe, b"2", mode="create")
                    except AlreadyExistsError:
                        self._checked = True
                    else:
                        raise ConditionalPutUnsupported(
                            "the object store ignores If-None-Match: *, so two writers could "
                            "overwrite each other's files; use a store that honours it"
                        )
            finally:
                with suppress(BaseError):
                    obstore.delete(self._store, probe)

    def reachable(self) -> bool:
        """Whether the bucket answers an authenticated request now: one listing of a folder
        that stays empty (a HEAD would not do: some stores answer 404 before checking the
        signature)."""
        try:
            for _ in obstore.list(self._store, f"{self._prefix}{PROBE_FOLDER}/reachable"):
                break
        except BaseError:
            return False
        return True

    def open(self, key: str) -> BinaryIO:
        """A seekable reader that fetches the object in ranges as it is read."""
        path = self._path(key)
        with _translated(key):
            remote = obstore.open_reader(self._store, path, buffer_size=READ_BUFFER)
        return io.BufferedReader(_ObjectReader(key, remote), READ_BUFFER)

    def delete(self, key: str) -> None:
        """Remove the object; S3 answers a delete of an absent key as a success."""
        path = self._path(key)
        with _translated(key):
            obstore.delete(self._store, path)

    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key`` (one HEAD request)."""
        try:
            path = self._path(key)
        except UnsafeObjectKey:
            return False
        try:
            with _translated(key):
                obstore.head(self._store, path)
        except FileNotFoundError:
            return False
        return True

    def url(self, key: str) -> str | None:
        """The base URL followed by the key; else a presigned GET URL when a lifetime is set;
        else None (the service serves the file). Signing is local: no request is made."""
        if self._base_url is not None:
            return self._base_url + key
        if self._presign is None:
            return None
        return obstore.sign(self._store, "GET", self._path(key), self._presign)

    def list_objects(self) -> Iterator[StoredObject]:
        """Every object below the prefix, in pages of a thousand, probes left out."""
        with _translated(self._prefix or "/"):
            prefix = self._prefix.rstrip("/") or None
            for page in obstore.list(self._store, prefix, chunk_size=1000):
                for meta in page:
                    key = meta["path"].removeprefix(self._prefix)
                    if key.startswith(f"{PROBE_FOLDER}/"):
                        continue
                    yield StoredObject(key, meta["size"], meta["last_modified"])
