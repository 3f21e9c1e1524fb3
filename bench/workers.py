"""Retrieve throughput with 1, 2 and 4 worker processes, the service beside the bare app.

    .venv/bin/python -m bench.workers [--workers 1,2,4] [--portfolios 300] [--seconds 5]
                                      [--rounds 5] [--server granian]

The same load and client as bench/retrieve.py. Each round goes through every worker count in
turn: both apps started on that many processes of the server, warmed up, measured and
stopped, so a change in the machine's load falls on every count alike and only one count's
pools hold database connections at a time. Prints each round, then the medians side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess

from bench.retrieve import fresh_database, load_portfolios, measure
from bench.servers import SERVERS, SERVICE, free_port, start_server, stop_server
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.settings import Settings

APPS = {"service": SERVICE, "bare ASGI": "bench.bare_app:app"}


def compare(
    args: argparse.Namespace, url: str, paths: list[str], token: str, counts: list[int]
) -> dict[tuple[str, int], list[float]]:
    """Medians of (requests/s, CPU ms per request, p50 ms) for each app and worker count."""
    figures: dict[tuple[str, int], list[tuple[float, float, float]]] = {
        (name, workers): [] for workers in counts for name in APPS
    }
    header = ("round", "app", "workers", "req/s", "p50 ms", "p99 ms", "CPU ms/req")
    print("{:>5} {:<10} {:>7} {:>8} {:>7} {:>7} {:>10}  statuses".format(*header))
    for round_number in range(1, args.rounds + 1):
        for workers in counts:
            ports = {name: free_port() for name in APPS}
            servers: dict[str, subprocess.Popen[bytes]] = {}
            try:
                for name, target in APPS.items():
                    servers[name] = start_server(
                        args.server, target, ports[name], url, workers=workers
                    )
                for name, process in servers.items():  # warm up: statements, pools, caches
                    measure(ports[name], process.pid, paths, token, 1.0, args.connections)
                for name, process in servers.items():
                    result, cpu = measure(
                        ports[name], process.pid, paths, token, args.seconds, args.connections
                    )
                    figures[name, workers].append((result.per_second, cpu, result.percentile(0.5)))
                    p50, p99 = result.percentile(0.5), result.percentile(0.99)
                    print(
                        f"{round_number:>5} {name:<10} {workers:>7} {result.per_second:>8.0f} "
                        f"{p50:>7.2f} {p99:>7.2f} {cpu:>10.3f}  {dict(result.statuses)}"
                    )
            finally:
                for process in servers.values():
                    stop_server(process)
    return {
        key: [statistics.median(column) for column in zip(*rows, strict=True)]
        for key, rows in figures.items()
    }


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="worker processes, e.g. 1,2,4")
    parser.add_argument("--portfolios", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--server", default="granian", choices=sorted(SERVERS))
    args = parser.parse_args()
    counts = [int(count) for count in args.workers.split(",")]
    url = fresh_database(database_url(Settings.from_env()))
    ids, token = asyncio.run(load_portfolios(url, args.portfolios))
    paths = [f"/api/portfolios/{portfolio_id}" for portfolio_id in ids]
    print(
        f"{args.portfolios} portfolios, {args.connections} connections, {args.seconds:g}s "
        f"rounds, {args.server} with {args.workers} worker process(es)"
    )
    medians = compare(args, url, paths, token, counts)
    print(f"\n{'workers':>7} {'service req/s':>14} {'bare req/s':>11} {'service/bare':>13}")
    for workers in counts:
        service, bare = medians["service", workers], medians["bare ASGI", workers]
        print(
            f"{workers:>7} {service[0]:>14.0f} {bare[0]:>11.0f} {service[0] / bare[0]:>13.2f}"
            f"   (CPU per request {service[1] / bare[1]:.2f}x; target ratio >= 0.50)"
        )


if __name__ == "__main__":
    main()
