"""How long requests take while the database fails, and how fast the service recovers.

    .venv/bin/python -m bench.database_faults [--deadline 1.0] [--in-flight 16]

Serves the app (in process, over a fresh database) through the test suite's TCP proxy and, for
each fault (the server cut off, a partition that holds connections and forwards nothing, a
network slower than the deadline), prints: the slowest of the requests in flight when the
fault began (all 503, bounded by the deadline), the median and slowest of 50 requests once the
outage is known, how long ``/ready`` took, and how long after the fault ended the first 200
came. Beside them, for scale, the median of 50 requests while all is well.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient
from tests.e2e.tcp_proxy import CuttableProxy

from bench.retrieve import fresh_database, load_portfolios
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings

Client = AsyncTestClient[Litestar]


async def timed(client: Client, path: str, headers: dict[str, str]) -> tuple[int, float]:
    started = time.monotonic()
    status = (await client.get(path, headers=headers)).status_code
    return status, (time.monotonic() - started) * 1000


async def recovery(
    client: Client, path: str, headers: dict[str, str], end: Callable[[], None]
) -> float:
    end()
    started = time.monotonic()
    while time.monotonic() - started < 10:
        if (await timed(client, path, headers))[0] == 200:
            return (time.monotonic() - started) * 1000
        await asyncio.sleep(0.01)
    return float("inf")


async def run(args: argparse.Namespace) -> None:
    # Each 503 and each outage is logged; the figures are what this prints.
    logging.disable(logging.CRITICAL)
    url = fresh_database(database_url(Settings.from_env()))
    ids, token = await load_portfolios(url, 3)
    proxy = CuttableProxy(url)
    proxy.restore()
    settings = Settings(
        media_root=Path(tempfile.mkdtemp()) / "media",
        db_deadline=args.deadline,
        db_acquire_timeout=args.deadline,
    )
    container = Container(settings=settings, database_url=proxy.url)
    headers = {"Authorization": f"Token {token}"}
    path = f"/api/portfolios/{ids[0]}"
    faults: dict[str, tuple[Callable[[], None], Callable[[], None]]] = {
        "cut off": (proxy.cut, proxy.restore),
        "partition": (proxy.partition, proxy.heal),
        "slower than the deadline": (
            lambda: proxy.delay(args.deadline * 2),
            lambda: proxy.delay(0),
        ),
    }
    async with AsyncTestClient(create_app(container)) as client:
        healthy = [(await timed(client, path, headers))[1] for _ in range(50)]
        print(f"deadline {args.deadline:g} s; healthy: median {statistics.median(healthy):.1f} ms")
        header = (
            "fault",
            "in flight: slowest",
            "known: median",
            "known: slowest",
            "/ready",
            "recovery",
        )
        print("{:<26} {:>19} {:>14} {:>15} {:>8} {:>9}".format(*header))
        for name, (begin, end) in faults.items():
            begin()
            flight = await asyncio.gather(
                *(timed(client, path, headers) for _ in range(args.in_flight))
            )
            known = [await timed(client, path, headers) for _ in range(50)]
            ready = await timed(client, "/ready", {})
            back = await recovery(client, path, headers, end)
            statuses = {status for status, _ in [*flight, *known, ready]}
            print(
                f"{name:<26} {max(ms for _, ms in flight):>16.0f} ms "
                f"{statistics.median(ms for _, ms in known):>11.1f} ms "
                f"{max(ms for _, ms in known):>12.1f} ms {ready[1]:>5.0f} ms {back:>6.0f} ms"
                f"  statuses {sorted(statuses)}"
            )
            await asyncio.sleep(0.5)
    proxy.cut()


def main() -> None:
    """Measure each fault in turn."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deadline", type=float, default=1.0)
    parser.add_argument("--in-flight", type=int, default=16)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
