"""Who is calling: the client address throttling counts failures against."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from portfolio.entrypoints.http.layer import header

if TYPE_CHECKING:
    from portfolio.entrypoints.settings import Network


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in proxies)


def client_address(scope: Any, proxies: Sequence[Network]) -> str:
    """The socket peer; when the peer is a trusted proxy, the last address in
    ``X-Forwarded-For`` that is not itself a trusted proxy (each proxy appends the address it
    saw, so entries left of the first untrusted one are the client's to forge). An entry that
    is no IP address means a proxy that did not append one: the proxy itself is counted."""
    peer = scope.get("client")
    address = str(peer[0]) if peer else "unknown"
    if not proxies or not _trusted(address, proxies):
        return address
    forwarded = (header(scope, b"x-forwarded-for") or b"").decode("latin-1")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    untrusted = [hop for hop in hops if not _trusted(hop, proxies)]
    # When every hop is a trusted proxy, the first one is the client.
    client = untrusted[-1] if untrusted else next(iter(hops), None)
    ip = None if client is None else _ip(client)
    return address if ip is None else str(ip)
