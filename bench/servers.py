"""The ASGI servers the benchmarks compare, started the same way, and their CPU time.

Each is started on one worker with the limits it can be given: a header read timeout, a
largest request head and an idle keep-alive timeout, where the server has such a setting.
``portfolio`` is the service's own ``portfolio serve`` command, with whatever server it uses.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
HEADER_TIMEOUT = 10
KEEP_ALIVE = 5
MAX_HEAD = 64 * 1024
BACKLOG = 4096
CONNECTIONS = 16384


def _uvicorn(target: str, port: int, http: str) -> list[str]:
    app, factory = (target[:-2], ["--factory"]) if target.endswith("()") else (target, [])
    return [
        *(sys.executable, "-m", "uvicorn", app, *factory, "--port", str(port)),
        *("--workers", "1", "--no-access-log", "--log-level", "warning", "--http", http),
        *("--timeout-keep-alive", str(KEEP_ALIVE), "--backlog", str(BACKLOG)),
        *(["--h11-max-incomplete-event-size", str(MAX_HEAD)] if http == "h11" else []),
    ]


def _hypercorn(target: str, port: int) -> list[str]:
    # Hypercorn takes a factory as "module:factory()"; its h11 head limit is 16 KiB.
    return [
        *(sys.executable, "-m", "hypercorn", target, "--bind", f"127.0.0.1:{port}"),
        *("--workers", "1", "--keep-alive", str(KEEP_ALIVE), "--read-timeout", str(HEADER_TIMEOUT)),
        *("--log-level", "warning", "--backlog", str(BACKLOG)),
    ]


def _granian(target: str, port: int) -> list[str]:
    app, factory = (target[:-2], ["--factory"]) if target.endswith("()") else (target, [])
    return [
        *(sys.executable, "-m", "granian", "--interface", "asgi", *factory, "--http", "1"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
        *("--http1-header-read-timeout", str(HEADER_TIMEOUT * 1000)),
        *("--http1-buffer-size", str(MAX_HEAD), "--no-access-log", "--log-level", "warning"),
        *("--backlog", str(BACKLOG), "--backpressure", str(CONNECTIONS)),
        app,
    ]


def _portfolio(target: str, port: int) -> list[str]:
    if not target.startswith("portfolio."):
        raise ValueError("`portfolio serve` only serves the service")
    return [str(Path(sys.executable).parent / "portfolio"), "serve", "--port", str(port)]


SERVERS: dict[str, Callable[[str, int], list[str]]] = {
    "uvicorn-httptools": lambda target, port: _uvicorn(target, port, "httptools"),
    "uvicorn-h11": lambda target, port: _uvicorn(target, port, "h11"),
    "hypercorn": _hypercorn,
    "granian": _granian,
    "portfolio-serve": _portfolio,
}
SERVICE = "portfolio.entrypoints.http.app:create_app_from_env()"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    server: str,
    target: str,
    port: int,
    url: str,
    env: dict[str, str] | None = None,
    workers: int = 1,
) -> subprocess.Popen[bytes]:
    """``target`` served by ``server`` on ``port`` with ``workers`` processes; waits until
    ``/health`` answers."""
    environment = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": url,
        "PORTFOLIO_LOG_LEVEL": "WARNING",
        "PORTFOLIO_HTTP_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "PORTFOLIO_HTTP_KEEP_ALIVE_TIMEOUT": str(KEEP_ALIVE),
        "PYTHONPATH": f"{REPOSITORY}:{REPOSITORY / 'src'}",
        **(env or {}),
    }
    command = SERVERS[server](target, port)
    if "--workers" in command:
        command[command.index("--workers") + 1] = str(workers)
    else:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, env=environment, cwd=REPOSITORY, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except OSError as error:
            if getattr(error, "code", None) is not None:
                return process  # it answered, even if with an error status
            if process.poll() is not None:
                break
            time.sleep(0.2)
    stop_server(process)
    raise RuntimeError(f"{server} did not start {target}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and every worker it started."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (servers that run their workers as children)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = int(fields[1])
    tree, frontier = [pid], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        tree += children
        frontier = children
    return tree


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a server and its workers so far."""
    total = 0
    for member in process_tree(pid):
        if (fields := _stat(member)) is not None:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def rss_bytes(pid: int) -> int:
    """Resident memory of a server and its workers."""
    total = 0
    for member in process_tree(pid):
        if (fields := _stat(member)) is not None:
            total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    return total
