"""What observing costs: the retrieve benchmark with metrics, JSON logs and compression on.

    .venv/bin/python -m bench.observability [--portfolios 300] [--seconds 5] [--rounds 5]

Loads portfolios (cover, employer with logo, three tags, two links, four gallery images,
three meta) into a fresh database, starts the bare app and the service (``portfolio serve``)
on one granian worker each, and drives them in alternating rounds with the same keep-alive
client. The service runs three times: quiet (no metrics, warnings only in the log), with
metrics, and observed (metrics and one JSON log line per request, written to a file); the
quiet one is also driven by a client that accepts gzip, then brotli, to show what compression
costs. Prints
requests/s, latency and server CPU time per request for each round, then medians and each
variant's ratio to the bare app.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.retrieve import fresh_database, load_portfolios, measure
from bench.servers import SERVERS as SERVER_COMMANDS
from bench.servers import free_port
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.settings import Settings

REPOSITORY = Path(__file__).resolve().parent.parent
PORTFOLIO = str(Path(sys.executable).parent / "portfolio")
QUIET = {"PORTFOLIO_METRICS": "false", "PORTFOLIO_LOG_LEVEL": "WARNING"}
METRICS = {"PORTFOLIO_METRICS": "true", "PORTFOLIO_LOG_LEVEL": "WARNING"}
OBSERVED = {
    "PORTFOLIO_METRICS": "true",
    "PORTFOLIO_LOG_LEVEL": "INFO",
    "PORTFOLIO_LOG_FORMAT": "json",
}


@dataclass(frozen=True)
class Server:
    """A server to start: the bare app, or the service with some settings."""

    name: str
    env: dict[str, str] = field(default_factory=dict)
    bare: bool = False


@dataclass(frozen=True)
class Variant:
    """What one line of figures measures: a server, and what the client accepts."""

    name: str
    server: str
    accept_encoding: str | None = None


SERVERS = (
    Server("bare", bare=True),
    Server("quiet", QUIET),
    Server("metrics", METRICS),
    Server("observed", OBSERVED),
)
VARIANTS = (
    Variant("bare ASGI", "bare"),
    Variant("service", "quiet"),
    Variant("+ metrics", "metrics"),
    Variant("+ metrics, JSON logs", "observed"),
    Variant("+ gzip", "quiet", "gzip"),
    Variant("+ brotli", "quiet", "br"),
)


def start_server(server: Server, port: int, url: str, log: Path) -> subprocess.Popen[bytes]:
    """One uvicorn worker: the bare app, or the service as ``portfolio serve`` runs it (its
    log in ``log``); waits until it answers."""
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": url,
        "PORTFOLIO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": f"{REPOSITORY}:{REPOSITORY / 'src'}",
        **server.env,
    }
    if server.bare:
        # On the server `portfolio serve` uses, so only the app differs.
        command = SERVER_COMMANDS["granian"]("bench.bare_app:app", port)
    else:
        command = [PORTFOLIO, "serve", "--port", str(port), "--workers", "1"]
    with log.open("ab") as written:
        process = subprocess.Popen(command, env=env, cwd=REPOSITORY, stderr=written)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except OSError as error:
            if getattr(error, "code", None) is not None:
                return process  # it answered, even if with an error status
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{server.name} did not start; see {log}")


def body_sizes(port: int, path: str, token: str) -> dict[str, int]:
    """The size of one retrieve's body as each variant's client receives it."""
    sizes = {}
    for encoding in ("identity", "gzip", "br"):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}",
            headers={"Authorization": f"Token {token}", "Accept-Encoding": encoding},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            sizes[encoding] = len(response.read())
    return sizes


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portfolios", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    server_url = database_url(Settings.from_env())
    url = fresh_database(server_url)
    ids, token = asyncio.run(load_portfolios(url, args.portfolios))
    paths = [f"/api/portfolios/{portfolio_id}" for portfolio_id in ids]
    logs = Path(tempfile.mkdtemp(prefix="portfolio-bench-"))
    ports = {server.name: free_port() for server in SERVERS}
    processes = {
        server.name: start_server(server, ports[server.name], url, logs / f"{server.name}.log")
        for server in SERVERS
    }
    figures: dict[str, list[tuple[float, float, float]]] = {v.name: [] for v in VARIANTS}
    try:
        sizes = body_sizes(ports["quiet"], paths[0], token)
        for variant in VARIANTS:  # warm up: prepared statements, pools, caches
            measure(
                ports[variant.server],
                processes[variant.server].pid,
                paths,
                token,
                1.0,
                args.connections,
                variant.accept_encoding,
            )
        print(
            f"{args.portfolios} portfolios, {args.connections} connections, "
            f"{args.seconds:g}s rounds, 1 worker each; one retrieve's body: "
            + ", ".join(f"{size} bytes {name}" for name, size in sizes.items())
        )
        header = ("round", "variant", "req/s", "p50 ms", "p99 ms", "CPU ms/req")
        print("{:>5} {:<22} {:>8} {:>7} {:>7} {:>10}  statuses".format(*header))
        for round_number in range(1, args.rounds + 1):
            for variant in VARIANTS:
                result, cpu = measure(
                    ports[variant.server],
                    processes[variant.server].pid,
                    paths,
                    token,
                    args.seconds,
                    args.connections,
                    variant.accept_encoding,
                )
                figures[variant.name].append((result.per_second, cpu, result.percentile(0.5)))
                p50, p99 = result.percentile(0.5), result.percentile(0.99)
                print(
                    f"{round_number:>5} {variant.name:<22} {result.per_second:>8.0f} {p50:>7.2f} "
                    f"{p99:>7.2f} {cpu:>10.3f}  {dict(result.statuses)}"
                )
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(10)
    logged = (logs / "observed.log").read_text().splitlines()
    medians = {
        name: [statistics.median(column) for column in zip(*rows, strict=True)]
        for name, rows in figures.items()
    }
    bare = medians["bare ASGI"]
    service = medians["service"]
    print("\nmedians")
    for name, (rps, cpu, p50) in medians.items():
        print(
            f"  {name:<22} {rps:>8.0f} req/s  {cpu:.3f} CPU ms/req  p50 {p50:.2f} ms  "
            f"ratio to bare {rps / bare[0]:.2f} (target >= 0.50), "
            f"{rps / service[0]:.3f} of the service's req/s"
        )
    print(f"  the observed server wrote {len(logged)} JSON log lines to {logs / 'observed.log'}")


if __name__ == "__main__":
    main()
