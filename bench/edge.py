"""The edge cache that purges itself: reads through Varnish beside the service's own, the time
from a write to a fresh read at the edge, and what the change feed adds to a write.

    .venv/bin/python -m bench.edge [--portfolios 300] [--seconds 5] [--rounds 3]
                                   [--connections 32] [--writes 200]

One run, one database, three `portfolio serve` processes of one worker each, and a real
Varnish (tests/varnish.py: the shipped VCL, `make install` puts varnishd on disk):

- "edge on": PORTFOLIO_EDGE=varnish, purging the Varnish in front of it, leading the
  background work;
- "edge off": the feed off (no consumer, nothing queued), PORTFOLIO_BACKGROUND=false so it
  never leads;
- reads, in alternating rounds at ``--connections``: anonymous reads of the public route
  through Varnish (every one a hit), the same route from "edge on" directly, and the admin
  retrieve (`GET /api/portfolios/{id}` with a token) from "edge on";
- write to fresh read: ``--writes`` PATCHes of a cached portfolio's title on "edge on", each
  followed by reads through Varnish every millisecond until the new title shows;
- a PATCH's latency with the feed on and off, alternating, ``--writes`` each.

Prints each round and the medians side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.varnish import SITE_HOST, Site, Varnish, running_varnish

from bench.load import LoadResult, drive
from bench.retrieve import fresh_database, load_portfolios
from bench.servers import SERVICE, free_port, start_server, stop_server
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.settings import Settings


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int, host: str | None = None) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        self._host = host or f"127.0.0.1:{port}"

    def call(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, bytes]:
        self._connection.request(method, path, body, {"Host": self._host, **headers})
        answer = self._connection.getresponse()
        return answer.status, answer.read()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def patch(connection: Connection, portfolio_id: int, token: str, title: str) -> float:
    """One PATCH of the title; its latency in milliseconds (a failure is fatal)."""
    body = json.dumps({"title": title}).encode()
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    status, answer = connection.call("PATCH", f"/api/portfolios/{portfolio_id}", headers, body)
    took = (time.perf_counter() - started) * 1000
    if status != 200:
        raise RuntimeError(f"PATCH answered {status}: {answer[:200]!r}")
    return took


def write_to_fresh(
    edge: Connection, service: Connection, ids: list[int], token: str, writes: int
) -> list[float]:
    """Milliseconds from each write's 2xx to the first read through Varnish that shows it."""
    delays = []
    for number in range(writes):
        portfolio_id = ids[number % len(ids)]
        path = f"/api/public/portfolios/portfolio-{ids.index(portfolio_id)}"
        edge.call("GET", path, {})  # cached before the write
        title = f"Edited {number}"
        patch(service, portfolio_id, token, title)
        written = time.perf_counter()
        while True:
            status, body = edge.call("GET", path, {})
            if status == 200 and json.loads(body)["title"] == title:
                break
            if time.perf_counter() - written > 30:
                raise RuntimeError(f"write {number} did not reach the edge in 30 s")
            time.sleep(0.001)
        delays.append((time.perf_counter() - written) * 1000)
    return delays


@contextmanager
def servers(url: str, varnish_port: int) -> Iterator[dict[str, int]]:
    """The two services: "edge on" purging Varnish, "edge off" with no feed."""
    on, off = free_port(), free_port()
    started = []
    try:
        env_on = {"PORTFOLIO_EDGE": "varnish"}
        env_on["PORTFOLIO_EDGE_URLS"] = f"http://127.0.0.1:{varnish_port}"
        env_on["PORTFOLIO_PUBLIC_S_MAXAGE"] = "86400"
        started.append(start_server("portfolio-serve", SERVICE, on, url, env=env_on))
        env_off = {"PORTFOLIO_EDGE": "off", "PORTFOLIO_BACKGROUND": "false"}
        started.append(start_server("portfolio-serve", SERVICE, off, url, env=env_off))
        yield {"edge on": on, "edge off": off}
    finally:
        for process in started:
            stop_server(process)


def read_rounds(
    args: argparse.Namespace, varnish: Varnish, service: int, ids: list[int], token: str
) -> dict[str, list[LoadResult]]:
    public = [f"/api/public/portfolios/portfolio-{n}" for n in range(len(ids))]
    admin = [f"/api/portfolios/{portfolio_id}" for portfolio_id in ids]
    cases = {
        "Varnish hits": (varnish.port, public, ""),
        "public direct": (service, public, ""),
        "admin retrieve": (service, admin, token),
    }
    for port, paths, key in cases.values():  # warm up: fills the cache, the pools
        asyncio.run(drive("127.0.0.1", port, paths, key, 1.0, args.connections))
    results: dict[str, list[LoadResult]] = {name: [] for name in cases}
    print(f"\nreads: {len(ids)} portfolios, c={args.connections}, {args.seconds:g}s rounds")
    print("{:>5} {:<15} {:>8} {:>7} {:>7}  statuses".format("round", "case", "req/s", "p50", "p99"))
    for round_number in range(1, args.rounds + 1):
        for name, (port, paths, key) in cases.items():
            result = asyncio.run(
                drive("127.0.0.1", port, paths, key, args.seconds, args.connections)
            )
            results[name].append(result)
            print(
                f"{round_number:>5} {name:<15} {result.per_second:>8.0f} "
                f"{result.percentile(0.5):>7.2f} {result.percentile(0.99):>7.2f}  "
                f"{dict(result.statuses)}"
            )
    return results


def main() -> None:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portfolios", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    url = fresh_database(database_url(Settings.from_env()))
    ids, token = asyncio.run(load_portfolios(url, args.portfolios))
    varnish_port = free_port()
    with (
        tempfile.TemporaryDirectory() as directory,
        servers(url, varnish_port) as ports,
        running_varnish(
            Path(directory), ports["edge on"], Site(probe_interval="1s"), listen_port=varnish_port
        ) as varnish,
    ):
        reads = read_rounds(args, varnish, ports["edge on"], ids, token)
        edge = Connection(varnish.port, host=SITE_HOST)
        on, off = Connection(ports["edge on"]), Connection(ports["edge off"])
        fresh = write_to_fresh(edge, on, ids, token, args.writes)
        latencies: dict[str, list[float]] = {"edge on": [], "edge off": []}
        for number in range(args.writes):
            for name, connection in (("edge on", on), ("edge off", off)):
                latencies[name].append(
                    patch(connection, ids[number % len(ids)], token, f"{name} {number}")
                )
    print("\nmedians of the rounds (reads), or over every write")
    for name, results in reads.items():
        rps = statistics.median(result.per_second for result in results)
        p50 = statistics.median(result.percentile(0.5) for result in results)
        p99 = statistics.median(result.percentile(0.99) for result in results)
        print(f"  {name:<15} {rps:>8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    print(
        f"  write -> fresh read through Varnish, {len(fresh)} writes: "
        f"p50 {percentile(fresh, 0.5):.1f} ms, p99 {percentile(fresh, 0.99):.1f} ms"
    )
    for name, values in latencies.items():
        print(f"  PATCH with the feed {name.split()[1]:<3}: p50 {percentile(values, 0.5):.2f} ms")


if __name__ == "__main__":
    main()
