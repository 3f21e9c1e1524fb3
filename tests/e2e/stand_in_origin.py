"""A stand-in for the service behind the edge cache: a small HTTP server on a free loopback
port that answers every path the way the public read API does, and remembers every request.

It is naive on purpose, as an application that trusts its headers would be: it builds a link
from X-Forwarded-Host (else Host) and X-Forwarded-Proto and echoes what it was sent, so a test
sees exactly what reached the origin and whether a hostile header could have shaped an answer.
Its answers are cacheable on every path, private ones included, so that only the VCL decides
what is stored.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PUBLIC_CACHING = "public, max-age=60, s-maxage=600, stale-while-revalidate=30, stale-if-error=86400"


@dataclass(frozen=True)
class Seen:
    """One request as the origin received it (header names in lower case)."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    """How the origin answers one path: its status, its Surrogate-Key, its Vary (by default
    Accept for /media/, as thumbnails are negotiated, and Accept-Encoding elsewhere), and
    whether its body stays the same from one request to the next (then a matching
    If-None-Match gets 304); otherwise each answer carries a new serial number."""

    status: int = 200
    surrogate_keys: str = ""
    vary: str | None = None
    unchanging: bool = False


class StandInOrigin:
    """The stand-in, serving on a free loopback port from a thread until stopped."""

    def __init__(self) -> None:
        self._answers: dict[str, Answer] = {}
        self._requests: list[Seen] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"origin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def answer(self, path: str, answer: Answer) -> None:
        """Answer ``path`` this way from now on."""
        with self._lock:
            self._answers[path] = answer

    def seen(self, path: str) -> list[Seen]:
        """The requests for ``path`` that reached the origin, oldest first."""
        with self._lock:
            return [request for request in self._requests if request.path == path]

    def stop(self) -> None:
        """Stop answering and close the listening socket: connections are refused from now on."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    def record(self, request: Seen) -> tuple[Answer, int]:
        """Remember ``request`` (Varnish's probes aside); how to answer it and its serial."""
        with self._lock:
            # Requests that came through Varnish carry X-Varnish; its probes do not.
            if "x-varnish" in request.headers:
                self._requests.append(request)
            return self._answers.get(request.path, Answer()), len(self._requests)


class _Handler(BaseHTTPRequestHandler):
    origin: StandInOrigin
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read what reached the origin from StandInOrigin.seen."""

    def _serve(self, with_body: bool = True) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer, serial = self.origin.record(Seen(self.command, self.path, headers))
        if self.path == "/health":
            self._send(200, {"status": "ok"}, {}, with_body)
            return
        # What a naive application does: trust X-Forwarded-Host and -Proto for its links.
        host = headers.get("x-forwarded-host") or headers.get("host", "")
        proto = headers.get("x-forwarded-proto", "http")
        document: dict[str, object] = {
            "serial": serial,
            "path": self.path,
            "link": f"{proto}://{host}{self.path}",
            "host": headers.get("host"),
            "forwarded_host": headers.get("x-forwarded-host"),
            "accept": headers.get("accept"),
            "accept_encoding": headers.get("accept-encoding"),
            "authorization": headers.get("authorization"),
            "cookie": headers.get("cookie"),
        }
        vary = answer.vary or ("Accept" if self.path.startswith("/media/") else "Accept-Encoding")
        extra = {
            "Cache-Control": PUBLIC_CACHING,
            "Vary": vary,
            "Access-Control-Allow-Origin": "*",
        }
        if answer.surrogate_keys:
            extra["Surrogate-Key"] = answer.surrogate_keys
        if answer.unchanging:
            del document["serial"]
        self._send(answer.status, document, extra, with_body)

    def _send(
        self, status: int, document: dict[str, object], extra: dict[str, str], with_body: bool
    ) -> None:
        body = json.dumps(document).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            status, body, with_body = 304, b"", False
        self.send_response(status)
        self.send_header("ETag", etag)
        if status != 304:
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
        # One request per connection, so that once stopped the origin is gone for Varnish too.
        self.send_header("Connection", "close")
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        """Answer a read."""
        self._serve()

    def do_HEAD(self) -> None:
        """Answer a read without its body."""
        self._serve(with_body=False)

    def do_POST(self) -> None:
        """Answer a POST (never to be cached)."""
        self._serve()

    def do_PUT(self) -> None:
        """Answer a PUT (never to be cached)."""
        self._serve()

    def do_PATCH(self) -> None:
        """Answer a PATCH (never to be cached)."""
        self._serve()

    def do_DELETE(self) -> None:
        """Answer a DELETE (never to be cached)."""
        self._serve()

    def do_OPTIONS(self) -> None:
        """Answer a OPTIONS (never to be cached)."""
        self._serve()


@contextmanager
def serving_origin() -> Iterator[StandInOrigin]:
    """A running stand-in, stopped on exit."""
    origin = StandInOrigin()
    try:
        yield origin
    finally:
        origin.stop()
