"""What compressing one answer costs: the service's compression middleware around an app that
answers with a real portfolio's JSON, for a client that accepts nothing, gzip, then brotli.

    .venv/bin/python -m bench.compression [--portfolios 3] [--answers 2000] [--rounds 7]

Takes the retrieve answer of a portfolio like bench.retrieve's (built through the service on
a fresh database), then times the middleware alone in this process, the variants interleaved
in each round, and prints the median microseconds per answer and the bytes sent. Set the
figures beside bench.retrieve's CPU time per request to see the share compression takes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from litestar.testing import AsyncTestClient

from bench.retrieve import fresh_database, load_portfolios
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.http.compression import Compression
from portfolio.entrypoints.settings import Settings

ENCODINGS = ("identity", "gzip", "br")


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


async def time_answers(body: bytes, encoding: str, answers: int) -> tuple[float, int]:
    """Microseconds per answer through the middleware, and the bytes of one answer."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    sent = 0

    async def send(message: Any) -> None:
        nonlocal sent
        if message["type"] == "http.response.body":
            sent = len(message["body"])

    middleware = Compression(app)
    scope = {"type": "http", "headers": [(b"accept-encoding", encoding.encode())]}
    started = time.process_time()
    for _ in range(answers):
        await middleware(scope, None, send)  # type: ignore[arg-type]
    return (time.process_time() - started) / answers * 1e6, sent


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portfolios", type=int, default=3)
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    body = asyncio.run(portfolio_answer(args.portfolios))
    figures: dict[str, list[float]] = {encoding: [] for encoding in ENCODINGS}
    sizes: dict[str, int] = {}
    for _ in range(args.rounds):
        for encoding in ENCODINGS:
            micros, sizes[encoding] = asyncio.run(time_answers(body, encoding, args.answers))
            figures[encoding].append(micros)
    plain = statistics.median(figures["identity"])
    print(f"one retrieve answer, {len(body)} bytes of JSON; medians of {args.rounds} rounds")
    for encoding in ENCODINGS:
        median = statistics.median(figures[encoding])
        print(
            f"  {encoding:<9} {median:7.1f} us per answer (+{median - plain:5.1f} us over "
            f"passing it through), {sizes[encoding]:>5} bytes sent"
        )


if __name__ == "__main__":
    main()
