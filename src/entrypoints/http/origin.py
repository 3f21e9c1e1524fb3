"""The request's own origin (scheme and host), checked before it is echoed into URLs."""

from __future__ import annotations

import re
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import ValidationException

# The same words Litestar's router uses when it rejects a Host header itself.
INVALID_HOST = "Invalid host header"

# A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$"
)


def request_origin(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """``scheme://host[:port]`` of the request; a malformed Host header is a 400."""
    host = connection.headers.get("host")
    if host is None:
        server = connection.scope.get("server")
        host = f"{server[0]}:{server[1]}" if server else "localhost"
    if not _HOST.match(host):
        raise ValidationException(INVALID_HOST)
    return f"{connection.scope.get('scheme', 'http')}://{host}"
