"""Who is calling: the client address throttling counts failures against."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from litestar.connection import ASGIConnection

from portfolio.entrypoints.settings import Network

_MAX_ADDRESS = 64
"""Longer than any IP address; a proxy's odd entry is cut here rather than stored whole."""


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(
    connection: ASGIConnection[Any, Any, Any, Any], proxies: Sequence[Network]
) -> str:
    """The socket peer; when the peer is a trusted proxy, the last address in
    ``X-Forwarded-For`` that is not itself a trusted proxy (each proxy appends the address it
    saw, so entries left of the first untrusted one are the client's to forge)."""
    peer = connection.scope.get("client")
    address = str(peer[0]) if peer else "unknown"
    if not proxies or not _trusted(address, proxies):
        return address
    hops = [
        hop.strip()
        for value in connection.headers.getall("x-forwarded-for", [])
        for hop in value.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:_MAX_ADDRESS]
    return hops[0][:_MAX_ADDRESS] if hops else address
