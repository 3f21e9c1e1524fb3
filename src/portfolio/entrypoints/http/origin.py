"""The request's own origin (scheme and host), checked before it is echoed into URLs."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from litestar.connection import ASGIConnection

from portfolio.entrypoints.http.request_errors import bad_request

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

# Paths that answer whatever the Host: they build no URL from it.
PROBES = frozenset({"/health", "/ready"})

# The same words Litestar's router uses when it rejects a Host header itself.
INVALID_HOST = "Invalid host header"

# DNS labels (letters, digits, inner hyphens; 63 at most) joined by single dots, which also
# covers IPv4; or a bracketed IPv6 address. Then an optional port, range-checked below.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(
    rf"^(?P<name>{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::(?P<port>\d{{1,5}}))?$"
)


def host_name(host: str) -> str | None:
    """The name part of a well-formed ``host[:port]`` (lower-case), or None when malformed."""
    match = _HOST.match(host)
    if match is None or len(match["name"]) > 253:
        return None
    port = match["port"]
    if port is not None and not 0 < int(port) <= 65535:
        return None
    return match["name"].lower()


def request_origin(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """``scheme://host[:port]`` of the request; a malformed Host header is a 400."""
    host = connection.headers.get("host")
    if host is None:
        server = connection.scope.get("server")
        host = f"{server[0]}:{server[1]}" if server else "localhost"
    if host_name(host) is None:
        raise bad_request(INVALID_HOST)
    return f"{connection.scope.get('scheme', 'http')}://{host}"


class AllowedHosts:
    """Plain ASGI middleware: refuse (400, JSON) requests whose Host is malformed or, when
    ``hosts`` is given, not one of them.

    Media URLs and page links are built from the request's origin, so behind a proxy that
    passes any Host through, a forged one would be echoed back to clients and caches. It runs
    before the framework's router, so the answer is always in the service's words. The probes
    (``/health``, ``/ready``) echo nothing and answer any Host: load balancers and
    orchestrators address the instance by its IP.
    """

    def __init__(self, app: ASGIApp, hosts: Collection[str] | None = None) -> None:
        self.app = app
        self.hosts = None if hosts is None else frozenset(host.lower() for host in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass allowed hosts (and non-HTTP scopes) through; answer the rest with 400."""
        if scope["type"] == "http" and scope["path"] not in PROBES:  # type: ignore[comparison-overlap]
            raw = next((value for name, value in scope["headers"] if name == b"host"), None)
            if not self._allows(raw):
                body = b'{"detail":"' + INVALID_HOST.encode() + b'"}'
                await send(
                    {
                        "type": "http.response.start",
                        "status": 400,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
        await self.app(scope, receive, send)

    def _allows(self, raw: bytes | None) -> bool:
        if raw is None:
            # HTTP/1.0 may omit it; the origin is then the server's own address.
            return self.hosts is None
        name = host_name(raw.decode("latin-1"))
        return name is not None if self.hosts is None else name in self.hosts
