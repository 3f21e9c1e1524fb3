"""Webhooks: what subscriptions add to a write, commit to receipt, and draining a backlog.

    .venv/bin/python -m bench.webhooks [--portfolios 50] [--writes 200] [--events 100000]

One run, one database, one `portfolio serve` of one worker leading the background work, and
a receiver on this machine in a process of its own (asyncio, answers 200 at once, notes when
each event arrived):

- a PATCH's latency with 0 and with 10 subscribed endpoints, alternating rounds of
  ``--writes`` / 4 (the 10 made inactive and active again between rounds);
- commit to receipt: ``--writes`` PATCHes one after another, each timed from its answer (after
  the commit) to the event's arrival at the receiver, 1 endpoint;
- draining: ``--events`` events put in the outbox at once (as a burst of writes would leave
  them), with 1 endpoint; deliveries per second until the last arrives, and the service's
  memory (RSS of its processes) sampled each second, against the backlog left.

Prints each part's figures and the baseline beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import http.client
import json
import multiprocessing
import os
import statistics
import time
from multiprocessing.connection import Connection as Pipe
from typing import Any

import psycopg

from bench.retrieve import fresh_database, load_portfolios
from bench.servers import SERVICE, free_port, rss_bytes, start_server, stop_server
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.settings import Settings


def receive(port: int, pipe: Pipe) -> None:
    """The receiver: answers 200, sends (arrival time, excerpt or None) for each event."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = await reader.readexactly(length)
            arrived = time.monotonic()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            data = json.loads(body).get("data") or {}
            pipe.send((arrived, data.get("excerpt")))
        finally:
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


class Api:
    """One keep-alive connection to the service, as the admin."""

    def __init__(self, port: int, token: str) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        payload = None if body is None else json.dumps(body).encode()
        self._connection.request(method, path, payload, self._headers)
        answer = self._connection.getresponse()
        raw = answer.read()
        return answer.status, json.loads(raw) if raw else None

    def patch(self, portfolio: int, excerpt: str) -> float:
        started = time.perf_counter()
        status, _ = self.call("PATCH", f"/api/portfolios/{portfolio}", {"excerpt": excerpt})
        assert status == 200, status
        return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def arrivals(pipe: Pipe, wait: float = 0.0) -> list[tuple[float, str | None]]:
    got = []
    while pipe.poll(wait):
        got.append(pipe.recv())
        wait = 0.0
    return got


def subscription_cost(api: Api, portfolio: int, hooks: list[int], writes: int) -> None:
    rounds: dict[str, list[float]] = {"0 endpoints": [], "10 endpoints": []}
    per_round = max(1, writes // 4)
    for round_number in range(4):
        for name, active in (("0 endpoints", False), ("10 endpoints", True)):
            for hook in hooks:
                api.call("PATCH", f"/api/webhooks/{hook}", {"is_active": active})
            rounds[name] += [api.patch(portfolio, f"r{round_number}") for _ in range(per_round)]
    print("PATCH p50 (ms), with the feed delivering to the endpoints named:")
    for name, times in rounds.items():
        p50, p90 = statistics.median(times) * 1000, percentile(times, 0.9) * 1000
        print(f"  {name:>13}: {p50:7.2f}  (p90 {p90:.2f})")
    for hook in hooks:
        api.call("PATCH", f"/api/webhooks/{hook}", {"is_active": False})


def commit_to_receipt(api: Api, pipe: Pipe, portfolio: int, writes: int) -> None:
    arrivals(pipe, 1.0)
    lags = []
    for n in range(writes):
        marker = f"c{n}"
        api.patch(portfolio, marker)
        answered = time.monotonic()
        while True:
            got = [at for at, excerpt in arrivals(pipe, 5.0) if excerpt == marker]
            if got:
                lags.append(got[0] - answered)
                break
    print(
        f"commit to receipt, {writes} writes (ms): p50 {statistics.median(lags) * 1000:.1f}, "
        f"p99 {percentile(lags, 0.99) * 1000:.1f}, max {max(lags) * 1000:.1f}"
    )


def drain(url: str, pid: int, pipe: Pipe, portfolio: int, events: int) -> None:
    arrivals(pipe, 1.0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO outbox (consumer, event, resource, object_id)"
            " SELECT 'webhooks', 'portfolio.updated', 'portfolio', %s"
            " FROM generate_series(1, %s)",
            (portfolio, events),
        )
        conn.execute("NOTIFY portfolio_outbox")
    started = time.monotonic()
    received, samples = 0, []
    next_sample = started
    while received < events:
        received += len(arrivals(pipe, 0.2))
        now = time.monotonic()
        if now >= next_sample:
            samples.append((now - started, events - received, rss_bytes(pid)))
            next_sample += 1.0
        if now - started > 3600:
            break
    took = time.monotonic() - started
    print(
        f"draining {events} events to 1 endpoint: {took:.1f} s, "
        f"{received / took:.0f} deliveries/s sustained"
    )
    print("  seconds  backlog  RSS (MiB)")
    step = max(1, len(samples) // 12)
    for at, left, rss in [*samples[::step], samples[-1]]:
        print(f"  {at:7.1f}  {left:7d}  {rss / 2**20:8.1f}")
    first, peak = samples[0][2], max(rss for _, _, rss in samples)
    print(f"  RSS at the start {first / 2**20:.1f} MiB, at most {peak / 2**20:.1f} MiB")


def main() -> None:
    """Run every part and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portfolios", type=int, default=50)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    url = fresh_database(database_url(Settings.from_env()))
    ids, token = asyncio.run(load_portfolios(url, args.portfolios))
    receiver_port = free_port()
    mine, theirs = multiprocessing.Pipe(duplex=False)
    receiver = multiprocessing.Process(target=receive, args=(receiver_port, theirs), daemon=True)
    receiver.start()
    port = free_port()
    env = {
        "PORTFOLIO_WEBHOOKS_KEY": base64.b64encode(os.urandom(32)).decode(),
        "PORTFOLIO_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        "PORTFOLIO_METRICS": "false",
    }
    service = start_server("portfolio-serve", SERVICE, port, url, env=env)
    try:
        api = Api(port, token)
        target = f"http://127.0.0.1:{receiver_port}/hook"
        hooks = [
            api.call("POST", "/api/webhooks/", {"url": target, "events": ["portfolio.updated"]})[1][
                "id"
            ]
            for _ in range(10)
        ]
        subscription_cost(api, ids[0], hooks, args.writes)
        api.call("PATCH", f"/api/webhooks/{hooks[0]}", {"is_active": True})
        commit_to_receipt(api, mine, ids[0], args.writes)
        drain(url, service.pid, mine, ids[0], args.events)
    finally:
        stop_server(service)
        receiver.terminate()


if __name__ == "__main__":
    main()
