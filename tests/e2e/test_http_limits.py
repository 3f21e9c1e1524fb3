"""The server as ``portfolio serve`` runs it, against hostile clients, with short timeouts:
oversized heads and too many headers are refused with 431, slow heads and idle keep-alive
connections are closed after the header timeout, a stalled or trickled body gets 408 while a
slow but steady one passes, and other clients are answered meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.postgres

PORTFOLIO = str(Path(sys.executable).parent / "portfolio")
HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
# Bytes a second a body must average once BODY_TIMEOUT has been spent waiting for it.
BODY_MIN_RATE = 1000
# A loaded, shared machine: what "after the timeout" may take beyond it.
SLACK = 2.0


@pytest.fixture(scope="module")
def token(database_url: str) -> str:
    """An admin's token, for a user of this module's own."""
    env = {**os.environ, "PORTFOLIO_DATABASE_URL": database_url}
    name = f"limits-{secrets.token_hex(4)}"
    for args in (("users", "create", name, "--admin"), ("tokens", "create", name)):
        done = subprocess.run(
            [PORTFOLIO, *args], env=env, capture_output=True, text=True, timeout=60, check=True
        )
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": database_url,
        "PORTFOLIO_MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "PORTFOLIO_HTTP_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "PORTFOLIO_HTTP_BODY_TIMEOUT": str(BODY_TIMEOUT),
        "PORTFOLIO_HTTP_BODY_MIN_RATE": str(BODY_MIN_RATE),
        "PORTFOLIO_HTTP_MAX_HEADER_BYTES": "16384",
        "PORTFOLIO_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [PORTFOLIO, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(30)


async def exchange(port: int, data: bytes, wait: float = 10) -> tuple[bytes, float]:
    """Send ``data`` (as much as the server takes), then read until the server closes or
    ``wait`` passes; return what came back and when the connection ended."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    with contextlib.suppress(ConnectionError):
        writer.write(data)
        await writer.drain()
    answer = b""
    with contextlib.suppress(ConnectionError, TimeoutError):
        async with asyncio.timeout(wait):
            while chunk := await reader.read(65536):
                answer += chunk
    writer.close()
    return answer, time.monotonic() - started


async def send_slowly(
    port: int, head: bytes, body: bytes, piece: int, interval: float
) -> tuple[bytes, float]:
    """Send ``head`` at once, then ``body`` ``piece`` bytes every ``interval`` seconds until
    it is all sent or the server answers; return the answer and when the connection ended."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(head)

    async def feed() -> None:
        with contextlib.suppress(ConnectionError):
            for start in range(0, len(body), piece):
                await writer.drain()
                await asyncio.sleep(interval)
                writer.write(body[start : start + piece])
            await writer.drain()

    feeding = asyncio.ensure_future(feed())
    answer = b""
    with contextlib.suppress(ConnectionError, TimeoutError):
        async with asyncio.timeout(len(body) / piece * interval + 10):
            while chunk := await reader.read(65536):
                answer += chunk
    ended = time.monotonic() - started
    feeding.cancel()
    writer.close()
    return answer, ended


def status_of(answer: bytes) -> int | None:
    return int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else None


async def test_a_head_over_the_limit_is_refused_at_once(server: int) -> None:
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n"
    answer, taken = await exchange(server, head)
    assert status_of(answer) in (431, None)  # 431, or the connection closed
    assert b"200 OK" not in answer
    assert taken < 1.0


async def test_too_many_headers_are_431(server: int) -> None:
    many = b"".join(b"X-H%d: v\r\n" % n for n in range(150))
    answer, taken = await exchange(server, b"GET /health HTTP/1.1\r\nHost: a\r\n" + many + b"\r\n")
    assert status_of(answer) == 431
    assert taken < 1.0


async def test_a_head_that_trickles_is_cut_off_after_the_header_timeout(server: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    started = time.monotonic()
    writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    closed_after = None
    with contextlib.suppress(ConnectionError):
        for _ in range(int((HEADER_TIMEOUT + SLACK) * 10)):
            writer.write(b"X")
            await writer.drain()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.1):
                    if await reader.read(1024) == b"":
                        closed_after = time.monotonic() - started
                        break
    writer.close()
    if closed_after is None:  # the server reset the connection while we wrote
        closed_after = time.monotonic() - started
    assert HEADER_TIMEOUT * 0.9 <= closed_after < HEADER_TIMEOUT + SLACK


async def test_an_idle_keep_alive_connection_is_closed_after_the_header_timeout(
    server: int,
) -> None:
    answer, taken = await exchange(server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert status_of(answer) == 200
    assert HEADER_TIMEOUT * 0.9 <= taken < HEADER_TIMEOUT + SLACK


@pytest.mark.parametrize(
    ("head", "start"),
    [
        (
            b"POST /api/media/ HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=b\r\n",
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nab',
        ),
        (b"POST /api/tags/ HTTP/1.1\r\nContent-Type: application/json\r\n", b'{"name": "a'),
    ],
    ids=["upload", "json"],
)
async def test_a_body_that_stops_coming_gets_408_and_the_connection_closes(
    server: int, token: str, head: bytes, start: bytes
) -> None:
    request = (
        head
        + b"Host: 127.0.0.1\r\nAuthorization: Token "
        + token.encode()
        + b"\r\nContent-Length: 100000\r\n\r\n"
        + start
    )
    answer, taken = await exchange(server, request)
    assert status_of(answer) == 408
    assert b"connection: close" in answer.lower()
    assert answer.endswith(b'{"detail":"The request body did not arrive in time."}')
    assert BODY_TIMEOUT * 0.9 <= taken < BODY_TIMEOUT + SLACK


async def test_a_body_that_trickles_is_cut_off_once_it_falls_below_the_minimum_rate(
    server: int,
) -> None:
    # One byte every half second: each piece comes well within the body timeout, but the body
    # would take a minute, and a connection held open costs the service as much as the next.
    body = b'{"username": "alice", "password": "' + b"x" * 80 + b'"}'
    head = (
        b"POST /api/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    answer, taken = await send_slowly(server, head, body, piece=1, interval=0.5)
    assert status_of(answer) == 408
    assert b"connection: close" in answer.lower()
    assert answer.endswith(b'{"detail":"The request body did not arrive in time."}')
    assert BODY_TIMEOUT * 0.9 <= taken < BODY_TIMEOUT + SLACK


async def test_a_slow_but_steady_upload_passes_however_long_it_takes(
    server: int, token: str
) -> None:
    # Twice the minimum rate, for three times the body timeout: an honest slow link.
    content = secrets.token_hex(3000).encode()
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + content + b"\r\n--b--\r\n"
    )
    head = (
        b"POST /api/media/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Authorization: Token " + token.encode() + b"\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    piece = BODY_MIN_RATE // 2
    answer, taken = await send_slowly(server, head, body, piece=piece, interval=0.25)
    assert status_of(answer) == 201, answer
    assert taken > 3 * BODY_TIMEOUT


async def test_a_download_slower_than_the_body_timeout_is_not_cut(server: int, token: str) -> None:
    # Once the request's body is complete, the app's wait for a disconnect while it streams a
    # file is no body that is late.
    content = secrets.token_bytes(12 * 1024 * 1024)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server}", timeout=30) as client:
        uploaded = await client.post(
            "/api/media/",
            files={"file": ("big.bin", content)},
            headers={"Authorization": f"Token {token}"},
        )
    path = urllib.parse.urlsplit(uploaded.json()["f"]).path
    reader, writer = await _small_window_connection(server)
    started = time.monotonic()
    writer.write(b"GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" % path.encode())
    received = 0
    with contextlib.suppress(ConnectionError):
        while chunk := await reader.read(64 * 1024):
            received += len(chunk)
            await asyncio.sleep(0.05)  # about 1.3 MB/s
    writer.close()
    assert time.monotonic() - started > BODY_TIMEOUT + SLACK
    assert received > len(content)


async def _small_window_connection(
    port: int,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection whose receive buffer is small, so the server can send only as fast as we
    read."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return await asyncio.open_connection(sock=sock, limit=64 * 1024)


@pytest.mark.parametrize("path", ["/api/portfolios/", "/health", "/ready", "/no/such/route"])
@pytest.mark.parametrize("second", [b"evil.example", b"127.0.0.1"])
async def test_a_request_with_two_host_headers_is_400_on_every_path(
    server: int, token: str, path: str, second: bytes
) -> None:
    request = b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: %s\r\n" % (path.encode(), second)
    request += b"Authorization: Token %s\r\nConnection: close\r\n\r\n" % token.encode()
    answer, _ = await exchange(server, request)
    assert status_of(answer) == 400
    assert answer.endswith(b'{"detail":"Invalid host header"}')


async def test_many_tricklers_are_closed_while_others_are_answered(server: int) -> None:
    async def trickle() -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", server)
        started = time.monotonic()
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        try:
            async with asyncio.timeout(HEADER_TIMEOUT + SLACK + 2):
                while True:
                    writer.write(b"X")
                    await writer.drain()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(0.2):
                            if await reader.read(1024) == b"":
                                return time.monotonic() - started
        except ConnectionError:
            return time.monotonic() - started
        except TimeoutError:
            return float("inf")
        finally:
            writer.close()

    async def health() -> int | None:
        answer, _ = await exchange(
            server, b"GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", wait=3
        )
        return status_of(answer)

    tricklers = [asyncio.ensure_future(trickle()) for _ in range(300)]
    await asyncio.sleep(0.3)
    answered = [await health() for _ in range(5)]
    closed = await asyncio.gather(*tricklers)
    assert answered == [200] * 5
    assert max(closed) < HEADER_TIMEOUT + SLACK + 1
