"""`portfolio serve` observed: one scrape sums both workers, JSON logs from every worker,
and a tracing exporter it does not ship refused in one line."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.mmap_dict import MmapedDict

pytestmark = pytest.mark.postgres

PORTFOLIO = str(Path(sys.executable).parent / "portfolio")
HEALTH = 'portfolio_http_requests_total{method="GET",route="/health",status="200"}'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    """Status and text of ``url``, on a connection of its own."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _health_counts_by_worker(directory: Path) -> dict[int, float]:
    """Each worker's own count of ``GET /health``, read from its file."""
    counts: dict[int, float] = {}
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        for key, value, _, _ in MmapedDict.read_all_values_from_file(str(path)):
            _, sample, labels, _ = json.loads(key)
            if sample == "portfolio_http_requests_total" and labels.get("route") == "/health":
                counts[pid] = counts.get(pid, 0.0) + value
    return counts


def _two_workers(port: int, env: dict[str, str]) -> subprocess.Popen[str]:
    """``portfolio serve --workers 2`` on ``port``, once it answers; its stderr piped."""
    server = subprocess.Popen(
        [PORTFOLIO, "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            # /ready, so that the test counts every /health itself.
            urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2).close()
            return server
        except OSError as error:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                output = server.communicate()[1]
                raise AssertionError(f"the server did not come up: {output}") from error
            time.sleep(0.3)


def _sample(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    return 0.0 if match is None else float(match.group(1))


@pytest.mark.parametrize("own_port", [False, True], ids=["on the API port", "on its own port"])
def test_one_scrape_adds_up_both_workers(
    clean_database: str, tmp_path: Path, own_port: bool
) -> None:
    port, metrics_port = _free_port(), _free_port()
    directory = tmp_path / "metrics"
    env = {
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(tmp_path),
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "PORTFOLIO_METRICS": f"127.0.0.1:{metrics_port}" if own_port else "true",
        "PORTFOLIO_LOG_LEVEL": "WARNING",
    }
    server = _two_workers(port, env)
    base = f"http://127.0.0.1:{port}"
    scrape = f"http://127.0.0.1:{metrics_port}/metrics" if own_port else f"{base}/metrics"
    try:
        deadline = time.monotonic() + 60
        # Both workers are serving once both pools are open (each holds at least two).
        while _sample(_get(scrape)[1], "portfolio_db_pool_connections") < 2 * 2:
            assert time.monotonic() < deadline, "the second worker did not come up"
            time.sleep(0.3)
        sent = 0
        # Bursts of fresh connections until both workers have answered some.
        with ThreadPoolExecutor(8) as pool:
            for _ in range(20):
                statuses = list(pool.map(_get, [f"{base}/health"] * 24))
                assert {status for status, _ in statuses} == {200}
                sent += len(statuses)
                if len(_health_counts_by_worker(directory)) >= 2:
                    break
        # A request is counted once its answer has gone out: give the last ones a moment.
        settle = time.monotonic() + 5
        while sum(_health_counts_by_worker(directory).values()) < sent:
            assert time.monotonic() < settle
            time.sleep(0.05)
        by_worker = _health_counts_by_worker(directory)
        assert len(by_worker) == 2, by_worker
        assert all(0 < count < sent for count in by_worker.values())

        status, text = _get(scrape)
        assert status == 200
        assert _sample(text, HEALTH) == sent == sum(by_worker.values())
        # Live gauges add up the workers alive now; the scrape itself is in flight on the
        # API port only.
        assert _sample(text, "portfolio_http_requests_in_flight") == (0 if own_port else 1)
        if own_port:
            assert _get(f"{base}/metrics")[0] == 404
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_serve_refuses_a_span_exporter_it_does_not_ship(clean_database: str) -> None:
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": clean_database,
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
    }
    result = subprocess.run(
        [PORTFOLIO, "serve", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: the service exports OTLP over http/protobuf only, not grpc"
    )
    assert "Traceback" not in result.stderr


def test_serve_writes_json_lines_from_every_worker(clean_database: str, tmp_path: Path) -> None:
    port = _free_port()
    env = {
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(tmp_path),
        "PORTFOLIO_LOG_FORMAT": "json",
    }
    server = _two_workers(port, env)
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/health", headers={"X-Request-ID": "from-the-test"}
        )
        urllib.request.urlopen(request, timeout=10).close()
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    lines = stderr.splitlines()
    # Click's own line about the database comes before logging is set up.
    entries = [json.loads(line) for line in lines if not line.startswith("database:")]
    (entry,) = [e for e in entries if e.get("request_id") == "from-the-test"]
    assert (entry["route"], entry["status"], entry["client"]) == ("/health", 200, "127.0.0.1")
    # The server's own lines (granian's start-up and workers) are JSON too.
    assert any(e["logger"].startswith(("_granian", "granian")) for e in entries)
