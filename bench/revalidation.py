"""Revalidation: the service's 304 beside its 200 and the bare app's 200, in the same run.

    .venv/bin/python -m bench.revalidation [--portfolios 300] [--seconds 5] [--rounds 5]
                                           [--server granian]

The same load and client as bench/retrieve.py, both apps on one worker of the server the
service uses. Three cases in alternating rounds: the service's 200, the bare app's 200, and
the service asked with each portfolio's ETag in ``If-None-Match``, answering 304 (credentials
and permission checked, no body). Prints each round, the medians, and the ratios to the bare
app (the 304 should beat it).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import urllib.request

from bench.load import LoadResult, drive
from bench.retrieve import fresh_database, load_portfolios
from bench.servers import SERVERS, SERVICE, cpu_seconds, free_port, start_server, stop_server
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.settings import Settings


def entity_tags(port: int, paths: list[str], token: str) -> dict[str, str]:
    """The ETag the service sends for each path."""
    tags = {}
    for path in paths:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            tags[path] = response.headers["ETag"]
    return tags


def measure(
    port: int,
    pid: int,
    paths: list[str],
    token: str,
    args: argparse.Namespace,
    seconds: float,
    conditions: dict[str, str] | None,
) -> tuple[LoadResult, float]:
    """One round: the load result and the server's CPU milliseconds per request."""
    before = cpu_seconds(pid)
    result = asyncio.run(
        drive("127.0.0.1", port, paths, token, seconds, args.connections, conditions=conditions)
    )
    used = cpu_seconds(pid) - before
    return result, used * 1000 / max(result.requests, 1)


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portfolios", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--server", default="granian", choices=sorted(SERVERS))
    args = parser.parse_args()
    url = fresh_database(database_url(Settings.from_env()))
    ids, token = asyncio.run(load_portfolios(url, args.portfolios))
    paths = [f"/api/portfolios/{portfolio_id}" for portfolio_id in ids]
    ports = {"service": free_port(), "bare ASGI": free_port()}
    targets = {"service": SERVICE, "bare ASGI": "bench.bare_app:app"}
    servers = {}
    try:
        for name, target in targets.items():
            servers[name] = start_server(args.server, target, ports[name], url)
        # Each case: the server it drives and the If-None-Match it sends per path (None: none).
        cases: dict[str, tuple[str, dict[str, str] | None]] = {
            "service": ("service", None),
            "bare ASGI": ("bare ASGI", None),
            "service 304": ("service", entity_tags(ports["service"], paths, token)),
        }
        figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cases}
        for server, conditions in cases.values():  # warm up: statements, pools, caches
            measure(ports[server], servers[server].pid, paths, token, args, 1.0, conditions)
        print(
            f"{args.portfolios} portfolios, {args.connections} connections, "
            f"{args.seconds:g}s rounds, 1 {args.server} worker each"
        )
        header = ("round", "case", "req/s", "p50 ms", "p99 ms", "CPU ms/req")
        print("{:>5} {:<11} {:>8} {:>7} {:>7} {:>10}  statuses".format(*header))
        for round_number in range(1, args.rounds + 1):
            for name, (server, conditions) in cases.items():
                result, cpu = measure(
                    ports[server],
                    servers[server].pid,
                    paths,
                    token,
                    args,
                    args.seconds,
                    conditions,
                )
                figures[name].append((result.per_second, cpu, result.percentile(0.5)))
                p50, p99 = result.percentile(0.5), result.percentile(0.99)
                print(
                    f"{round_number:>5} {name:<11} {result.per_second:>8.0f} {p50:>7.2f} "
                    f"{p99:>7.2f} {cpu:>10.3f}  {dict(result.statuses)}"
                )
    finally:
        for process in servers.values():
            stop_server(process)
    medians = {
        name: [statistics.median(column) for column in zip(*rows, strict=True)]
        for name, rows in figures.items()
    }
    service, bare, revalidated = medians["service"], medians["bare ASGI"], medians["service 304"]
    print("\nmedians")
    for name, (rps, cpu, p50) in medians.items():
        print(f"  {name:<11} {rps:>8.0f} req/s  {cpu:.3f} CPU ms/req  p50 {p50:.2f} ms")
    print(
        f"  service / bare ASGI: {service[0] / bare[0]:.2f} of the requests/s "
        f"(target >= 0.50), {service[1] / bare[1]:.2f}x the CPU per request"
    )
    print(
        f"  service 304 / bare ASGI 200: {revalidated[0] / bare[0]:.2f} of the requests/s "
        f"(target > 1), {revalidated[1] / bare[1]:.2f}x the CPU per request"
    )


if __name__ == "__main__":
    main()
