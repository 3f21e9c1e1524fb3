"""A small keep-alive HTTP/1.1 load generator: many connections, fixed duration, no framework."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """What one load run saw."""

    requests: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """Latency at ``fraction`` (0..1), in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _client(
    host: str,
    port: int,
    paths: list[str],
    token: str,
    until: float,
    result: LoadResult,
    accept_encoding: str | None,
    conditions: Mapping[str, str],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    accept = f"Accept-Encoding: {accept_encoding}\r\n" if accept_encoding else ""
    try:
        while time.perf_counter() < until:
            path = random.choice(paths)
            condition = conditions.get(path)
            extra = f"If-None-Match: {condition}\r\n" if condition else ""
            request = (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Authorization: Token {token}\r\n{accept}{extra}\r\n"
            ).encode()
            started = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            result.latencies.append(time.perf_counter() - started)
            result.statuses[status] += 1
            result.requests += 1
    finally:
        writer.close()


async def drive(
    host: str,
    port: int,
    paths: list[str],
    token: str,
    seconds: float,
    connections: int,
    accept_encoding: str | None = None,
    conditions: Mapping[str, str] | None = None,
) -> LoadResult:
    """Send requests over ``connections`` keep-alive connections for ``seconds``, with an
    ``Accept-Encoding`` header when one is given; a path in ``conditions`` is sent with that
    ``If-None-Match``."""
    result = LoadResult()
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(
            _client(host, port, paths, token, until, result, accept_encoding, conditions or {})
            for _ in range(connections)
        )
    )
    result.seconds = time.perf_counter() - started
    return result
