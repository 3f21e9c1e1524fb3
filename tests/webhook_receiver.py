"""A real webhook receiver on a free loopback port, good or bad by path: ``/ok`` answers 200,
``/status/<n>`` answers n, ``/hang`` never answers, ``/slow/<s>`` answers 200 after s
seconds, ``/close`` hangs up without a word, ``/redirect`` answers 302 to ``/ok``, ``/huge``
answers 200 with 50 MB. Every request it read is kept, with when it arrived."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

HUGE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Received:
    """One request as it arrived."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        conn: socket.socket = self.request
        conn.settimeout(30)
        data = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
            self.server.received.append(Received(path, headers, body, time.monotonic()))
            self._answer(conn, path)

    def _answer(self, conn: socket.socket, path: str) -> None:
        if path.startswith("/hang"):
            self.server.stopping.wait(60)
            return
        if path.startswith("/close"):
            return
        if path.startswith("/slow/"):
            self.server.stopping.wait(float(path.split("/")[2]))
            _send(conn, 200)
        elif path.startswith("/status/"):
            _send(conn, int(path.split("/")[2]))
        elif path.startswith("/redirect"):
            _send(conn, 302, extra="Location: /ok\r\n")
        elif path.startswith("/huge"):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % HUGE_BYTES)
            chunk = b"x" * 1024 * 1024
            for _ in range(HUGE_BYTES // len(chunk)):
                conn.sendall(chunk)
        else:
            _send(conn, 200)


def _send(conn: socket.socket, status: int, extra: str = "") -> None:
    conn.sendall(
        f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\n{extra}Connection: close\r\n\r\nok".encode()
    )


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Received] = []
        self.stopping = threading.Event()


class Receiver:
    """The running receiver: ``url(path)``, ``received``, ``wait_for(n)``."""

    def __init__(self, server: _Server) -> None:
        self._server = server

    @property
    def port(self) -> int:
        """Where it listens."""
        return int(self._server.server_address[1])

    def url(self, path: str = "/ok") -> str:
        """A URL of this receiver."""
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def received(self) -> list[Received]:
        """What arrived so far."""
        return list(self._server.received)

    def arrived(self, path: str) -> list[Received]:
        """What arrived at ``path``."""
        return [r for r in self._server.received if r.path == path]

    def wait_for(self, count: int, path: str | None = None, timeout: float = 20) -> list[Received]:
        """Wait until ``count`` requests (to ``path``) arrived; them all."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.received if path is None else self.arrived(path)
            if len(got) >= count:
                return got
            assert time.monotonic() < deadline, f"only {len(got)} of {count} arrived"
            time.sleep(0.02)


@contextmanager
def receiving() -> Iterator[Receiver]:
    """A receiver, stopped after."""
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(server)
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
