"""The request's own origin (scheme and host), checked before it is echoed into URLs.

Nothing here imports the framework at run time: the settings check PORTFOLIO_ALLOWED_HOSTS
with the same grammar, and the command line never loads Litestar.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from portfolio.entrypoints.http.layer import App, HttpScope, Layer, Receive, Send, header
from portfolio.entrypoints.http.request_errors import bad_request

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection

# Paths that answer whatever the Host: they build no URL from it.
PROBES = frozenset({"/health", "/ready"})

_DECISIONS_KEPT = 1024

# The same words Litestar's router uses when it rejects a Host header itself.
INVALID_HOST = "Invalid host header"
_REFUSAL = b'{"detail":"' + INVALID_HOST.encode() + b'"}'
_REFUSAL_LENGTH = (b"content-length", str(len(_REFUSAL)).encode())

# DNS labels (letters, digits, inner hyphens; 63 at most) joined by single dots, which also
# covers IPv4; or a bracketed IPv6 address. Then an optional port, range-checked below.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(
    rf"^(?P<name>{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::(?P<port>\d{{1,5}}))?$"
)


# The ports a URL may leave out: over http, "host" and "host:80" name one origin (RFC 9110,
# section 4.2.3).
DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=_DECISIONS_KEPT)
def split_host(host: str) -> tuple[str, int | None] | None:
    """The name (lower-case) and port of a well-formed ``host[:port]``, or None when
    malformed."""
    match = _HOST.match(host)
    if match is None or len(match["name"]) > 253:
        return None
    port = None if match["port"] is None else int(match["port"])
    if port is not None and not 0 < port <= 65535:
        return None
    return match["name"].lower(), port


def request_origin(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """``scheme://host[:port]`` of the request; a malformed Host header is a 400."""
    # Read as the edge reads it (which has refused a second Host already): asking
    # ``connection.headers`` would build them all for this one.
    raw = header(connection.scope, b"host")
    host = None if raw is None else raw.decode("latin-1")
    if host is None:
        server = connection.scope.get("server")
        host = f"{server[0]}:{server[1]}" if server else "localhost"
    if split_host(host) is None:
        raise bad_request(INVALID_HOST)
    return f"{connection.scope.get('scheme', 'http')}://{host}"


class AllowedHosts(Layer):
    """Refuse (400, JSON) requests with more than one Host header, and
    requests whose Host is malformed or, when ``hosts`` is given, not one of them.

    An entry ``name`` allows that name without a port or with the default port of the
    request's scheme (the same origin); ``name:port`` allows that port only, or no port when
    it is the scheme's default. Any other port would be echoed into every URL built.

    Media URLs and page links are built from the request's origin, so behind a proxy that
    passes any Host through, a forged one would be echoed back to clients and caches. It runs
    before the framework's router, so the answer is always in the service's words. The probes
    (``/health``, ``/ready``) echo nothing and answer any one Host: load balancers and
    orchestrators address the instance by its IP. Two Host headers are refused on every path,
    the probes included: RFC 9112 section 3.2 requires a 400 for such a message, which no
    client sends in good faith, and a proxy in front may have read the other one.
    """

    def __init__(self, app: App, hosts: Collection[str] | None = None) -> None:
        super().__init__(app)
        # The same few Host values come back on every request: each is judged once. The
        # memory is bounded, so a flood of forged hosts cannot grow it.
        self._allows = lru_cache(maxsize=_DECISIONS_KEPT)(self._judge)
        # Each entry as (scheme, name, port) for every scheme, a port left out being its default.
        self.hosts = None
        if hosts is not None:
            self.hosts = frozenset(
                (scheme, name, default if port is None else port)
                for name, port in map(_entry, hosts)
                for scheme, default in DEFAULT_PORTS.items()
            )

    async def handle(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        hosts = [value for name, value in scope["headers"] if name == b"host"]
        if len(hosts) > 1 or (
            scope["path"] not in PROBES
            and not self._allows(hosts[0] if hosts else None, scope.get("scheme", "http"))
        ):
            headers = [(b"content-type", b"application/json"), _REFUSAL_LENGTH]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": _REFUSAL, "more_body": False})
            return
        await self.app(scope, receive, send)

    def _judge(self, raw: bytes | None, scheme: str) -> bool:
        if raw is None:
            # HTTP/1.0 may omit it; the origin is then the server's own address.
            return self.hosts is None
        host = split_host(raw.decode("latin-1"))
        if host is None or self.hosts is None:
            return host is not None
        name, port = host
        return (scheme, name, DEFAULT_PORTS.get(scheme) if port is None else port) in self.hosts


def _entry(host: str) -> tuple[str, int | None]:
    entry = split_host(host)
    if entry is None:
        raise ValueError(f"not a host name with an optional port: {host!r}")
    return entry
