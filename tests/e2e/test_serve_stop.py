"""``portfolio serve`` stops on SIGTERM within its bound (server.STOP_SECONDS), even while a
client holds a request whose body trickles in for longer than that."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

from portfolio.entrypoints.server import STOP_SECONDS
from tests.servers import PORTFOLIO, free_port


def _ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(
                    b"GET /ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                )
                if probe.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        assert server.poll() is None, "the server stopped"
        assert time.monotonic() < deadline, "the server did not come up"
        time.sleep(0.3)


def test_a_trickled_body_does_not_hold_up_a_stop(clean_database: str, tmp_path: Path) -> None:
    port = free_port()
    env = {
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(tmp_path),
        # The body would be waited for far longer than a stop may take.
        "PORTFOLIO_HTTP_BODY_TIMEOUT": "600",
    }
    server = subprocess.Popen(
        [PORTFOLIO, "serve", "--port", str(port), "--workers", "1"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _ready(port, server)
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(
                b"POST /api/auth/token/ HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            )
            time.sleep(0.5)
            asked = time.monotonic()
            server.terminate()
            server.wait(timeout=STOP_SECONDS + 20)
            took = time.monotonic() - asked
        # Not the body's 600 s: the worker was killed once the stop's bound passed.
        assert took < STOP_SECONDS + 20
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
