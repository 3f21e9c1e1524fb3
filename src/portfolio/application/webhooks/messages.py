"""What a receiver gets: the body ``{"type", "timestamp", "data"}`` and the Standard Webhooks
signature headers over it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

from portfolio.application.webhooks.ports import Message
from portfolio.domain import Target

USER_AGENT = "portfolio-webhooks/1"


def timestamp_of(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as the API writes moments."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def message_of(message_id: str, event: str, moment: datetime, data: bytes) -> Message:
    """The message of ``event`` at ``moment`` whose ``data`` is that JSON text."""
    head = f'{{"type":{json.dumps(event)},"timestamp":{json.dumps(timestamp_of(moment))},"data":'
    return Message(message_id, event, head.encode() + data + b"}", moment)


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body`` under the secret's key."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(
    target: Target, secret: str, message_id: str, timestamp: int, body: bytes
) -> list[tuple[str, str]]:
    """Every header of a delivery's POST."""
    return [
        ("Host", target.host_header),
        ("User-Agent", USER_AGENT),
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Connection", "close"),
        ("webhook-id", message_id),
        ("webhook-timestamp", str(timestamp)),
        ("webhook-signature", signature(secret, message_id, timestamp, body)),
    ]
