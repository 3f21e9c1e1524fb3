"""What the caching middleware adds to a 200: CPU per request with and without it, same run.

    .venv/bin/python -m bench.caching_overhead [--body-bytes 6000] [--requests 50000]

An ASGI app that answers a fixed JSON body is called directly, bare and wrapped in ApiCaching
(an unconditional GET: buffer, strong ETag over the body, Cache-Control and Vary), in
alternating rounds; prints microseconds of CPU per request for each and the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from portfolio.entrypoints.container import url_lifetime
from portfolio.entrypoints.http.caching import ApiCaching, shared_cache_control
from portfolio.entrypoints.settings import Settings

SCOPE = {
    "type": "http",
    "method": "GET",
    "path": "/api/portfolios/1",
    "query_string": b"",
    "headers": [(b"host", b"127.0.0.1:8000"), (b"authorization", b"Token x")],
}


def answering(body: bytes) -> Any:
    """An ASGI app that answers ``body`` as JSON."""
    length = str(len(body)).encode()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", length)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return app


async def _discard(message: Any) -> None:
    return None


async def cpu_per_request(app: Any, requests: int) -> float:
    """Microseconds of CPU per call of ``app``."""
    started = time.process_time()
    for _ in range(requests):
        await app(SCOPE, None, _discard)
    return (time.process_time() - started) * 1e6 / requests


def _unused() -> Any:
    raise AssertionError("an unconditional GET reads no change number and checks no token")


async def compare(body_bytes: int, requests: int, rounds: int) -> None:
    """Print each round and the medians."""
    bare = answering(b"x" * body_bytes)
    settings = Settings()
    # The public answers' Cache-Control as the service builds it from its default settings.
    public_cache_control = shared_cache_control(
        settings.public_max_age,
        settings.public_s_maxage,
        settings.public_stale_while_revalidate,
        settings.public_stale_if_error,
        url_lifetime(settings),
    )
    wrapped = ApiCaching(bare, _unused, _unused, public_cache_control=public_cache_control)
    figures: dict[str, list[float]] = {"bare": [], "with caching": []}
    for number in range(1, rounds + 1):
        figures["bare"].append(await cpu_per_request(bare, requests))
        figures["with caching"].append(await cpu_per_request(wrapped, requests))
        print(f"round {number}: " + ", ".join(f"{k} {v[-1]:.1f} us" for k, v in figures.items()))
    bare_median = statistics.median(figures["bare"])
    wrapped_median = statistics.median(figures["with caching"])
    print(
        f"medians: bare {bare_median:.1f} us, with caching {wrapped_median:.1f} us, "
        f"added {wrapped_median - bare_median:.1f} us of CPU per 200 ({body_bytes} bytes)"
    )


def main() -> None:
    """Run the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--body-bytes", type=int, default=6000)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(compare(args.body_bytes, args.requests, args.rounds))


if __name__ == "__main__":
    main()
