"""A crash leaves nothing behind for good: ``kill -9`` of the server during concurrent uploads,
then ``portfolio media sweep``; and a restart clears the unfinished writes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import httpx
import psycopg
import pytest

from portfolio.adapters.filesystem.storage import incoming_dir_for
from tests import media_samples

pytestmark = pytest.mark.postgres

PORTFOLIO = str(Path(sys.executable).parent / "portfolio")
UPLOADS = 30


def portfolio(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [PORTFOLIO, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [PORTFOLIO, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: kill -9 reaches every worker
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/health", timeout=2).close()
            return server, base
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.2)


def kill_during_uploads(env: dict[str, str], token: str, image: bytes) -> set[str]:
    """Start the server, send concurrent uploads, kill -9 it once a few are answered; return
    the keys of the uploads it acknowledged."""
    server, base = serve(env)
    acknowledged: set[str] = set()

    def upload(number: int) -> None:
        try:
            response = httpx.post(
                f"{base}/api/media/",
                headers={"Authorization": f"Token {token}"},
                files={"file": (f"photo{number}.jpg", image, "image/jpeg")},
                timeout=30,
            )
        except httpx.HTTPError:
            return  # cut off by the kill
        if response.status_code == 201:
            acknowledged.add(response.json()["f"].split("/media/", 1)[1])

    with ThreadPoolExecutor(UPLOADS) as pool:
        futures = [pool.submit(upload, number) for number in range(UPLOADS)]
        deadline = time.monotonic() + 20
        while len(acknowledged) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
        wait(futures, timeout=60)
    return acknowledged


def referenced(database: str) -> set[str]:
    with psycopg.connect(database) as conn:
        rows = conn.execute("SELECT key FROM media UNION ALL SELECT key FROM thumbnails")
        return {row[0] for row in rows}


def stored(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def test_kill_9_during_uploads_then_sweep_leaves_exactly_the_referenced_files(
    clean_database: str, tmp_path: Path
) -> None:
    root = tmp_path / "media"
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(root),
        "PORTFOLIO_LOG_LEVEL": "WARNING",
    }
    portfolio(env, "users", "create", "admin", "--admin")
    token = portfolio(env, "tokens", "create", "admin").stdout.strip().splitlines()[-1]
    image = media_samples.jpeg((1600, 1200))

    acknowledged: set[str] = set()
    for _ in range(2):
        acknowledged |= kill_during_uploads(env, token, image)
    # An orphan for certain, whatever the kills' timing: a file no row names.
    planted = "core_media/2026/01/01/planted.jpg"
    (root / planted).parent.mkdir(parents=True)
    (root / planted).write_bytes(image)

    kept = referenced(clean_database)
    assert acknowledged and acknowledged <= kept
    orphans = stored(root) - kept
    assert planted in orphans

    dry = portfolio(env, "media", "sweep", "--older-than", "0")
    listed = {line.split("\t")[0] for line in dry.stdout.splitlines() if "\t" in line}
    assert listed == orphans
    assert f"{len(orphans)} orphaned file(s)" in dry.stdout
    assert "nothing removed" in dry.stdout
    assert orphans <= stored(root)

    applied = portfolio(env, "media", "sweep", "--older-than", "0", "--apply")
    assert f"removed {len(orphans)} of {len(orphans)} orphaned file(s)" in applied.stdout
    assert stored(root) == kept  # nothing orphaned remains, nothing referenced removed
    assert referenced(clean_database) == kept

    # The unfinished writes of the killed workers go at the next start-up.
    incoming = incoming_dir_for(root)
    (incoming / f".incoming-{2**22 + 7}@{socket.gethostname()}@x").write_bytes(b"partial")
    server, _ = serve(env)
    try:
        assert list(incoming.iterdir()) == []
    finally:
        server.terminate()
        server.wait(30)


def test_sweep_keeps_young_files_by_default(clean_database: str, tmp_path: Path) -> None:
    root = tmp_path / "media"
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(root),
    }
    young = root / "core_media/2026/01/01/young.txt"
    young.parent.mkdir(parents=True)
    young.write_text("written a moment ago")

    result = portfolio(env, "media", "sweep", "--apply")

    assert "removed 0 of 0 orphaned file(s)" in result.stdout
    assert "1 stored file(s), 0 older than 60 minute(s)" in result.stderr
    assert young.exists()
