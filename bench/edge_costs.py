"""What the HTTP edge adds to one retrieve, part by part, timed in this process alone.

    .venv/bin/python -m bench.edge_costs [--portfolios 3] [--answers 2000] [--rounds 7]

End-to-end figures (bench.retrieve) move by tens of percent on a shared machine; these parts
are small enough to time in a loop, with the variants interleaved in each round:

- compression: the middleware around an app that answers a real portfolio's JSON (built
  through the service on a fresh database), for a client that accepts nothing, gzip, brotli;
- metrics: the telemetry work of one retrieve (its record, two pool waits, two statements,
  the answer counted) with metrics off, then on in multiprocess mode as ``portfolio serve``
  runs them;
- logs: the request's log line skipped (warnings only), then written as JSON to a file.

Prints the median microseconds of each; set them beside bench.retrieve's CPU per request.
"""

from __future__ import annotations

import os
import tempfile

# Metrics are timed as the served workers keep them: in files (read when prometheus-client is
# first imported, so before the imports below).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="portfolio-bench-"))

import argparse
import asyncio
import logging
import statistics
import time
from collections.abc import Callable
from typing import Any

from litestar.testing import AsyncTestClient

from bench.retrieve import fresh_database, load_portfolios
from portfolio.application.observing import DB_ACQUIRE, DB_STATEMENT
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.http.compression import Compression
from portfolio.entrypoints.http.request_telemetry import log_request
from portfolio.entrypoints.logs import JsonFormatter
from portfolio.entrypoints.settings import Settings
from portfolio.entrypoints.telemetry import Telemetry

ENCODINGS = ("identity", "gzip", "br")
ROUTE = "/api/portfolios/{id}"


async def portfolio_answer(portfolios: int) -> bytes:
    """The JSON the service answers for the first of ``portfolios`` bench portfolios."""
    url = fresh_database(database_url(Settings.from_env()))
    ids, token = await load_portfolios(url, portfolios)
    app = create_app(Container(settings=Settings(), database_url=url))
    async with AsyncTestClient(app) as client:
        response = await client.get(
            f"/api/portfolios/{ids[0]}",
            headers={"Authorization": f"Token {token}", "Accept-Encoding": "identity"},
        )
    return response.content


def compression(body: bytes, encoding: str, answers: int) -> float:
    """Microseconds per answer through the compression middleware."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def send(message: Any) -> None:
        return None

    middleware = Compression(app)
    scope = {"type": "http", "headers": [(b"accept-encoding", encoding.encode())]}

    async def run() -> None:
        for _ in range(answers):
            await middleware(scope, None, send)  # type: ignore[arg-type]

    return _timed(lambda: asyncio.run(run()), answers)


def telemetry(observer: Telemetry, answers: int) -> float:
    """Microseconds per retrieve of the telemetry's own work."""

    def run() -> None:
        for _ in range(answers):
            with observer.request("GET", []) as record:
                for _ in range(2):
                    with observer.stage(DB_ACQUIRE):
                        pass
                    with observer.stage(DB_STATEMENT, **{"db.query.text": "SELECT 1"}):
                        pass
                observer.answered(record, ROUTE, 200, 0.001, 1)

    return _timed(run, answers)


def log_line(level: int, answers: int) -> float:
    """Microseconds per request line, with the requests logger at ``level``."""
    logger = logging.getLogger("portfolio.requests")
    logger.setLevel(level)
    scope = {"path": "/api/portfolios/17", "client": ("10.0.3.7", 50412)}

    def run() -> None:
        for _ in range(answers):
            log_request(scope, "GET", ROUTE, 200, 0.0042, "4f1c2a9e", 1)

    return _timed(run, answers)


def _timed(run: Callable[[], None], answers: int) -> float:
    started = time.process_time()
    run()
    return (time.process_time() - started) / answers * 1e6


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portfolios", type=int, default=3)
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    body = asyncio.run(portfolio_answer(args.portfolios))
    logs = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)  # noqa: SIM115
    handler = logging.StreamHandler(logs)
    handler.setFormatter(JsonFormatter())
    requests = logging.getLogger("portfolio.requests")
    requests.addHandler(handler)
    requests.propagate = False
    quiet, counted = Telemetry(metrics=False), Telemetry(metrics=True)
    parts: dict[str, Callable[[], float]] = {
        **{
            f"compression, client accepts {encoding}": (
                lambda encoding=encoding: compression(body, encoding, args.answers)  # type: ignore[misc]
            )
            for encoding in ENCODINGS
        },
        "telemetry, metrics off": lambda: telemetry(quiet, args.answers),
        "telemetry, metrics on": lambda: telemetry(counted, args.answers),
        "request log, warnings only": lambda: log_line(logging.WARNING, args.answers),
        "request log, JSON to a file": lambda: log_line(logging.INFO, args.answers),
    }
    figures: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(args.rounds):
        for name, part in parts.items():
            figures[name].append(part())
    print(
        f"one retrieve: {len(body)} bytes of JSON; CPU microseconds per request in this "
        f"process, medians of {args.rounds} rounds of {args.answers}"
    )
    for name, values in figures.items():
        print(f"  {name:<36} {statistics.median(values):7.1f} us")
    print(f"  (JSON lines written to {logs.name})")


if __name__ == "__main__":
    main()
