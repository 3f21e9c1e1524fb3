"""``portfolio serve`` in a subprocess on a free loopback port, for tests that need real
servers (several processes sharing a store, a browser)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

PORTFOLIO = str(Path(sys.executable).parent / "portfolio")


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Ask ``process`` to stop; kill it if it has not within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def admin_headers(env: Mapping[str, str]) -> dict[str, str]:
    """An admin made and given a token at the command line, as an operator does; the headers
    carrying that token."""
    subprocess.run([PORTFOLIO, "users", "create", "admin", "--admin"], env=env, check=True)
    issued = subprocess.run(
        [PORTFOLIO, "tokens", "create", "admin"], env=env, check=True, capture_output=True
    )
    return {"Authorization": f"Token {issued.stdout.decode().split()[-1]}"}


@contextmanager
def serving(
    env: Mapping[str, str | None],
    output: list[str] | None = None,
    workers: int = 1,
    cwd: Path | None = None,
) -> Iterator[str]:
    """A server with ``env`` added to this process's environment (a None value removes the
    variable), with ``workers`` processes started in ``cwd``, ready; its base URL. What it
    printed is appended to ``output`` once it stopped."""
    port = free_port()
    environment = {**os.environ, **env}
    # The server's output goes to a file, not a pipe: a pipe nobody reads fills after a few
    # hundred log lines, and the worker writing the next one blocks with its requests.
    with tempfile.TemporaryFile(mode="w+t") as log:
        server = subprocess.Popen(
            [PORTFOLIO, "serve", "--port", str(port), "--workers", str(workers)],
            env={name: value for name, value in environment.items() if value is not None},
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/ready", timeout=2) as response:
                        assert json.load(response) == {"status": "ready"}
                    break
                except OSError:
                    assert server.poll() is None, "the server stopped"
                    assert time.monotonic() < deadline, "the server did not come up"
                    time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.seek(0)
            if output is not None:
                output.append(log.read())
