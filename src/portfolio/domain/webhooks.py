"""Webhooks: endpoints that subscribe to the change feed's events, the deliveries made to
them, when a failed one is tried again, and which targets a delivery may never reach."""

from __future__ import annotations

__all__ = [
    "ATTEMPTS",
    "DELIVERED",
    "EVENT_TYPES",
    "FAILED",
    "PENDING",
    "PING",
    "Delivery",
    "Endpoint",
    "Target",
    "UnknownEventTypes",
    "UnsafeTarget",
    "ip_literal",
    "refused_address",
    "retry_delay",
    "webhook_target",
]

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import SplitResult, urlsplit

from portfolio.domain.errors import DomainError

PING = "webhook.ping"
"""The event a ping sends; no endpoint subscribes to it, every endpoint can be pinged."""

_WRITES = ("created", "updated", "deleted")
EVENT_TYPES = frozenset(
    {
        *(f"portfolio.{what}" for what in (*_WRITES, "published", "unpublished")),
        *(
            f"{kind}.{what}"
            for kind in ("media", "employer", "tag", "link", "meta")
            for what in _WRITES
        ),
        PING,
    }
)
"""Every event type an endpoint may subscribe to."""

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
"""Where a delivery stands: still to be sent (or sent again), answered 2xx, or given up."""

RETRY_DELAYS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
"""Seconds from a failed attempt to the next (as Svix spaces them): the first attempt at
once, then these seven, about 27.5 hours in all; after the eighth the delivery has failed."""
ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.2
"""Each delay is moved by up to this share either way, so that the retries of many deliveries
that failed together (a receiver that was down) do not arrive together."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A URL that receives the events it subscribed to, signed with its secret."""

    id: int
    url: str
    events: tuple[str, ...]
    description: str | None
    is_active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event to one endpoint: its message id (``webhook-id``, the same on every attempt),
    where it stands, how many attempts were made and the last answer's status."""

    id: int
    endpoint_id: int
    message_id: str
    type: str
    status: str
    attempts: int
    response_status: int | None
    created_at: datetime
    delivered_at: datetime | None


def retry_delay(attempts: int, jitter: float) -> float | None:
    """Seconds until the next attempt after ``attempts`` failed ones (None: it has failed for
    good); ``jitter`` in [-1, 1] moves the delay by up to ``JITTER`` of it."""
    if attempts >= ATTEMPTS or attempts < 1:
        return None
    delay = RETRY_DELAYS[attempts - 1]
    return delay * (1 + JITTER * max(-1.0, min(1.0, jitter)))


class UnknownEventTypes(DomainError):
    """An endpoint subscribed to event types that do not exist (``names``, sorted)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


class UnsafeTarget(DomainError):
    """A webhook URL a delivery must never reach; the message says why, for the client."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where a webhook URL points: scheme, host (no brackets), port."""

    scheme: str
    host: str
    port: int
    parts: SplitResult

    @property
    def request_target(self) -> str:
        """The path and query an HTTP request line names."""
        path = self.parts.path or "/"
        return f"{path}?{self.parts.query}" if self.parts.query else path

    @property
    def host_header(self) -> str:
        """The ``Host`` header's value."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def webhook_target(url: str, *, allow_private: bool) -> Target:
    """Where ``url`` points; UnsafeTarget when it may never be a webhook's: another scheme
    than https (or http, with private targets allowed), credentials in it, no host, or an IP
    literal (in any notation) of a private kind. Names are judged once resolved
    (``refused_address``)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeTarget("Enter a valid URL.") from None
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if allow_private else ("https",)
    if scheme not in allowed:
        raise UnsafeTarget(f"Only {' and '.join(reversed(allowed))} URLs are accepted.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeTarget("A URL with credentials in it is refused.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeTarget("Enter a valid URL.")
    literal = ip_literal(host)
    if literal is not None and not allow_private:
        reason = refused_address(literal)
        if reason is not None:
            raise UnsafeTarget(reason)
    return Target(scheme, host, port or (443 if scheme == "https" else 80), parts)


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address ``host`` spells, in any notation a resolver takes (dotted, decimal, octal,
    hexadecimal, shortened ``127.1``, IPv6 with or without an embedded IPv4); None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _inet_aton_number(part)
        if number is None:
            return None
        numbers.append(number)
    # inet_aton: a.b.c.d, a.b.c (c: 16 bits), a.b (b: 24 bits), a (32 bits).
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _inet_aton_number(part: str) -> int | None:
    lowered = part.lower()
    try:
        if lowered.startswith("0x"):
            return int(lowered[2:] or "0", 16)
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered[1:], 8)
        return int(lowered, 10) if lowered.isdigit() else None
    except ValueError:
        return None


def refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why a webhook may not reach ``address`` (None: it may): loopback, private, link-local,
    multicast, reserved, unspecified or otherwise not global; an IPv6 address embedding an
    IPv4 one (mapped, 6to4, Teredo, NAT64) is judged by the IPv4 address it carries."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return refused_address(embedded)
    kinds = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved or address.is_unspecified),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    )
    for kind, matches in kinds:
        if matches:
            return f"The URL's host is a {kind} address ({address}): refused."
    return None


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
