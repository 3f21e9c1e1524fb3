"""What hostile HTTP clients cost each server: huge heads, many headers, trickling clients.

    .venv/bin/python -m bench.http_limits [--servers portfolio-serve,uvicorn-httptools,...]
        [--header-mb 100] [--tricklers 5000]

Serves the service (over a fresh database) with each server in turn, every one given the
limits it has a setting for (bench/servers.py), and for each measures: a request whose one
header grows to ``--header-mb`` MB (what the server answers, after how many bytes and how
long, and the server's CPU time and memory for it); a request with 10,000 small headers;
``--tricklers`` connections that send their head one byte a second (how many the server
has closed once its header timeout is past, and how fast a normal client is answered
meanwhile); how long an idle keep-alive connection is kept; and how long a body that stops
coming is waited for.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import statistics
import time
from dataclasses import dataclass

from bench.retrieve import fresh_database, load_portfolios
from bench.servers import (
    HEADER_TIMEOUT,
    SERVERS,
    SERVICE,
    cpu_seconds,
    free_port,
    rss_bytes,
    start_server,
    stop_server,
)
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.settings import Settings

HOST = "127.0.0.1"
CHUNK = 64 * 1024


@dataclass
class Refusal:
    """How a server met one hostile request."""

    answer: str
    sent_bytes: int
    seconds: float
    cpu_ms: float
    rss_growth_mb: float


async def _answer(reader: asyncio.StreamReader, within: float) -> str:
    try:
        line = await asyncio.wait_for(reader.readline(), within)
    except TimeoutError:
        return "no answer"
    except ConnectionError:
        return "reset"
    return line[9:12].decode() if line.startswith(b"HTTP/") else "closed"


async def oversized_head(port: int, pid: int, megabytes: int) -> Refusal:
    """One header growing to ``megabytes`` MB, sent as fast as the server takes it."""
    before_cpu, before_rss = cpu_seconds(pid), rss_bytes(pid)
    reader, writer = await asyncio.open_connection(HOST, port)
    started = time.monotonic()
    writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
    answered = asyncio.ensure_future(_answer(reader, 120))
    sent, total, peak_rss = 0, megabytes * 1024 * 1024, before_rss
    filler = b"a" * CHUNK
    with contextlib.suppress(ConnectionError):
        while sent < total and not answered.done():
            writer.write(filler)
            await writer.drain()
            sent += CHUNK
            if sent % (8 * 1024 * 1024) == 0:
                peak_rss = max(peak_rss, rss_bytes(pid))
        if not answered.done():
            writer.write(b"\r\n\r\n")
            await writer.drain()
    answer = await answered
    seconds = time.monotonic() - started
    writer.close()
    await asyncio.sleep(0.5)  # let the server finish with the connection
    peak_rss = max(peak_rss, rss_bytes(pid))
    return Refusal(
        answer,
        sent,
        seconds,
        (cpu_seconds(pid) - before_cpu) * 1000,
        (peak_rss - before_rss) / 1e6,
    )


async def many_headers(port: int, count: int) -> str:
    """What a request with ``count`` small headers gets."""
    reader, writer = await asyncio.open_connection(HOST, port)
    head = b"".join(b"X-H%d: v\r\n" % n for n in range(count))
    try:
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + head + b"\r\n")
        await writer.drain()
    except ConnectionError:
        return "closed"
    answer = await _answer(reader, 10)
    writer.close()
    return answer


async def _trickle(port: int, lifetimes: list[float], stop: asyncio.Event) -> None:
    """Send a head one byte a second; record how long the connection lived (-1: never made)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 30)
    except (OSError, TimeoutError):
        lifetimes.append(-1.0)
        return
    connected = time.monotonic()
    try:
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        while not stop.is_set():
            await writer.drain()
            with contextlib.suppress(TimeoutError):
                # Any answer or the end of the stream: the server is done with it.
                await asyncio.wait_for(reader.read(1024), 1.0)
                lifetimes.append(time.monotonic() - connected)
                return
            writer.write(b"a")
    except ConnectionError:
        lifetimes.append(time.monotonic() - connected)
    finally:
        writer.close()


async def _get_health(port: int) -> float | None:
    started = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 2)
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = await _answer(reader, 2)
        writer.close()
    except (OSError, TimeoutError):
        return None
    return time.monotonic() - started if answer == "200" else None


async def tricklers(port: int, count: int) -> tuple[int, float, float, int, float, int]:
    """How many tricklers the server closed within the header timeout and 10 s more, their
    median and longest lifetime, and the normal requests answered meanwhile (count, p50 ms,
    failures)."""
    stop = asyncio.Event()
    lifetimes: list[float] = []
    tasks = []
    for _ in range(count):
        tasks.append(asyncio.ensure_future(_trickle(port, lifetimes, stop)))
        await asyncio.sleep(0.0005)
    latencies: list[float] = []
    failures = 0
    horizon = time.monotonic() + HEADER_TIMEOUT + 10
    while time.monotonic() < horizon and len(lifetimes) < count:
        latency = await _get_health(port)
        if latency is None:
            failures += 1
        else:
            latencies.append(latency)
        await asyncio.sleep(0.25)
    stop.set()
    await asyncio.gather(*tasks)
    closed = [seconds for seconds in lifetimes if 0 <= seconds < HEADER_TIMEOUT + 10]
    median = statistics.median(closed) if closed else float("nan")
    longest = max(closed) if closed else float("nan")
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    return len(closed), median, longest, len(latencies), p50, failures


async def idle_keep_alive(port: int, cap: float = 30) -> float | None:
    """Seconds an idle keep-alive connection stays open after a request; None past ``cap``."""
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    await reader.read(1024)
    started = time.monotonic()
    try:
        while await asyncio.wait_for(reader.read(1024), cap):
            pass
    except (TimeoutError, ConnectionError):
        return None
    finally:
        writer.close()
    return time.monotonic() - started


async def stalled_body(port: int, token: str, cap: float = 30) -> tuple[str, float]:
    """What an upload whose body stops after 10 bytes gets, and after how long."""
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(
        b"POST /api/media/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token "
        + token.encode()
        + b"\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
        + b"--b\r\nConte"
    )
    await writer.drain()
    started = time.monotonic()
    answer = await _answer(reader, cap)
    writer.close()
    return answer, time.monotonic() - started


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


async def probe(server: str, port: int, pid: int, args: argparse.Namespace, token: str) -> None:
    """Every probe against one server, printed as it goes."""
    head = await oversized_head(port, pid, args.header_mb)
    print(
        f"  {args.header_mb} MB header: {head.answer} after {head.sent_bytes / 1e6:.1f} MB "
        f"in {head.seconds * 1000:.0f} ms; server CPU {head.cpu_ms:.0f} ms, "
        f"memory +{head.rss_growth_mb:.0f} MB",
        flush=True,
    )
    print(f"  10,000 headers: {await many_headers(port, 10_000)}", flush=True)
    closed, median, longest, answered, p50, failures = await tricklers(port, args.tricklers)
    print(
        f"  {args.tricklers} tricklers: {closed} closed, each within {HEADER_TIMEOUT + 10} s of "
        f"connecting (median {median:.1f} s, longest {longest:.1f} s); meanwhile {answered} "
        f"normal requests answered (p50 {p50:.1f} ms), {failures} failed",
        flush=True,
    )
    print(f"  idle keep-alive closed after {_seconds(await idle_keep_alive(port))}", flush=True)
    answer, seconds = await stalled_body(port, token)
    print(f"  stalled upload body: {answer} after {seconds:.1f} s", flush=True)


def main() -> None:
    """Probe each server in turn."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--header-mb", type=int, default=100)
    parser.add_argument("--tricklers", type=int, default=5000)
    args = parser.parse_args()
    # The tricklers need a descriptor each, here and in the server (which inherits this).
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    url = fresh_database(database_url(Settings.from_env()))
    _, token = asyncio.run(load_portfolios(url, 0))
    for server in args.servers.split(","):
        port = free_port()
        process = start_server(server, SERVICE, port, url)
        print(f"{server} (pid {process.pid})", flush=True)
        try:
            asyncio.run(probe(server, port, process.pid, args, token))
        finally:
            stop_server(process)


if __name__ == "__main__":
    main()
