"""Webhook receivers reached with a POST over asyncio streams: HTTP/1.1, one connection per
attempt, to exactly the address the target guard judged (never a look-up of its own), TLS
verified against the URL's host name, no redirect followed, and nothing of the answer read
past its status line and a bounded head: a receiver that sends 50 MB back costs nothing.

Written here rather than taken from an HTTP client library: the service depends on none at
run time, and what a webhook needs (one POST, the status) is small, while pinning the
connection to the judged address (against DNS rebinding) is what libraries make hard.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Sequence

from portfolio.application.webhooks.ports import Address, SendFailed
from portfolio.domain import Target

HEAD_LIMIT = 16 * 1024
"""The most of an answer read: its status line and headers, cut off here."""
RESOLVE_SECONDS = 5.0


class Http1Receivers:
    """Receivers over HTTP/1.1; ``tls`` verifies certificates (a test may trust its own CA)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._tls = tls

    def _context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    async def resolve(self, host: str) -> Sequence[Address]:
        """Every address ``host`` resolves to (for TCP)."""
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), RESOLVE_SECONDS
            )
        except (OSError, TimeoutError, UnicodeError) as error:
            raise SendFailed(f"{host} does not resolve") from error
        addresses = []
        for *_, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise SendFailed(f"{host} does not resolve")
        return addresses

    async def post(
        self, target: Target, address: Address, headers: Sequence[tuple[str, str]], body: bytes
    ) -> int:
        """The answer's status to a POST of ``body``."""
        tls = self._context() if target.scheme == "https" else None
        try:
            reader, writer = await asyncio.open_connection(
                str(address),
                target.port,
                ssl=tls,
                server_hostname=target.host if tls is not None else None,
                limit=HEAD_LIMIT,
            )
            try:
                head = f"POST {target.request_target} HTTP/1.1\r\n" + "".join(
                    f"{name}: {value}\r\n" for name, value in headers
                )
                writer.write(head.encode("latin-1") + b"\r\n" + body)
                await writer.drain()
                return await _status(reader)
            finally:
                writer.transport.abort()
        except ssl.SSLError as error:
            raise SendFailed(f"TLS failed: {error.reason or error}") from None
        except OSError as error:
            raise SendFailed(f"connection failed: {error.strerror or error}") from None


async def _status(reader: asyncio.StreamReader) -> int:
    """The status of the answer; its head is read up to the blank line (bounded), no further."""
    try:
        line = await reader.readuntil(b"\r\n")
    except asyncio.IncompleteReadError:
        raise SendFailed("the connection closed before an answer") from None
    except asyncio.LimitOverrunError:
        raise SendFailed("the status line is too long") from None
    parts = line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise SendFailed("the answer is not HTTP/1.x")
    status = int(parts[1])
    if not 100 <= status <= 599:
        raise SendFailed("the answer's status is out of range")
    if status < 200:
        # An interim answer (100 Continue): its headers, then the final answer.
        for _ in range(100):
            try:
                if await reader.readuntil(b"\r\n") == b"\r\n":
                    return await _status(reader)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                break
        raise SendFailed("no final answer after an interim one")
    return status
