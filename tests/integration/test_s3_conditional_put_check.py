"""A store that ignores ``If-None-Match: *`` is found out before any media is written to it.

The store is SeaweedFS behind a small HTTP relay that answers each 412 Precondition Failed as
200 OK, which is what a client sees from a store that ignores the header and overwrites.
"""

from __future__ import annotations

import http.client
import io
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from portfolio.adapters.s3.readiness import S3Readiness
from portfolio.adapters.s3.storage import ConditionalPutUnsupported, S3Location, S3MediaStorage

KEY = "core_media/2026/03/02/photo.jpg"


def _relay_to(upstream: str) -> type[BaseHTTPRequestHandler]:
    target = urlsplit(upstream)

    class Relay(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            connection.request(self.command, self.path, body, dict(self.headers.items()))
            answer = connection.getresponse()
            data = answer.read()
            status = 200 if answer.status == 412 else answer.status
            self.send_response(status)
            for name, value in answer.getheaders():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            if status != answer.status:
                self.send_header("ETag", '"overwritten"')  # what a successful PUT answers
            self.send_header("Content-Length", str(0 if status != answer.status else len(data)))
            self.end_headers()
            if status == answer.status and self.command != "HEAD":
                self.wfile.write(data)
            connection.close()

        # http.server dispatches to methods named do_<METHOD>.
        do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = _forward  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test says what matters."""

    return Relay


@pytest.fixture
def ignoring_store(s3_location: S3Location) -> Iterator[S3Location]:
    """``s3_location`` reached through a relay that hides every 412."""
    assert s3_location.endpoint_url is not None
    server = ThreadingHTTPServer(("127.0.0.1", 0), _relay_to(s3_location.endpoint_url))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield replace(s3_location, endpoint_url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()


def test_writes_are_refused_when_the_store_ignores_if_none_match(
    ignoring_store: S3Location, s3_location: S3Location
) -> None:
    storage = S3MediaStorage(ignoring_store)

    with pytest.raises(ConditionalPutUnsupported, match="ignores If-None-Match"):
        storage.save(KEY, io.BytesIO(b"first"))

    direct = S3MediaStorage(s3_location)
    assert list(direct.list_objects()) == []
    assert not direct.exists(KEY)


def test_the_same_bucket_reached_directly_takes_writes(s3_location: S3Location) -> None:
    storage = S3MediaStorage(s3_location)
    assert storage.save(KEY, io.BytesIO(b"first")) == KEY
    assert storage.save(KEY, io.BytesIO(b"second")) == "core_media/2026/03/02/photo_1.jpg"


async def test_a_bucket_that_answers_is_ready_and_a_wrong_key_is_not(
    s3_location: S3Location,
) -> None:
    assert await S3Readiness(S3MediaStorage(s3_location)).ready()
    wrong = replace(s3_location, secret_access_key="not-the-secret")
    assert not await S3Readiness(S3MediaStorage(wrong)).ready()
