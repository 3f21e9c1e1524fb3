"""What the whole edge costs a request: every layer of ``edge()`` around an app that answers at
once, timed in this process alone.

    .venv/bin/python -m bench.edge_layers [--answers 10000] [--rounds 5]

The app inside answers a 7.8 KB JSON body, as a portfolio's retrieve would, to a GET of
``/api/portfolios/7`` with a Host and a token, so that every layer does what it does for a
retrieve: the request's record, id, metrics and log line; the Host check; the caching headers
and the ETag; the compression check (the client accepts no encoding, as bench.retrieve's).
The log line is skipped (warnings only), then written as text, then as JSON, to /dev/null;
the variants are interleaved in each round. Prints the best CPU microseconds per request of
each, beside the app alone; set them beside bench.retrieve's CPU per request.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.edge import edge
from portfolio.entrypoints.logs import logging_config
from portfolio.entrypoints.settings import Settings
from portfolio.entrypoints.telemetry import Telemetry

BODY = b'{"description":"' + b"a" * 7800 + b'"}'
HEADERS = [
    (b"host", b"127.0.0.1:8000"),
    (b"authorization", b"Token 0123456789abcdef0123456789abcdef01234567"),
]


async def _answer(scope: dict[str, Any], _: Any, send: Any) -> None:
    # What Litestar's routing would leave in the scope for the layers outside.
    scope["path_template"] = "/api/portfolios/{id:str}"
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY, "more_body": False})


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(_: dict[str, Any]) -> None:
    return None


async def _cpu_per_request(app: Any, answers: int) -> float:
    started = time.process_time()
    for _ in range(answers):
        scope = {
            "type": "http",
            "method": "GET",
            "scheme": "http",
            "path": "/api/portfolios/7",
            "query_string": b"",
            "headers": HEADERS,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        await app(scope, _receive, _send)
    return (time.process_time() - started) / answers * 1e6


def _logs(level: str, log_format: str, stream: TextIO) -> None:
    logging.config.dictConfig(logging_config(level, log_format))
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)


def main() -> None:
    """Time the variants and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("PORTFOLIO_DATABASE_URL", "postgresql://localhost/unused")
    settings = Settings.from_env()
    telemetry = Telemetry(metrics=settings.metrics)
    container = Container(settings=settings, database_url=settings.database_url, observer=telemetry)
    edged = edge(_answer, container, settings, telemetry)
    variants = {
        "the app alone": (_answer, ("WARNING", "text")),
        "edge, no log line": (edged, ("WARNING", "text")),
        "edge, text log line": (edged, ("INFO", "text")),
        "edge, JSON log line": (edged, ("INFO", "json")),
    }
    best = dict.fromkeys(variants, float("inf"))
    with Path(os.devnull).open("w") as nowhere:
        for _ in range(args.rounds):
            for name, (app, logs) in variants.items():
                _logs(*logs, nowhere)
                asyncio.run(_cpu_per_request(app, args.answers // 10))
                best[name] = min(best[name], asyncio.run(_cpu_per_request(app, args.answers)))
        _logs("WARNING", "text", sys.stderr)
    for name, microseconds in best.items():
        print(f"{name:<22} {microseconds:6.1f} µs of CPU per request")


if __name__ == "__main__":
    main()
